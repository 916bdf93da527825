// Real servers for the checks' tests, on free loopback ports: redis-server, memcached, and
// PostgreSQL and MariaDB in temporary folders (run as an unprivileged user when the tests run as
// root). A missing server fails the test with how to install it; nothing is skipped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::testing {

/// A loopback port nobody listens on right now.
unsigned short free_port();

/// A loopback port that accepts connections (the kernel completes them) but never answers:
/// what a hung dependency looks like from outside.
class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  unsigned short port() const { return port_; }

 private:
  int fd_;
  unsigned short port_;
};

class RedisServer {
 public:
  /// @throws std::runtime_error saying how to install redis-server when it is missing.
  explicit RedisServer(std::string password = {});
  ~RedisServer();
  unsigned short port() const { return port_; }
  void stop();

 private:
  unsigned short port_;
  std::unique_ptr<Process> process_;
};

class MemcachedServer {
 public:
  /// memcached on a free loopback port with `megabytes` of memory for items (2 at least: an
  /// item may take half of it), no UDP; as nobody when we are root.
  /// @throws std::runtime_error saying how to install memcached when it is missing.
  explicit MemcachedServer(int megabytes = 2);
  ~MemcachedServer();
  unsigned short port() const { return port_; }
  /// Starts it again on the same port, empty and with its counters at zero.
  void start();
  void stop();

 private:
  std::string binary_;
  int megabytes_;
  unsigned short port_;
  std::unique_ptr<Process> process_;
};

class PostgresServer {
 public:
  static constexpr const char* kUser = "health";
  static constexpr const char* kPassword = "secret";

  /// initdb (password authentication) and start; a few seconds.
  /// @throws std::runtime_error saying how to install PostgreSQL when it is missing.
  PostgresServer();
  ~PostgresServer();
  unsigned short port() const { return port_; }
  /// "host=127.0.0.1 port=... dbname=postgres user=health password=..."
  std::string conninfo(const std::string& password = kPassword) const;
  void start();
  void stop();

 private:
  TempDir dir_;
  std::string bin_;
  std::string data_;
  // `argv` run as the unprivileged user when we are root (initdb and postgres refuse root).
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;

  std::string run_as_;  // empty: as ourselves
  unsigned run_gid_ = 0;
  unsigned short port_;
  std::unique_ptr<Process> process_;
};

/// MariaDB (Debian mariadb-server): the system tables bootstrapped into a temporary folder,
/// then mariadbd on 127.0.0.1 with a user `kUser` identified by `kPassword` (from an
/// --init-file, at each start).
class MariadbServer {
 public:
  static constexpr const char* kUser = "health";
  static constexpr const char* kPassword = "secret";

  /// A second or two.
  /// @throws std::runtime_error saying how to install mariadb-server when it is missing.
  MariadbServer();
  ~MariadbServer();
  unsigned short port() const { return port_; }
  void start();
  void stop();

 private:
  TempDir dir_;
  std::string server_;
  std::string data_;
  std::string init_file_;
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;

  std::string run_as_;  // empty: as ourselves
  unsigned run_gid_ = 0;
  unsigned short port_;
  std::unique_ptr<Process> process_;
};

}  // namespace healthchecks::testing
