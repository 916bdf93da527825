// nginx from Debian as an independent TLS server for the client's tests: serves files (the
// Health Checks API's JSON, written by the test) over TLS on a free loopback port, and the same
// files over plain HTTP on another; logs each request with nginx's connection number, so tests
// can count connections. Runs in the foreground in a temporary folder. A missing nginx fails the
// test saying how to install it; nothing is skipped.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::testing {

class NginxServer {
 public:
  struct Options {
    std::string cert_file;
    std::string key_file;
    /// Set: client certificates are required (ssl_verify_client on) and verified against it.
    std::string client_ca_file;
  };

  /// @throws std::runtime_error saying how to install nginx, or what it said when it failed.
  explicit NginxServer(Options options);
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  /// Serves `body` as application/json at `path` ("/status/aggregate"; any query is ignored).
  void serve(const std::string& path, const std::string& body);

  unsigned short port() const { return port_; }
  unsigned short plain_port() const { return plain_port_; }
  /// "https://127.0.0.1:<port>"
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  /// Requests nginx has logged, and on how many connections. nginx logs a request after its
  /// answer went out, so a client may have read an answer that is not logged yet:
  /// wait_for_requests() first.
  int requests() const;
  /// Waits (up to 5 s) until at least `count` requests are logged.
  void wait_for_requests(int count) const;
  int connections() const;

 private:
  TempDir dir_;
  unsigned short port_ = 0;
  unsigned short plain_port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace healthchecks::testing
