// The command line of healthchecks-walk, read without touching the network: a bad URL or option
// is one line of text (the caller exits 64, EX_USAGE).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "healthchecks/tls.hpp"

namespace healthchecks::walk {

enum class Format { tree, json, dot, mermaid };

struct Options {
  bool help = false;
  std::string url;          ///< the status URL shown: "http://127.0.0.1:8080/status"
  std::string host;         ///< from the URL
  std::string port;         ///< from the URL
  std::string status_base;  ///< its path: "/status", "/api/status"
  Format format = Format::tree;
  int parallel = 8;
  double timeout_seconds = 10;
  int depth = 32;  ///< RouterOptions::max_hops
  std::size_t max_services = 1000;
  std::optional<double> watch_seconds;
  std::vector<std::pair<std::string, std::string>> headers;
  bool https = false;    ///< from the URL
  TlsClientOptions tls;  ///< --cacert, --insecure
};

/// Where options are read from, so that tests need no environment or files.
struct OptionSources {
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  /// The content of a file, or nullopt when it cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
};

/// The environment and the file system.
OptionSources system_sources();

struct ParsedOptions {
  Options options;
  std::string error;  ///< one line, without the program's name; empty when fine
};

/// Reads the arguments after the program's name. Header values are never quoted in an error.
ParsedOptions parse_options(const std::vector<std::string>& args, const OptionSources& sources);

/// The text of --help (and the usage line shown after an error).
extern const char* const kUsage;
extern const char* const kHelp;

}  // namespace healthchecks::walk
