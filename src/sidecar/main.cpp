// healthchecks-sidecar: serves the Health Checks API for a service described in a JSON file,
// for services not written in C++ and for trying the library without writing code.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "healthchecks/version.hpp"
#include "sidecar/config.hpp"
#include "sidecar/line_writer.hpp"
#include "sidecar/log.hpp"

#ifdef HEALTHCHECKS_HAS_GRPC
#include <grpcpp/grpcpp.h>

#include "healthchecks/grpc/health_service.hpp"
#endif

namespace {

using healthchecks::sidecar::LogFormat;

constexpr const char* kUsage =
    "usage: healthchecks-sidecar --config FILE\n"
    "       healthchecks-sidecar --check FILE [--require-env]\n"
    "       healthchecks-sidecar --version | --help\n";

constexpr const char* kHelp =
    "\n"
    "  --config FILE   serve /status/... for the service described in FILE (JSON)\n"
    "  --check FILE    validate FILE, and the about and version files it names, without\n"
    "                  serving or running a check: exit 0 and one line saying so, or exit 2\n"
    "                  and the one-line error serving would print; lists the environment\n"
    "                  variables FILE refers to (${NAME})\n"
    "  --require-env   with --check: an environment variable that is not set is an error\n"
    "  --version       print the version\n"
    "  --help          print this text\n"
    "\n"
    "Top-level keys of FILE (docs/sidecar.md):\n"
    "  listen, threads, about, aboutFile, version, versionFile, checks, statusCodes,\n"
    "  defaultTimeoutMs, firstResult, history, access, dashboard, metrics, maxConnections,\n"
    "  log, tls, drainMs, grpc\n"
    "\n"
    "Check kinds, \"check\" in each of \"checks\" (docs/checks.md):\n"
    "  static    a fixed answer (to try the API, or to stand in for a dependency)\n"
    "  http      any URL (http or https), or a service that speaks the Health Checks API\n"
    "  tcp       a TCP port that accepts connections\n"
    "  redis     PING\n"
    "  memcached version and stats: fill and evictions per second\n"
#ifdef HEALTHCHECKS_HAS_POSTGRES
    "  postgres  connect and SELECT 1\n"
#else
    "  postgres  connect and SELECT 1 (not in this build: it was built without libpq)\n"
#endif
#ifdef HEALTHCHECKS_HAS_MYSQL
    "  mysql     MySQL or MariaDB: connect, then ping or a query\n"
#else
    "  mysql     MySQL or MariaDB: connect, then ping or a query (not in this build: it was\n"
    "            built without MariaDB Connector/C)\n"
#endif
#ifdef HEALTHCHECKS_HAS_GRPC
    "  grpc      grpc.health.v1 Check of a gRPC service (plain or TLS)\n"
#else
    "  grpc      grpc.health.v1 Check of a gRPC service (not in this build: it was built\n"
    "            without gRPC)\n"
#endif
    "  disk      free space\n"
    "  self      the sidecar's own memory and CPU\n"
    "  command   a Nagios-style plugin\n"
    "  tlsCert   a TLS endpoint's certificate: verifies, and days until it expires\n"
    "Every check takes name, slug, type, check, timeoutMs, cacheTtlMs, intervalMs, critical,\n"
    "maxStaleMs, failuresBeforeCrit, successesBeforeOk, tags and componentType.\n"
    "\n"
    "Logs, on standard output: a line when it starts and stops, one per level change of a\n"
    "dependency, one when a check times out or throws (then at most one a minute per check);\n"
    "\"log\": {\"format\": \"json\"} writes JSON lines.\n"
    "\n"
    "With \"tls\" it serves https; SIGHUP reads its certificate files again.\n"
#ifdef HEALTHCHECKS_HAS_GRPC
    "With \"grpc\" it also serves grpc.health.v1.Health (Check and Watch) on a port of its own.\n"
#else
    "\"grpc\" (grpc.health.v1.Health) is not in this build: it was built without gRPC.\n"
#endif
    "With \"drainMs\", SIGTERM first drains: aggregate answers 503 (am-i-up stays 200) for\n"
    "that long, then it stops; a second SIGTERM, or SIGINT, stops at once.\n"
    "\n"
    "example: healthchecks-sidecar --config examples/demo/demo-app.json\n";

#ifdef HEALTHCHECKS_HAS_GRPC
// The "grpc" key: the health service on a port of its own, stopped before the registry goes.
class GrpcServing {
 public:
  GrpcServing(healthchecks::Registry& registry, const healthchecks::sidecar::GrpcListen& listen)
      : service_(registry, options(listen)) {
    const std::string host =
        listen.address.find(':') != std::string::npos ? "[" + listen.address + "]" : listen.address;
    grpc::ServerBuilder builder;
    // One server per port, as the HTTP one: gRPC would otherwise share a port another process
    // listens on (SO_REUSEPORT) and get half its calls.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    int port = 0;
    builder.AddListeningPort(host + ":" + std::to_string(listen.port),
                             grpc::InsecureServerCredentials(), &port);
    service_.add_to(builder);
    server_ = builder.BuildAndStart();
    if (!server_ || port == 0) {
      throw healthchecks::Error("grpc", "cannot listen on " + host + ":" +
                                            std::to_string(listen.port) +
                                            " (is the port in use? see \"grpc\".\"listen\")");
    }
    address_ = host + ":" + std::to_string(port);
  }
  GrpcServing(const GrpcServing&) = delete;
  GrpcServing& operator=(const GrpcServing&) = delete;
  // Calls in flight get a moment to finish; open Watch streams are then cancelled.
  ~GrpcServing() {
    if (server_)
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  }
  const std::string& address() const { return address_; }

