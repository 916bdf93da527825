// healthchecks-sidecar: serves the Health Checks API for a service described in a JSON file,
// for services not written in C++ and for trying the library without writing code.
#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <iostream>
#include <string>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "healthchecks/router.hpp"
#include "healthchecks/server.hpp"
#include "sidecar/config.hpp"

namespace {

constexpr const char* kUsage =
    "usage: healthchecks-sidecar --config FILE\n"
    "  Serves /status/... for the service described in FILE (JSON; see docs/sidecar.md).\n"
    "  example: healthchecks-sidecar --config examples/demo/demo-app.json\n";

int usage_error(const std::string& message) {
  std::cerr << "healthchecks-sidecar: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(9);
    } else {
      return usage_error("unknown argument '" + arg + "'");
    }
  }
  if (config_path.empty()) return usage_error("--config FILE is required");

  // Signals are taken by sigwait below, not by whichever thread they happen to hit.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  healthchecks::sidecar::Config config;
  try {
    config = healthchecks::sidecar::load_config(config_path);
  } catch (const healthchecks::Error& e) {
    std::cerr << "healthchecks-sidecar: " << e.what() << '\n';
    return 2;
  }

  try {
    healthchecks::Registry registry(config.about, config.registry);
    for (auto& endpoint : config.endpoints) registry.add(std::move(endpoint));
    healthchecks::Router router(registry, config.router);
    healthchecks::Server server(router, config.server);
    server.start();
    std::cout << "healthchecks-sidecar: serving '" << registry.about().id << "' at http://"
              << config.server.address << ":" << server.port() << config.router.base_path << "/ ("
              << registry.endpoints().size()
              << (registry.endpoints().size() == 1 ? " check)" : " checks)") << std::endl;

    int signal = 0;
    sigwait(&signals, &signal);
    std::cout << "healthchecks-sidecar: " << strsignal(signal) << ", stopping" << std::endl;
    server.stop();
  } catch (const healthchecks::Error& e) {
    std::cerr << "healthchecks-sidecar: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
