// docs/deployment.md's HAProxy and nginx snippets, with Debian's haproxy and nginx: the files
// as the docs show them pass `haproxy -c` and `nginx -t`, and run against sidecars on loopback
// (their addresses and ports replaced, nothing else), they do what the docs say.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using testing::deployment_file;
using testing::DocSidecar;
using testing::free_port;
using ::testing::HasSubstr;
using testing::http_get;
using testing::Process;
using testing::replaced;
using testing::run_command;
using testing::TempDir;
using namespace std::chrono_literals;

std::string tool(const char* path, const char* package) {
  if (access(path, X_OK) != 0) {
    throw std::runtime_error(std::string("the deployment tests need ") + path +
                             ": apt-get install " + package + " (or scripts/install-deps.sh test)");
  }
  return path;
}

// The about.id of whichever instance answered through the proxy.
std::string who_answers(unsigned short proxy) {
  testing::HttpReply reply;
  try {
    reply = http_get(proxy, "/status/about");
  } catch (const std::exception& e) {  // the proxy does not listen yet
    return e.what();
  }
  const auto at = reply.body.find("\"id\":\"");
  if (reply.status != 200 || at == std::string::npos) return "HTTP " + std::to_string(reply.status);
  return reply.body.substr(at + 6, reply.body.find('"', at + 6) - at - 6);
}

std::set<std::string> who_answers(unsigned short proxy, int requests) {
  std::set<std::string> ids;
  for (int i = 0; i < requests; ++i) ids.insert(who_answers(proxy));
  return ids;
}

TEST(Deployment, HaproxyAcceptsTheConfiguration) {
  TempDir dir;
  const auto result = run_command({tool("/usr/sbin/haproxy", "haproxy"), "-c", "-f",
                                   dir.write("haproxy.cfg", deployment_file("haproxy.cfg"))});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("Configuration file is valid"));
}

// Two instances behind the snippet's backend; one gets SIGTERM with drainMs: its readiness
// answers 503, HAProxy's checks take it out of rotation while it still serves, and every request
// goes to the other.
TEST(Deployment, HaproxyTakesADrainingInstanceOutOfRotation) {
  const auto haproxy = tool("/usr/sbin/haproxy", "haproxy");
  DocSidecar::Options one_options;
  one_options.id = "one";
  one_options.drain_ms = 30000;
  DocSidecar one(HEALTHCHECKS_SIDECAR_PATH, one_options);
  DocSidecar::Options two_options;
  two_options.id = "two";
  DocSidecar two(HEALTHCHECKS_SIDECAR_PATH, two_options);
  const auto front = free_port();
  const auto port = [](const DocSidecar& s) { return std::to_string(s.port()); };
  std::string config = deployment_file("haproxy.cfg");
  config = replaced(config, "bind :80", "bind 127.0.0.1:" + std::to_string(front));
  // The app and its sidecar are one process here: traffic and checks go to the sidecar.
  config = replaced(config, "10.0.0.11:8080 check port 8081",
                    "127.0.0.1:" + port(one) + " check port " + port(one));
  config = replaced(config, "10.0.0.12:8080 check port 8081",
                    "127.0.0.1:" + port(two) + " check port " + port(two));
  TempDir dir;
  Process proxy({haproxy, "-db", "-f", dir.write("haproxy.cfg", config)}, true);
  const auto both = std::set<std::string>{"one", "two"};
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (who_answers(front, 4) != both && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(who_answers(front, 4), both) << "round robin over both instances";

  one.process().kill(SIGTERM);
  const auto drained = std::chrono::steady_clock::now();
  ASSERT_THAT(one.process().read_line().value_or(""), HasSubstr("draining for 30000 ms"));
  // inter 2s, fall 2: out within about two intervals of the first 503.
  while (who_answers(front, 6) != std::set<std::string>{"two"} &&
         std::chrono::steady_clock::now() < drained + 10s) {
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(who_answers(front, 10), std::set<std::string>{"two"});
  EXPECT_LT(std::chrono::steady_clock::now() - drained, 8s);
  // Out of rotation, not gone: it still answers whoever asks it directly.
  EXPECT_EQ(http_get(one.port(), "/status/am-i-up").body, "OK");
  EXPECT_EQ(http_get(one.port(), "/status/about").status, 200);
  one.process().kill(SIGTERM);  // the second one stops it at once
  EXPECT_EQ(one.process().wait(3s).value_or(-1), 0);
}

// nginx reads the snippet as Debian installs it: a file of conf.d/, included in http { }.
std::string nginx_main(const TempDir& dir, const std::string& site) {
  const auto& d = dir.path();
  dir.write("tmp/.keep", "");
  return "pid " + d + "/nginx.pid;\nerror_log " + d + "/error.log;\n" +
         "events { worker_connections 64; }\nhttp {\n  access_log off;\n" +
         "  client_body_temp_path " + d + "/tmp/body;\n  proxy_temp_path " + d +
         "/tmp/proxy;\n  fastcgi_temp_path " + d + "/tmp/fastcgi;\n  uwsgi_temp_path " + d +
         "/tmp/uwsgi;\n  scgi_temp_path " + d + "/tmp/scgi;\n  include " +
         dir.write("conf.d/orders.conf", site) + ";\n}\n";
}

TEST(Deployment, NginxAcceptsTheConfiguration) {
  const auto nginx = tool("/usr/sbin/nginx", "nginx");
  TempDir dir;
  const auto main = dir.write("nginx.conf", nginx_main(dir, deployment_file("nginx.conf")));
  const auto result =
      run_command({nginx, "-t", "-p", dir.path(), "-e", dir.path() + "/error.log", "-c", main});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("test is successful"));
}

// Passive checks: with one instance down, every request still gets an answer, from the other.
TEST(Deployment, NginxSendsEveryRequestToTheInstanceThatIsUp) {
  const auto nginx = tool("/usr/sbin/nginx", "nginx");
  DocSidecar::Options options;
  options.id = "one";
  DocSidecar one(HEALTHCHECKS_SIDECAR_PATH, options);
  const auto down = free_port();  // nobody listens
  const auto front = free_port();
  std::string site = deployment_file("nginx.conf");
  site = replaced(site, "listen 80;", "listen 127.0.0.1:" + std::to_string(front) + ";");
  site = replaced(site, "10.0.0.11:8080", "127.0.0.1:" + std::to_string(down));
  site = replaced(site, "10.0.0.12:8080", "127.0.0.1:" + std::to_string(one.port()));
  TempDir dir;
  const auto main = dir.write("nginx.conf", nginx_main(dir, site));
  // In the foreground, one process (no workers that would drop to another user).
  Process proxy({nginx, "-p", dir.path(), "-e", dir.path() + "/error.log", "-c", main, "-g",
                 "daemon off; master_process off;"},
                true);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (who_answers(front) != "one" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(who_answers(front), "one") << "request " << i;
  }
}

}  // namespace
}  // namespace healthchecks
