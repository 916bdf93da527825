// The sidecar's JSON configuration: what to listen on, what the service says about itself, and
// its checks. Every mistake is an Error naming the file, the key and what was expected.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "healthchecks/about.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "healthchecks/status_endpoint.hpp"

namespace healthchecks::sidecar {

struct Config {
  ServerOptions server;
  About about;
  RegistryOptions registry;
  RouterOptions router;
  std::vector<StatusEndpoint> endpoints;
};

/// Reads the configuration file at `path`; relative file names inside it (aboutFile,
/// versionFile) are taken from the file's folder.
/// @throws Error ("config: <path>: key 'checks[2].url': expected a string, found number")
Config load_config(const std::string& path);

/// The same from text; `source` names it in messages, `base_dir` resolves relative names.
Config parse_config(std::string_view text, const std::string& source, const std::string& base_dir);

}  // namespace healthchecks::sidecar
