// A blocking HTTP client for tests: one request per call, on a new or a kept connection.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace healthchecks::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

/// GET (or `method`) http://127.0.0.1:<port><target> on a fresh connection.
HttpReply http_get(unsigned short port, const std::string& target,
                   const std::string& method = "GET",
                   const std::map<std::string, std::string>& headers = {});

/// A kept-alive connection, for tests that need several requests on one socket.
class HttpConnection {
 public:
  explicit HttpConnection(unsigned short port);
  ~HttpConnection();
  HttpReply get(const std::string& target, const std::string& method = "GET",
                const std::map<std::string, std::string>& headers = {});
  /// Sends raw bytes and reads whatever comes back until the peer closes or `timeout_ms`.
  std::string raw(const std::string& bytes, int timeout_ms = 2000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace healthchecks::testing
