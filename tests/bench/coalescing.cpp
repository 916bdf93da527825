// coalescing: how many times each check runs when many requests arrive at once. Serves a
// registry of N checks (each takes 50 ms, cached for 2 s) on an embedded server, opens C
// connections, sends /status/aggregate on all of them at once, reads every answer, and prints
// the executions per check.
//
//   coalescing [CONNECTIONS=1000] [CHECKS=100]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "healthchecks.hpp"

namespace hc = healthchecks;
using namespace std::chrono_literals;

int connect_to(unsigned short port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    perror("connect");
    std::exit(1);
  }
  return fd;
}

int main(int argc, char** argv) {
  const int connections = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int checks = argc > 2 ? std::atoi(argv[2]) : 100;
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  std::vector<std::unique_ptr<std::atomic<int>>> executions;
  hc::Registry registry;
  for (int i = 0; i < checks; ++i) {
    executions.push_back(std::make_unique<std::atomic<int>>(0));
    hc::StatusEndpoint endpoint("Check " + std::to_string(i), "check-" + std::to_string(i),
                                "internal", [counter = executions.back().get()] {
                                  ++*counter;
                                  std::this_thread::sleep_for(50ms);
                                  return true;
                                });
    endpoint.cache_ttl = 2000ms;
    registry.add(endpoint);
  }
  hc::Router router(registry);
  hc::Server server(router, {"127.0.0.1", 0, 1});
  server.start();

  std::vector<int> sockets;
  for (int i = 0; i < connections; ++i) sockets.push_back(connect_to(server.port()));
  const std::string request = "GET /status/aggregate HTTP/1.1\r\nHost: bench\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  for (const int fd : sockets) {
    if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      perror("write");
      return 1;
    }
  }
  int ok = 0;
  for (const int fd : sockets) {
    std::string answer;
    char chunk[4096];
    while (answer.find("[\"OK\"]") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 10000) <= 0) break;
      const auto n = read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      answer.append(chunk, static_cast<std::size_t>(n));
    }
    if (answer.rfind("HTTP/1.1 200", 0) == 0 && answer.find("[\"OK\"]") != std::string::npos) ++ok;
    close(fd);
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  int least = executions.front()->load();
  int most = least;
  for (const auto& e : executions) {
    least = std::min(least, e->load());
    most = std::max(most, e->load());
  }
  std::cout << "coalescing: " << ok << "/" << connections << " concurrent aggregate requests "
            << "answered OK in " << took.count() << " ms; executions per check: min " << least
            << ", max " << most << " (" << checks << " checks)" << std::endl;
  server.stop();
  return ok == connections && most == 1 ? 0 : 1;
}
