#include "healthchecks/beast/router_adapter.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "transport/http_date.hpp"
#include "transport/transfer_encoding.hpp"

namespace healthchecks {
namespace detail {

const std::string& http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    const auto n = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached.assign(buffer, n);
    cached_second = now;
  }
  return cached;
}

// RFC 9112 section 6.3: a request whose Transfer-Encoding does not end in chunked has no
// knowable length; behind a proxy that reads it otherwise, the rest of it would be smuggled in
// as a request of its own. We accept chunked alone. Answered 400 (or 501 for a coding we do
// not know) and the connection closed.
std::optional<Response> bad_transfer_encoding(const beast::request_header& request) {
  const auto field = request.find(beast::http::field::transfer_encoding);
  if (field == request.end()) return std::nullopt;
  std::vector<std::string_view> codings;
  for (const auto token : beast::http::token_list(field->value()))
    codings.push_back(std::string_view(token.data(), token.size()));
  const bool chunked_last = !codings.empty() && boost::beast::iequals(codings.back(), "chunked");
  if (chunked_last && codings.size() == 1 &&
      request.count(beast::http::field::transfer_encoding) == 1)
    return std::nullopt;
  Response answer;
  answer.status = chunked_last ? 501 : 400;
  answer.content_type = "text/plain; charset=utf-8";
  answer.body = std::string(chunked_last ? "501 Not Implemented" : "400 Bad Request") +
                ": Transfer-Encoding '" + std::string(field->value()) +
                "': only 'chunked' is accepted\n";
  return answer;
}

}  // namespace detail

namespace beast {
namespace {

std::string_view view(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

// The request's fields as the router reads them, without copying.
class FieldsView final : public Headers {
 public:
  explicit FieldsView(const http::fields& fields) : fields_(fields) {}
  // A request has a handful of fields: a scan, length first, costs a fraction of the fields'
  // ordered lookup (measured with callgrind).
  std::optional<std::string_view> find(std::string_view name) const override {
    for (const auto& field : fields_) {
      const auto key = field.name_string();
      if (key.size() == name.size() &&
          boost::beast::iequals(key, boost::beast::string_view(name.data(), name.size()))) {
        return view(field.value());
      }
    }
    return std::nullopt;
  }

 private:
  const http::fields& fields_;
};

ClientInfo client_at(std::string_view address) {
  ClientInfo client;
  client.address = address;
  return client;
}

Request to_request(const request_header& request, const FieldsView& fields,
                   const ClientInfo& client) {
  Request out(view(request.method_string()), view(request.target()), &fields, client.address);
  out.client_certificate_verified = client.certificate_verified;
  out.client_certificate_subject = client.certificate_subject;
  return out;
}

// What message::keep_alive() says, read off a bare header (HTTP/1.1 keeps the connection unless
// told "close"; HTTP/1.0 closes it unless told "keep-alive").
bool wants_keep_alive(const request_header& request) {
  bool close = false;
  bool keep = false;
  for (const auto token : http::token_list(request[http::field::connection])) {
    close = close || boost::beast::iequals(token, "close");
    keep = keep || boost::beast::iequals(token, "keep-alive");
  }
  return request.version() >= 11 ? !close : keep;
}

// A status that carries no body (1xx, 204, 304) is sent without one, whatever the Response
// holds: Beast refuses to frame a body there, and its exception would end the process.
bool bodiless(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

response make_response(Response answer, unsigned version, bool keep_alive, bool head) {
  response res{static_cast<http::status>(answer.status), version};
  res.set(http::field::content_type, answer.content_type);
  res.set(http::field::date, detail::http_date());
  for (auto& [name, value] : answer.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  if (bodiless(answer.status)) return res;
  if (head) {
    res.content_length(answer.body.size());
  } else {
    res.body() = std::move(answer.body);
    res.prepare_payload();
  }
  return res;
}

}  // namespace

response to_beast(Response answer, const request_header& request) {
  return make_response(std::move(answer), request.version(), wants_keep_alive(request),
                       request.method() == http::verb::head);
}

std::optional<response> handle(const Router& router, const request_header& request,
                               std::string_view remote_address) {
  return handle(router, request, client_at(remote_address));
}

std::optional<response> handle(const Router& router, const request_header& request,
                               const ClientInfo& client) {
  if (!router.matches(view(request.target()))) return std::nullopt;
  if (auto refused = detail::bad_transfer_encoding(request)) {
    return make_response(std::move(*refused), request.version(), false, false);
  }
  const FieldsView fields(static_cast<const http::fields&>(request));
  return to_beast(router.handle(to_request(request, fields, client)), request);
}

bool async_handle(const Router& router, const request_header& request,
                  std::function<void(response)> done, std::string_view remote_address) {
  return async_handle(router, request, std::move(done), client_at(remote_address));
}

bool async_handle(const Router& router, const request_header& request,
                  std::function<void(response)> done, const ClientInfo& client) {
  if (!router.matches(view(request.target()))) return false;
  if (auto refused = detail::bad_transfer_encoding(request)) {
    done(make_response(std::move(*refused), request.version(), false, false));
    return true;
  }
  const FieldsView fields(static_cast<const http::fields&>(request));
  // What to_beast needs of the request, copied: the request may be gone when checks answer.
  const bool head = request.method() == http::verb::head;
  const unsigned version = request.version();
  const bool keep_alive = wants_keep_alive(request);
  router.async_handle(to_request(request, fields, client),
                      [done = std::move(done), head, version, keep_alive](Response answer) {
                        done(make_response(std::move(answer), version, keep_alive, head));
                      });
  return true;
}

}  // namespace beast
}  // namespace healthchecks
