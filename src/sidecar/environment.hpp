// `${NAME}` references in the sidecar's config: every string value may hold them; what they
// read becomes a secret.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "healthchecks/status.hpp"

#include "sidecar/config.hpp"
#include "sidecar/reader.hpp"

namespace healthchecks::sidecar {

// `${NAME}` references: what the file asked for and what the environment gave.
struct Environment {
  const LoadOptions* options = nullptr;
  std::vector<std::string> names;    // referenced, in order, each once
  std::vector<std::string> missing;  // not set (require_env false), in order, each once
  std::vector<std::string> values;   // read: secrets
  std::map<std::string, std::string> unresolved;  // key -> its first variable not set
};

/// Replaces the references in every string value of `doc` (parsed from `text`, within the
/// depth limit), in the order of the file, and tells `r` of integers beyond 64 bits (by key)
/// and of values that lack a variable that is not set.
void resolve_environment(json& doc, std::string_view text, Reader& r, Environment& env);

}  // namespace healthchecks::sidecar
