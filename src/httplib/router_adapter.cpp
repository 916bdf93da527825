// The cpp-httplib adapter: compiled in its own library with cpp-httplib's pkg-config flags, so
// that ::httplib's structures are laid out here as in libcpp-httplib.
#include "healthchecks/httplib/router_adapter.hpp"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "healthchecks/request.hpp"
#include "healthchecks/response.hpp"

namespace healthchecks::httplib {
namespace {

// The request's fields as the router reads them. ::httplib::Headers is a multimap ordered
// case-insensitively, so find() gives the first field of that name as Headers promises.
class FieldsView final : public Headers {
 public:
  explicit FieldsView(const ::httplib::Headers& fields) : fields_(fields) {}
  std::optional<std::string_view> find(std::string_view name) const override {
    const auto it = fields_.find(std::string(name));
    if (it == fields_.end()) return std::nullopt;
    return std::string_view(it->second);
  }

 private:
  const ::httplib::Headers& fields_;
};

// cpp-httplib sends no Date; RFC 9110 wants one from a server with a clock.
std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  const auto n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buffer, n);
}

// 1xx, 204 and 304 carry no body; the router never answers them, but a Response may hold them.
bool bodiless(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

// The prefix as an ECMAScript pattern that matches it literally, then anything.
std::string prefix_pattern(std::string_view prefix) {
  std::string pattern;
  for (const char c : prefix) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern + ".*";
}

}  // namespace

bool handle(const Router& router, const ::httplib::Request& request,
            ::httplib::Response& response) {
  // cpp-httplib keeps the raw target apart from the decoded path; the router reads the raw one.
  if (!router.matches(request.target)) return false;
  const FieldsView fields(request.headers);
  Response answer =
      router.handle(Request(request.method, request.target, fields, request.remote_addr));
  response.status = answer.status;
  response.set_header("Date", http_date());
  for (const auto& [name, value] : answer.headers) response.set_header(name, value);
  response.set_header("Content-Type", answer.content_type);
  if (!bodiless(answer.status)) response.body = std::move(answer.body);
  return true;
}

void mount(::httplib::Server& server, const Router& router) {
  // The router answers every method (405 with Allow for those it does not serve), so each gets
  // the route; cpp-httplib gives HEAD to the GET route.
  // A copy: the router is a handle, and the server may outlive the caller's.
  const auto on_request = [router](const ::httplib::Request& request,
                                   ::httplib::Response& response) {
    // The pattern matched the decoded path; a raw target outside the prefix (an encoded
    // slash, say) is nobody's.
    if (!handle(router, request, response)) {
      response.status = 404;
      response.set_content("Not Found", "text/plain; charset=utf-8");
    }
  };
  const std::string pattern = prefix_pattern(router.prefix());
  server.Get(pattern, on_request);
  server.Post(pattern, on_request);
  server.Put(pattern, on_request);
  server.Patch(pattern, on_request);
  server.Delete(pattern, on_request);
  server.Options(pattern, on_request);
}

}  // namespace healthchecks::httplib
