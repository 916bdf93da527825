// Matchers for Status that name what was expected, not just "not OK".
#pragma once

#include <ostream>
#include <string>

#include <gmock/gmock.h>

#include "healthchecks/status.hpp"

namespace healthchecks {
inline void PrintTo(const Status& s, std::ostream* os) {
  *os << to_string(s.level) << " {description: \"" << s.description << "\", details: \""
      << s.details << "\"}";
}
}  // namespace healthchecks

namespace healthchecks::testing {

MATCHER_P(HasLevel, level, std::string("has level ") + std::string(to_string(level))) {
  return arg.level == level;
}

MATCHER_P2(IsStatus, level, details_substring,
           std::string("is ") + std::string(to_string(level)) + " with details containing \"" +
               std::string(details_substring) + "\"") {
  return arg.level == level && arg.details.find(details_substring) != std::string::npos;
}

}  // namespace healthchecks::testing
