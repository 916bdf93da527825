#include "support/servers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <stdexcept>
#include <vector>

namespace healthchecks::testing {
namespace {

namespace fs = std::filesystem;

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const auto candidate = dirs.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

// Whom a server that refuses root runs as: `preferred` (or nobody) when we are root, else
// ourselves (an empty name).
struct ServerUser {
  std::string name;
  uid_t uid;
  gid_t gid;
};

ServerUser server_user(const char* preferred, const std::string& what) {
  if (geteuid() != 0) return {{}, getuid(), getgid()};
  const passwd* user = getpwnam(preferred);
  if (user == nullptr) user = getpwnam("nobody");
  if (user == nullptr) throw std::runtime_error("no unprivileged user to run " + what + " as");
  return {user->pw_name, user->pw_uid, user->pw_gid};
}

// `argv` run as `user` (with group `gid`) through setpriv; as ourselves when `user` is empty.
std::vector<std::string> as_user(std::vector<std::string> argv, const std::string& user,
                                 unsigned gid) {
  if (!user.empty()) {
    argv.insert(argv.begin(), {find_in_path("setpriv"), "--reuid=" + user,
                               "--regid=" + std::to_string(gid), "--init-groups", "--"});
  }
  return argv;
}

// Reads lines until one contains `ready`; throws with what the server said otherwise.
void wait_for(Process& process, const std::string& ready, const std::string& what) {
  std::string said;
  while (auto line = process.read_line(std::chrono::seconds(30))) {
    said += *line + "\n";
    if (line->find(ready) != std::string::npos) return;
  }
  throw std::runtime_error(what + " did not start; it said:\n" + said);
}

}  // namespace

// Ports come from below the kernel's ephemeral range: a port from bind(0) is one the kernel also
// hands out as the source port of outgoing connections, so between picking it and a server's
// listen() any connect() on the machine could take it (a CI run lost a sidecar's port that way).
// Below the range only another test picking at random can collide, and each pick is bound once to
// see it is free.
unsigned short free_port() {
  static std::mutex mutex;
  static std::mt19937 random{std::random_device{}()};
  int low = 32768;
  if (std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range"); range) range >> low;
  const int first = 10000, last = std::max(first + 1000, low) - 1;
  const std::lock_guard<std::mutex> lock(mutex);
  std::uniform_int_distribution<int> pick(first, last);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const auto port = static_cast<unsigned short>(pick(random));
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (free) return port;
  }
  throw std::runtime_error("no free loopback port between " + std::to_string(first) + " and " +
                           std::to_string(last) + " after 1000 tries");
}

// --- Redis -------------------------------------------------------------------------------------

RedisServer::RedisServer(std::string password) : port_(free_port()) {
  const auto binary = find_in_path("redis-server");
  if (binary.empty()) {
    throw std::runtime_error(
        "redis-server is not installed: apt-get install redis-server (scripts/test.sh installs "
        "it)");
  }
  std::vector<std::string> argv = {
      binary,         "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
      "--appendonly", "no",     "--daemonize",         "no"};
  if (!password.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(password);
  }
  process_ = std::make_unique<Process>(argv, true);
  wait_for(*process_, "Ready to accept connections", "redis-server");
}

RedisServer::~RedisServer() {
  stop();
}

void RedisServer::stop() {
  if (!process_) return;
  process_->kill(SIGTERM);
  process_->wait();
  process_.reset();
}

// --- memcached ---------------------------------------------------------------------------------

MemcachedServer::MemcachedServer(int megabytes)
    : binary_(find_in_path("memcached")), megabytes_(megabytes), port_(free_port()) {
  if (binary_.empty()) {
    throw std::runtime_error(
        "memcached is not installed: apt-get install memcached (scripts/test.sh installs it)");
  }
  start();
}

void MemcachedServer::start() {
  std::vector<std::string> argv = {binary_,
                                   "-l",
                                   "127.0.0.1",
                                   "-p",
                                   std::to_string(port_),
                                   "-U",
                                   "0",
                                   "-m",
                                   std::to_string(megabytes_)};
  if (geteuid() == 0) {
    argv.push_back("-u");
    argv.push_back("nobody");
  }
  process_ = std::make_unique<Process>(argv, true);
  // It says nothing when it is ready (and -v would log every command into a pipe nobody reads):
  // connect until it accepts.
  for (int attempt = 0; attempt < 300; ++attempt) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool up = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (up) return;
    usleep(10 * 1000);
  }
  std::string said;
  process_->kill(SIGTERM);
  while (auto line = process_->read_line(std::chrono::seconds(1))) said += *line + "\n";
  throw std::runtime_error("memcached did not start; it said:\n" + said);
}

