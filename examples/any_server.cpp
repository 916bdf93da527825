// any_server: the Health Checks API in a server the library knows nothing of, here one on bare
// POSIX sockets. Whatever hands over the method, the target and the header fields can do what
// answer() does: the lines marked "the recipe" are those of docs/integrations.md, "Any HTTP
// server". One request per connection, each on a thread of its own; a sketch, not a production
// server.
//
//   build/bin/any_server 8080
//   curl -i localhost:8080/hello              # the service's own route
//   curl -i localhost:8080/status/aggregate   # the Health Checks API
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "healthchecks.hpp"

using Pairs = std::vector<std::pair<std::string, std::string>>;

namespace {

void write_all(int fd, const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t\r");
  return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

// One connection: read the request's head (at most 16 KB), answer, close.
void serve(int fd, std::string peer_address, const healthchecks::Router& router) {
  std::string head;
  char chunk[4096];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16 * 1024) {
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    head.append(chunk, static_cast<std::size_t>(n));
  }
  std::string method, target;
  Pairs headers;
  std::size_t at = head.find("\r\n");
  {
    const std::string line = head.substr(0, at);
    const auto space = line.find(' ');
    const auto second = line.find(' ', space + 1);
    if (at != std::string::npos && space != std::string::npos && second != std::string::npos) {
      method = line.substr(0, space);
      target = line.substr(space + 1, second - space - 1);
    }
  }
  while (at != std::string::npos) {
    const auto next = head.find("\r\n", at + 2);
    const std::string line = head.substr(at + 2, next - at - 2);
    const auto colon = line.find(':');
    if (line.empty() || next == std::string::npos) break;
    if (colon != std::string::npos)
      headers.emplace_back(line.substr(0, colon), trim(line.substr(colon + 1)));
    at = next;
  }

  // The server's way to answer: the status line, the fields, the body (none for HEAD).
  const auto send = [&](int status, const std::string& content_type, const Pairs& fields,
                        const std::string& body) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " \r\nContent-Type: " + content_type +
                      "\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nConnection: close\r\n";
    for (const auto& [name, value] : fields) out += name + ": " + value + "\r\n";
    out += "\r\n";
    if (method != "HEAD") out += body;
    write_all(fd, out);
  };
  if (method.empty()) return send(400, "text/plain", {}, "Bad Request\n");

  [&] {
    // The recipe (docs/integrations.md, "Any HTTP server"):
    if (router.matches(target)) {
      healthchecks::Fields fields;
      for (const auto& [name, value] : headers) fields.add(name, value);
      const healthchecks::Response answer =
          router.handle(healthchecks::Request(method, target, fields, peer_address));
      // Status, Content-Type, the extra headers in order, the body (for HEAD only its length).
      send(answer.status, answer.content_type, answer.headers, answer.body);
      return;
    }

    // The service's own routes.
    if (target == "/hello") return send(200, "text/plain", {}, "hello\n");
    send(404, "text/plain", {}, "Not Found\n");
  }();
}

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 8080;
  if (argc > 2 || port <= 0 || port > 65535) {
    std::cerr << "usage: any_server [PORT]\n  example: any_server 8080\n";
    return 2;
  }

  healthchecks::Registry registry;
  registry.add({"Session store", "sessions", "internal", [] { return true; }});
  const healthchecks::Router router(registry);

  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener < 0 ||
      ::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, SOMAXCONN) != 0) {
    std::cerr << argv[0] << ": cannot listen on 127.0.0.1:" << port << ": " << std::strerror(errno)
              << '\n';
    return 1;
  }
  std::cout << "try: curl -i localhost:" << port << "/status/about" << std::endl;
  for (;;) {
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    const int fd = ::accept(listener, reinterpret_cast<sockaddr*>(&peer), &length);
    if (fd < 0) continue;
    char text[INET_ADDRSTRLEN] = "";
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    std::thread([fd, peer_address = std::string(text), &router] {
      serve(fd, peer_address, router);
      ::close(fd);
    }).detach();
  }
}
