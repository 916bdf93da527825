// The sidecar's JSON configuration: what to listen on, what the service says about itself, and
// its checks. Every mistake is an Error naming the file, the key and what was expected.
#pragma once

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "healthchecks/about.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "healthchecks/status_endpoint.hpp"

namespace healthchecks::sidecar {

enum class LogFormat { text, json };

/// The config's "log" object: {"format": "text" | "json"}.
struct LogOptions {
  LogFormat format = LogFormat::text;
};

/// The config's "grpc" object: serve grpc.health.v1.Health on a port of its own.
struct GrpcListen {
  std::string address = "127.0.0.1";  ///< an IP address, IPv6 without brackets
  unsigned short port = 0;            ///< 0: the system picks one
  bool warn_is_serving = true;        ///< "warn": "SERVING" (the default) or "NOT_SERVING"
};

struct Config {
  ServerOptions server;
  About about;
  /// `secrets` holds every value read from the environment, every header value and the access
  /// token: the registry shows them as "***" wherever they would appear.
  RegistryOptions registry;
  RouterOptions router;
  std::vector<StatusEndpoint> endpoints;
  LogOptions log;
  /// "grpc": {"listen": "127.0.0.1:9090", "warn": "SERVING"}; only in a sidecar built with
  /// gRPC (HEALTHCHECKS_HAS_GRPC), elsewhere the key is an error saying so.
  std::optional<GrpcListen> grpc;
  /// "drainMs": on SIGTERM, answer aggregate 503 (Registry::set_ready(false)) and keep serving
  /// this long before stopping; 0 stops at once.
  std::chrono::milliseconds drain{0};
  /// The environment variables the file refers to (`${NAME}`), in order of first reference,
  /// each once.
  std::vector<std::string> environment;
  /// Those of `environment` that were not set (only with LoadOptions::require_env false).
  std::vector<std::string> missing_environment;
};

/// How a configuration reads its `${NAME}` references. Every string value of the file, at any
/// depth, may hold them: `${NAME}` is the variable's value, `$$` a literal `$`, and a `$` not
/// followed by `{` or `$` stays as it is. `${` without `}`, or a name that is not letters,
/// digits and `_` (not starting with a digit), is an error naming the key.
struct LoadOptions {
  /// true (to serve): a variable that is not set is an error naming it and the key
  /// ("key 'checks[1].headers.Authorization': environment variable BILLING_TOKEN is not set").
  /// false (to validate a file without its secrets, as `--check` does): such variables are
  /// listed in Config::missing_environment, read as "", and the checks that depend on them are
  /// not validated (a check whose URL lacks one reads CRIT saying so; an access token that
  /// lacks one shows nobody details). Such a Config is for validating, not for serving.
  bool require_env = true;
  /// Reads a variable; nullptr when it is not set. Tests pass their own.
  std::function<const char*(const char*)> getenv = [](const char* name) {
    return std::getenv(name);
  };
};

/// Reads the configuration file at `path`; relative file names inside it (aboutFile,
/// versionFile) are taken from the file's folder.
/// @throws Error ("config: <path>: key 'checks[2].url': expected a string, found number"),
///         always one line: control characters are escaped, secrets and URL passwords read "***".
Config load_config(const std::string& path, const LoadOptions& options = {});

/// The same from text; `source` names it in messages, `base_dir` resolves relative names.
Config parse_config(std::string_view text, const std::string& source, const std::string& base_dir,
                    const LoadOptions& options = {});

}  // namespace healthchecks::sidecar
