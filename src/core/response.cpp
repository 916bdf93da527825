#include "healthchecks/response.hpp"

#include "util/text.hpp"

namespace healthchecks {

std::string_view Response::header(std::string_view name) const noexcept {
  for (const auto& [key, value] : headers) {
    if (detail::iequals(key, name)) return value;
  }
  return {};
}

}  // namespace healthchecks