 private:
  static healthchecks::GrpcHealthOptions options(const healthchecks::sidecar::GrpcListen& listen) {
    healthchecks::GrpcHealthOptions options;
    options.warn_is_serving = listen.warn_is_serving;
    return options;
  }
  healthchecks::GrpcHealthService service_;  // outlives the server
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};
#endif

int usage_error(const std::string& message) {
  std::cerr << "healthchecks-sidecar: " << message << "\n" << kUsage;
  return 2;
}

int config_error(const healthchecks::Error& e) {
  std::cerr << "healthchecks-sidecar: " << e.what() << '\n';
  return 2;
}

// The variables a config refers to, those not set here marked: "A, B (not set here)".
std::string environment_list(const healthchecks::sidecar::Config& config) {
  std::string list;
  for (const auto& name : config.environment) {
    if (!list.empty()) list += ", ";
    list += name;
    for (const auto& missing : config.missing_environment) {
      if (missing == name) list += " (not set here)";
    }
  }
  return list;
}

// --check: the file read as serving reads it (its about and version files, its registration),
// with no port bound and no check run.
int check(const std::string& path, bool require_env) {
  healthchecks::sidecar::Config config;
  try {
    healthchecks::sidecar::LoadOptions options;
    options.require_env = require_env;
    config = healthchecks::sidecar::load_config(path, options);
  } catch (const healthchecks::Error& e) {
    return config_error(e);
  }
  const auto checks = config.endpoints.size();
  std::cout << path << ": OK, " << checks << (checks == 1 ? " check" : " checks");
  if (!config.environment.empty()) std::cout << "; environment: " << environment_list(config);
  std::cout << std::endl;
  return 0;
}

int serve(const std::string& path, const sigset_t& signals) {
  healthchecks::sidecar::Config config;
  try {
    config = healthchecks::sidecar::load_config(path);
  } catch (const healthchecks::Error& e) {
    return config_error(e);
  }

  // Lines are written on a thread of their own: a reader of standard output that falls behind
  // must not hold up the threads that run checks. They wait for the "serving" line.
  const LogFormat format = config.log.format;
  healthchecks::sidecar::LineWriter writer(STDOUT_FILENO, 10000, [format](std::uint64_t lines) {
    return healthchecks::sidecar::format_dropped(format, std::chrono::system_clock::now(), lines);
  });
  auto logger = std::make_shared<healthchecks::sidecar::Logger>(
      config.log, [&writer](std::string line) { writer.push(std::move(line)); });
  logger->mask_secrets(config.registry.secrets);
  writer.start([logger] { logger->tick(); });
  // Alongside whatever the config set (its history is kept by the registry itself).
  auto& registry_options = config.registry;
  registry_options.on_change = [logger, then = std::move(registry_options.on_change)](
                                   const healthchecks::StatusChange& change) {
    if (then) then(change);
    logger->change(change);
  };
  registry_options.on_problem = [logger, then = std::move(registry_options.on_problem)](
                                    const healthchecks::CheckProblem& problem) {
    if (then) then(problem);
    logger->problem(problem);
  };

  int code = 0;
  try {
    healthchecks::Registry registry(config.about, config.registry);
    for (auto& endpoint : config.endpoints) registry.add(std::move(endpoint));
    healthchecks::Router router(registry, config.router);
    healthchecks::Server server(router, config.server);
    server.start();
#ifdef HEALTHCHECKS_HAS_GRPC
    std::optional<GrpcServing> grpc;
    if (config.grpc) grpc.emplace(registry, *config.grpc);
#endif
    const std::string url = (config.server.tls ? "https://" : "http://") + config.server.address +
                            ":" + std::to_string(server.port()) + config.router.base_path + "/";
    writer.release(healthchecks::sidecar::format_start(
        format, std::chrono::system_clock::now(),
        healthchecks::sidecar::mask(registry.about().id, config.registry.secrets), url,
        registry.endpoints().size()));
#ifdef HEALTHCHECKS_HAS_GRPC
    if (grpc) {
      logger->write(healthchecks::sidecar::format_grpc_start(
          format, std::chrono::system_clock::now(), grpc->address()));
    }
#endif

    // SIGHUP reads the TLS files again (rotated certificates); the others stop.
    const auto reload = [&] {
      std::string error = "no \"tls\" in the configuration, nothing to reload";
      if (config.server.tls) {
        try {
          server.reload_tls();
          error.clear();
        } catch (const healthchecks::Error& e) {
          error = e.message();
        }
      }
      logger->write(healthchecks::sidecar::format_tls_reload(
          format, std::chrono::system_clock::now(), error));
    };
    int signal = 0;
    while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) reload();
    // SIGTERM with "drainMs" (what Kubernetes sends before it kills): out of rotation first,
    // serving on while the load balancers notice; SIGINT, or a second signal, stops at once.
    if (signal == SIGTERM && config.drain.count() > 0) {
      registry.set_ready(false);
      logger->write(healthchecks::sidecar::format_drain(format, std::chrono::system_clock::now(),
                                                        strsignal(signal), config.drain));
      const auto end = std::chrono::steady_clock::now() + config.drain;
      for (;;) {
        const auto left = end - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) break;
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(left);
        timespec timeout{};
        timeout.tv_sec = static_cast<time_t>(seconds.count());
        timeout.tv_nsec = static_cast<long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(left - seconds).count());
        const int got = sigtimedwait(&signals, nullptr, &timeout);
        if (got == SIGHUP) {
          reload();
        } else if (got > 0) {
          signal = got;
          break;
        }  // else the time is up, or an interruption: the loop decides
      }
    }
    // The last line: checks that run on while the server and registry stop are not told.
    logger->close(healthchecks::sidecar::format_stop(format, std::chrono::system_clock::now(),
                                                     strsignal(signal)));
