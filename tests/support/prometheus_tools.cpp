#include "support/prometheus_tools.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "support/command.hpp"

namespace healthchecks::testing {

std::string require_program(const std::string& program, const std::string& package) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::runtime_error(program + " is not installed: apt-get install " + package +
                           " (or scripts/install-deps.sh test)");
}

std::string promtool_problems(const std::string& text) {
  const auto promtool = require_program("promtool", "prometheus");
  const auto result = run_command({promtool, "check", "metrics"}, 20, text);
  if (result.exit_code == 0 && result.output.empty()) return {};
  return "promtool check metrics exited " + std::to_string(result.exit_code) + ": " + result.output;
}

}  // namespace healthchecks::testing
