// Reading sidecar configurations in tests: the error a text gets, and the options `--check`
// validates with.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "sidecar/config.hpp"

namespace healthchecks::testing {

/// What loading `text` (as "svc.json") throws, or "no error"; every such error is a "config" one.
inline std::string error_of(const std::string& text, const sidecar::LoadOptions& options = {}) {
  try {
    (void)sidecar::parse_config(text, "svc.json", "", options);
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "config");
    return e.what();
  }
  return "no error";
}

/// Validating as `--check` does: `${NAME}` references need no environment.
inline sidecar::LoadOptions without_environment() {
  sidecar::LoadOptions options;
  options.require_env = false;
  options.getenv = [](const char*) -> const char* { return nullptr; };
  return options;
}

}  // namespace healthchecks::testing