#ifdef HEALTHCHECKS_HAS_GRPC
    grpc.reset();
#endif
    server.stop();
  } catch (const healthchecks::Error& e) {
    std::cerr << "healthchecks-sidecar: " << e.what() << '\n';
    code = 1;
  }
  logger->close();  // a check that outlives the registry has nobody left to tell
  writer.stop();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::string check_path;
  bool require_env = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    // "--config FILE" or "--config=FILE" (and the same for --check).
    const auto value = [&](const std::string& option) -> std::optional<std::string> {
      if (arg == option) {
        if (i + 1 == argc) return std::string();
        return std::string(argv[++i]);
      }
      if (arg.rfind(option + "=", 0) == 0) return arg.substr(option.size() + 1);
      return std::nullopt;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage << kHelp;
      return 0;
    }
    if (arg == "--version") {
      std::cout << "healthchecks-sidecar " << HEALTHCHECKS_VERSION_STRING << std::endl;
      return 0;
    }
    if (arg == "--require-env") {
      require_env = true;
    } else if (const auto config_file = value("--config")) {
      if (config_file->empty()) return usage_error("--config needs a FILE");
      if (!config_path.empty()) return usage_error("--config is given twice");
      config_path = *config_file;
    } else if (const auto check_file = value("--check")) {
      if (check_file->empty()) return usage_error("--check needs a FILE");
      if (!check_path.empty()) return usage_error("--check is given twice");
      check_path = *check_file;
    } else {
      return usage_error("unknown argument '" + arg + "'");
    }
  }
  if (!config_path.empty() && !check_path.empty()) {
    return usage_error("give --config FILE or --check FILE, not both");
  }
  if (require_env && check_path.empty()) {
    return usage_error("--require-env goes with --check FILE (serving always requires them)");
  }
  if (!check_path.empty()) return check(check_path, require_env);
  if (config_path.empty()) return usage_error("--config FILE is required");

  // Signals are taken by sigwait in serve(), not by whichever thread they happen to hit; every
  // thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return serve(config_path, signals);
}