MemcachedServer::~MemcachedServer() {
  stop();
}

void MemcachedServer::stop() {
  if (!process_) return;
  process_->kill(SIGKILL);  // it notices SIGTERM only on its next one-second tick
  process_->wait();
  process_.reset();
}

// --- PostgreSQL --------------------------------------------------------------------------------

PostgresServer::PostgresServer() : port_(free_port()) {
  std::vector<fs::path> found;
  if (fs::exists("/usr/lib/postgresql")) {
    for (const auto& version : fs::directory_iterator("/usr/lib/postgresql")) {
      if (fs::exists(version.path() / "bin" / "postgres")) found.push_back(version.path() / "bin");
    }
  }
  if (found.empty()) {
    throw std::runtime_error(
        "the PostgreSQL server is not installed: apt-get install postgresql "
        "(scripts/test.sh installs it)");
  }
  std::sort(found.begin(), found.end());
  bin_ = found.back().string();

  // initdb and postgres refuse to run as root: run them as the postgres user (or nobody).
  const ServerUser user = server_user("postgres", "PostgreSQL");
  const uid_t uid = user.uid;
  const gid_t gid = user.gid;
  run_as_ = user.name;
  run_gid_ = user.gid;
  if (!user.name.empty()) chmod(dir_.path().c_str(), 0755);  // reachable by that user
  data_ = dir_.path() + "/data";
  const auto password_file = dir_.write("password", std::string(kPassword) + "\n");
  for (const auto& path : {dir_.path(), password_file}) {
    if (chown(path.c_str(), uid, gid) != 0) throw std::runtime_error("chown " + path + " failed");
  }

  std::vector<std::string> initdb = {bin_ + "/initdb",
                                     "-D",
                                     data_,
                                     "-U",
                                     kUser,
                                     "--auth=scram-sha-256",
                                     "--pwfile=" + password_file,
                                     "-E",
                                     "UTF8",
                                     "--no-sync",
                                     "--no-instructions"};
  Process init(as_server_user(std::move(initdb)), true);
  std::string said;
  while (auto line = init.read_line(std::chrono::seconds(60))) said += *line + "\n";
  if (init.wait(std::chrono::seconds(60)) != 0) throw std::runtime_error("initdb failed:\n" + said);
  start();
}

void PostgresServer::start() {
  std::vector<std::string> argv = {bin_ + "/postgres",           "-D", data_,       "-p",
                                   std::to_string(port_),        "-k", dir_.path(), "-c",
                                   "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                                   "full_page_writes=off"};
  process_ = std::make_unique<Process>(as_server_user(std::move(argv)), true);
  wait_for(*process_, "database system is ready to accept connections", "postgres");
}

std::vector<std::string> PostgresServer::as_server_user(std::vector<std::string> argv) const {
  return as_user(std::move(argv), run_as_, run_gid_);
}

PostgresServer::~PostgresServer() {
  stop();
}

void PostgresServer::stop() {
  if (!process_) return;
  process_->kill(SIGINT);  // fast shutdown
  process_->wait(std::chrono::seconds(30));
  process_.reset();
}

std::string PostgresServer::conninfo(const std::string& password) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres user=" + kUser +
         " password=" + password;
}

// --- MariaDB -----------------------------------------------------------------------------------

