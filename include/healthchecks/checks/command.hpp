// A check that runs a program the way Nagios and Sensu run their plugins.
#pragma once

#include <string>
#include <vector>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::checks {

/// Runs `argv` (no shell; argv[0] is a path or found in PATH) with the check's deadline. Exit 0
/// reads OK, 1 WARN, anything else CRIT (2 is Nagios' CRITICAL, 3 its UNKNOWN); the details are
/// the first line of its output (standard output and error together) up to a '|' (where
/// plugins put performance data), or "exit status N" when it printed nothing. At the deadline
/// the program and its process group are killed and the check reads CRIT. Asynchronous: the
/// output is read on Asio, and no thread waits for the program. POSIX only.
/// @throws Error ("check: ...") when argv is empty.
HEALTHCHECKS_EXPORT Check command(std::vector<std::string> argv);

}  // namespace healthchecks::checks
