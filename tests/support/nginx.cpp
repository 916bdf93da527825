#include "support/nginx.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/servers.hpp"

namespace healthchecks::testing {
namespace {

std::string find_nginx() {
  for (const char* candidate : {"/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  throw std::runtime_error(
      "the TLS tests need nginx: apt-get install nginx (or scripts/install-deps.sh test)");
}

bool accepts(unsigned short port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

NginxServer::NginxServer(Options options) {
  const auto nginx = find_nginx();
  port_ = free_port();
  plain_port_ = free_port();
  while (plain_port_ == port_) plain_port_ = free_port();
  const auto& d = dir_.path();
  dir_.write("www/.keep", "");
  dir_.write("tmp/.keep", "");
  std::string client;
  if (!options.client_ca_file.empty()) {
    client =
        "    ssl_client_certificate " + options.client_ca_file + ";\n    ssl_verify_client on;\n";
  }
  const std::string site = "    root " + d +
                           "/www;\n"
                           "    location / { default_type application/json; }\n";
  dir_.write("nginx.conf", "pid " + d +
                               "/nginx.pid;\n"
                               "error_log " +
                               d +
                               "/error.log info;\n"
                               "events { worker_connections 64; }\n"
                               "http {\n"
                               "  client_body_temp_path " +
                               d +
                               "/tmp/body;\n"
                               "  proxy_temp_path " +
                               d +
                               "/tmp/proxy;\n"
                               "  fastcgi_temp_path " +
                               d +
                               "/tmp/fastcgi;\n"
                               "  uwsgi_temp_path " +
                               d +
                               "/tmp/uwsgi;\n"
                               "  scgi_temp_path " +
                               d +
                               "/tmp/scgi;\n"
                               "  log_format connections '$connection $request_uri $status';\n"
                               "  access_log " +
                               d +
                               "/access.log connections;\n"
                               "  keepalive_requests 10000;\n"
                               "  keepalive_timeout 60s;\n"
                               "  server {\n"
                               "    listen 127.0.0.1:" +
                               std::to_string(port_) +
                               " ssl;\n"
                               "    ssl_certificate " +
                               options.cert_file +
                               ";\n"
                               "    ssl_certificate_key " +
                               options.key_file + ";\n" + client + site +
                               "  }\n"
                               "  server {\n"
                               "    listen 127.0.0.1:" +
                               std::to_string(plain_port_) + ";\n" + site +
                               "  }\n"
                               "}\n");
  // In the foreground, one process (no workers that would drop to another user), its files in
  // the temporary folder.
  process_ = std::make_unique<Process>(
      std::vector<std::string>{nginx, "-p", d, "-c", d + "/nginx.conf", "-e", d + "/error.log",
                               "-g", "daemon off; master_process off;"},
      true);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!(accepts(port_) && accepts(plain_port_))) {
    if (process_->wait(std::chrono::milliseconds(50))) {
      throw std::runtime_error("nginx did not start; it said:\n" + read_all(d + "/error.log"));
    }
    if (std::chrono::steady_clock::now() > until) {
      throw std::runtime_error("nginx did not listen within 20 s; it said:\n" +
                               read_all(d + "/error.log"));
    }
  }
}

NginxServer::~NginxServer() {
  if (process_) {
    process_->kill();
    process_->wait();
  }
}

void NginxServer::serve(const std::string& path, const std::string& body) {
  dir_.write("www" + path, body);
}

int NginxServer::requests() const {
  std::istringstream log(read_all(dir_.path() + "/access.log"));
  int count = 0;
  for (std::string line; std::getline(log, line);) ++count;
  return count;
}

void NginxServer::wait_for_requests(int count) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (requests() < count && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int NginxServer::connections() const {
  std::istringstream log(read_all(dir_.path() + "/access.log"));
  std::set<std::string> seen;
  for (std::string line; std::getline(log, line);) seen.insert(line.substr(0, line.find(' ')));
  return static_cast<int>(seen.size());
}

}  // namespace healthchecks::testing