MariadbServer::MariadbServer() : port_(free_port()) {
  server_ = find_in_path("mariadbd");
  // The system tables as mariadb-install-db makes them, from its own scripts, without the help
  // tables and the sys schema it adds (two thirds of its time, which every test process pays).
  const std::string scripts = "/usr/share/mysql/";
  std::string bootstrap = "CREATE DATABASE IF NOT EXISTS mysql;\nUSE mysql;\n";
  for (const char* name : {"mysql_system_tables.sql", "mysql_system_tables_data.sql"}) {
    std::ifstream in(scripts + name);
    if (server_.empty() || !in) {
      throw std::runtime_error("the MariaDB server is not installed (no mariadbd or no " + scripts +
                               name +
                               "): apt-get install mariadb-server (scripts/test.sh installs it)");
    }
    bootstrap.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // mariadbd refuses to run as root: run it as the mysql user (or nobody).
  const ServerUser user = server_user("mysql", "MariaDB");
  const uid_t uid = user.uid;
  const gid_t gid = user.gid;
  run_as_ = user.name;
  run_gid_ = user.gid;
  if (!user.name.empty()) chmod(dir_.path().c_str(), 0755);  // reachable by that user
  data_ = dir_.path() + "/data";
  const auto bootstrap_file = dir_.write("bootstrap.sql", bootstrap);
  // The test user, at every start (a restart finds it there already): bootstrapping runs
  // without the grant tables, where CREATE USER cannot.
  init_file_ = dir_.write("init.sql", std::string("CREATE USER IF NOT EXISTS '") + kUser +
                                          "'@'%' IDENTIFIED BY '" + kPassword + "';\n" +
                                          "GRANT ALL ON *.* TO '" + kUser + "'@'%';\n");
  fs::create_directory(data_);
  for (const auto& path : {dir_.path(), data_, bootstrap_file, init_file_}) {
    if (chown(path.c_str(), uid, gid) != 0) throw std::runtime_error("chown " + path + " failed");
  }
  // mariadbd --bootstrap reads its SQL from standard input.
  Process init(as_server_user({"/bin/sh", "-c",
                               "exec \"$0\" --no-defaults --bootstrap --datadir=\"$1\" "
                               "--tmpdir=\"$1\" --log-warnings=0 --skip-name-resolve "
                               "--innodb-buffer-pool-size=16M --innodb-log-file-size=4M "
                               "--max-allowed-packet=8M < \"$2\"",
                               server_, data_, bootstrap_file}),
               true);
  std::string said;
  while (auto line = init.read_line(std::chrono::seconds(60))) said += *line + "\n";
  if (init.wait(std::chrono::seconds(60)) != 0) {
    throw std::runtime_error("mariadbd --bootstrap failed:\n" + said);
  }
  start();
}

void MariadbServer::start() {
  process_ = std::make_unique<Process>(
      as_server_user({server_, "--no-defaults", "--datadir=" + data_, "--tmpdir=" + data_,
                      "--port=" + std::to_string(port_), "--bind-address=127.0.0.1",
                      "--socket=" + dir_.path() + "/mysqld.sock",
                      "--pid-file=" + dir_.path() + "/mysqld.pid", "--init-file=" + init_file_,
                      "--skip-name-resolve", "--skip-log-bin", "--performance-schema=OFF",
                      "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M",
                      "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0"}),
      true);
  wait_for(*process_, "ready for connections", "mariadbd");
}

std::vector<std::string> MariadbServer::as_server_user(std::vector<std::string> argv) const {
  return as_user(std::move(argv), run_as_, run_gid_);
}

MariadbServer::~MariadbServer() {
  stop();
}

void MariadbServer::stop() {
  if (!process_) return;
  process_->kill(SIGTERM);  // a normal shutdown
  process_->wait(std::chrono::seconds(30));
  process_.reset();
}

}  // namespace healthchecks::testing

namespace healthchecks::testing {

SilentServer::SilentServer() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  listen(fd_, 64);  // never accepted: connections complete in the backlog and hang there
  socklen_t length = sizeof address;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
}

SilentServer::~SilentServer() {
  close(fd_);
}

}  // namespace healthchecks::testing
