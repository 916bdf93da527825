#include "healthchecks/status.hpp"

namespace healthchecks {

std::string_view to_string(Level level) noexcept {
  switch (level) {
    case Level::ok:
      return "OK";
    case Level::warn:
      return "WARN";
    case Level::crit:
      return "CRIT";
  }
  return "CRIT";
}

std::optional<Level> parse_level(std::string_view text) noexcept {
  if (text == "OK") return Level::ok;
  if (text == "WARN") return Level::warn;
  if (text == "CRIT") return Level::crit;
  return std::nullopt;
}

}  // namespace healthchecks
