// Harness "any-server": the snippet is in the function that answers one request of a server
// that is not Beast, as in examples/any_server.cpp: `method`, `target` and `peer_address` are
// std::string, `headers` the request's fields as name/value pairs, `router` the service's
// router and send(status, content_type, headers, body) the server's way to answer.
#include <string>
#include <utility>
#include <vector>

#include <healthchecks.hpp>

using Pairs = std::vector<std::pair<std::string, std::string>>;
void send(int status, const std::string& content_type, const Pairs& headers,
          const std::string& body);

void answer(const healthchecks::Router& router, const std::string& method,
            const std::string& target, const Pairs& headers, const std::string& peer_address) {
  // @SNIPPET@
  send(404, "text/plain", {}, "Not Found");
}
