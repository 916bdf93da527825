// The snippets of docs/deployment/ run for real: their text as the docs show it, a sidecar made
// from the docs' configuration with stand-in checks, and the probes a Kubernetes manifest
// declares.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::testing {

/// The text of docs/deployment/<name>.
std::string deployment_file(const std::string& name);

/// `text` with every `from` replaced by `to`. @throws std::runtime_error when `from` does not
/// occur (the snippet changed under the test: say so rather than test something else).
std::string replaced(std::string text, const std::string& from, const std::string& to);

/// A sidecar serving docs/deployment/sidecar.json: its top-level keys as they stand (but listen,
/// on a free loopback port), and each check replaced by a static one with the same name, slug,
/// type and tags, answering its level from `levels` (OK when absent).
class DocSidecar {
 public:
  struct Options {
    std::map<std::string, std::string> levels;  ///< slug -> "OK", "WARN" or "CRIT"
    std::optional<long long> drain_ms;          ///< replaces drainMs
    std::string id;                             ///< replaces about.id
    /// Top-level keys laid over the docs' file (e.g. consul-status-codes.json).
    std::string overlay_json;
  };
  DocSidecar(const std::string& sidecar_path, Options options);
  unsigned short port() const { return port_; }
  Process& process() { return *process_; }
  /// The port docs/deployment/sidecar.json listens on.
  static unsigned short documented_port();

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  unsigned short port_ = 0;
};

/// One httpGet probe of a Kubernetes manifest.
struct Probe {
  std::string kind;  ///< "startupProbe", "livenessProbe" or "readinessProbe"
  std::string path;
  int port = 0;
};

/// Every httpGet probe in `yaml`, in order (read line by line: `<kind>:`, then `path:`, `port:`).
std::vector<Probe> kubernetes_probes(const std::string& yaml);

}  // namespace healthchecks::testing
