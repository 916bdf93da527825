// End to end with a real Prometheus server (Debian prometheus), started on loopback: it scrapes a
// sidecar's /status/metrics every second, and its HTTP API shows a dependency's level change
// once the check changes its answer. Label `prometheus` (the g++ CI leg only).
#include <cctype>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/prometheus_tools.hpp"
#include "support/servers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks {
namespace {

using testing::http_get;

// A real Prometheus with its own storage and log in `dir`, scraping `target` every second.
class PrometheusServer {
 public:
  PrometheusServer(const testing::TempDir& dir, unsigned short target)
      : port_(testing::free_port()) {
    const auto prometheus = testing::require_program("prometheus", "prometheus");
    const auto config = dir.write("prometheus.yml",
                                  "global:\n"
                                  "  scrape_interval: 1s\n"
                                  "  scrape_timeout: 900ms\n"
                                  "scrape_configs:\n"
                                  "  - job_name: sidecar\n"
                                  "    metrics_path: /status/metrics\n"
                                  "    static_configs:\n"
                                  "      - targets: ['127.0.0.1:" +
                                      std::to_string(target) + "']\n");
    log_ = dir.path() + "/prometheus.log";
    // Its log goes to a file: a pipe nobody reads could fill and stop it.
    process_ = std::make_unique<testing::Process>(std::vector<std::string>{
        "/bin/sh", "-c",
        "exec \"$0\" --config.file=\"$1\" --storage.tsdb.path=\"$2\" "
        "--web.listen-address=127.0.0.1:\"$3\" 2>\"$4\"",
        prometheus, config, dir.path() + "/data", std::to_string(port_), log_});
  }
  unsigned short port() const { return port_; }
  const std::string& log() const { return log_; }

  // The value of the one sample `query` selects, or "" while there is none (or Prometheus is
  // not up yet).
  std::string value(const std::string& query) const {
    const auto reply = http_get(port_, "/api/v1/query?query=" + escape(query));
    if (reply.status != 200) return {};
    const auto answer = nlohmann::json::parse(reply.body, nullptr, false);
    if (answer.is_discarded() || !answer.contains("data")) return {};
    const auto& result = answer["data"]["result"];
    if (!result.is_array() || result.size() != 1) return {};
    return result[0]["value"][1].get<std::string>();
  }

 private:
  static std::string escape(const std::string& text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
      if (std::isalnum(c) || c == '_' || c == '.' || c == '-') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }

  unsigned short port_;
  std::string log_;
  std::unique_ptr<testing::Process> process_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Polls `query` until it reads `expected`, for at most `limit`; returns what it read last.
std::string wait_for(const PrometheusServer& prometheus, const std::string& query,
                     const std::string& expected, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  std::string seen;
  while (std::chrono::steady_clock::now() < until) {
    try {
      seen = prometheus.value(query);
    } catch (const std::exception&) {  // not listening yet
      seen.clear();
    }
    if (seen == expected) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return seen;
}

TEST(PrometheusServer, SeesADependencyChangeLevel) {
  testing::TempDir dir;
  const auto sidecar_port = testing::free_port();
  const auto flag = dir.path() + "/down";
  const auto config =
      dir.write("svc.json", R"({"listen": "127.0.0.1:)" + std::to_string(sidecar_port) +
                                R"(", "metrics": true, "checks": [
        {"name": "Flag \"file\"", "slug": "flag", "check": "command", "intervalMs": 200,
         "argv": ["/bin/sh", "-c", "if test -e ')" +
                                flag + R"('; then echo down; exit 2; fi; echo up"]}]})");
  testing::Process sidecar({HEALTHCHECKS_SIDECAR_PATH, "--config", config});
  testing::wait_until_serving(sidecar);
  PrometheusServer prometheus(dir, sidecar_port);

  const std::string ok = R"(healthchecks_dependency_status{slug="flag",level="OK"})";
  const std::string crit = R"(healthchecks_dependency_status{slug="flag",level="CRIT"})";
  ASSERT_EQ(wait_for(prometheus, ok, "1", std::chrono::seconds(15)), "1")
      << "Prometheus never saw the dependency OK; its log:\n"
      << read_file(prometheus.log());
  // The label values arrive unescaped.
  EXPECT_EQ(prometheus.value(R"(healthchecks_dependency_status{name="Flag \"file\"",level="OK"})"),
            "1");

  dir.write("down", "");
  EXPECT_EQ(wait_for(prometheus, crit, "1", std::chrono::seconds(10)), "1");
  EXPECT_EQ(prometheus.value(ok), "0");
  EXPECT_EQ(prometheus.value(R"(healthchecks_aggregate_status{level="CRIT"})"), "1");
  EXPECT_EQ(prometheus.value(R"(healthchecks_level_changes_total{slug="flag"})"), "1");
}

}  // namespace
}  // namespace healthchecks
