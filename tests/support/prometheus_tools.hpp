// Prometheus's own tools for the metrics tests: `promtool check metrics` (Debian prometheus),
// found on PATH; a missing tool fails the test saying how to install it.
#pragma once

#include <string>

namespace healthchecks::testing {

/// The full path of `program` on PATH.
/// @throws std::runtime_error naming the Debian package to install when it is not there.
std::string require_program(const std::string& program, const std::string& package);

/// What `promtool check metrics` says of `text` (the lint included): empty when clean, else
/// its complaints and exit code.
std::string promtool_problems(const std::string& text);

}  // namespace healthchecks::testing
