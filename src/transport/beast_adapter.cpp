#include "healthchecks/beast/router_adapter.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "transport/framing.hpp"
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

response make_response(Response answer, const detail::Framing& framing) {
  response res{static_cast<http::status>(answer.status), framing.version};
  res.set(http::field::content_type, answer.content_type);
  res.set(http::field::date, detail::http_date());
  for (auto& [name, value] : answer.headers) res.insert(name, value);
  res.keep_alive(framing.keep_alive);
  if (bodiless(answer.status)) return res;
  if (framing.head) {
    res.content_length(answer.body.size());
  } else {
    res.body() = std::move(answer.body);
    res.prepare_payload();
  }
  return res;
}

}  // namespace
}  // namespace beast

namespace detail {

Framing framing_of(const beast::request_header& request) {
  return {request.version(), beast::wants_keep_alive(request),
          request.method() == beast::http::verb::head};
}

bool async_answer(const Router& router, const beast::request_header& request,
                  const ClientInfo& client, std::function<void(Response, Framing)> done) {
  if (!router.matches(beast::view(request.target()))) return false;
  Framing framing = framing_of(request);
  if (auto refused = bad_transfer_encoding(request)) {
    done(std::move(*refused), {framing.version, false, false});
    return true;
  }
  const beast::FieldsView fields(static_cast<const beast::http::fields&>(request));
  // The request may be gone when checks answer: the framing is a copy.
  router.async_handle(
      beast::to_request(request, fields, client),
      [done = std::move(done), framing](Response answer) { done(std::move(answer), framing); });
  return true;
}

bool write_head(std::string& out, const Response& answer, const Framing& framing) {
  namespace http = beast::http;
  const auto status = static_cast<http::status>(answer.status);
  const auto reason = http::obsolete_reason(status);
  out.assign(framing.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out += std::to_string(answer.status);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\nContent-Type: ";
  out += answer.content_type;
  out += "\r\nDate: ";
  out += http_date();
  out += "\r\n";
  for (const auto& [name, value] : answer.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  // As message::keep_alive() words it: HTTP/1.1 says only "close", HTTP/1.0 only "keep-alive".
  if (framing.version >= 11 && !framing.keep_alive) out += "Connection: close\r\n";
  if (framing.version < 11 && framing.keep_alive) out += "Connection: keep-alive\r\n";
  const bool body = !beast::bodiless(answer.status);
  if (body) {
    out += "Content-Length: ";
    out += std::to_string(answer.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  return body && !framing.head;
}

}  // namespace detail

namespace beast {

response to_beast(Response answer, const request_header& request) {
  return make_response(std::move(answer), detail::framing_of(request));
}

std::optional<response> handle(const Router& router, const request_header& request,
                               std::string_view remote_address) {
  return handle(router, request, client_at(remote_address));
}

std::optional<response> handle(const Router& router, const request_header& request,
                               const ClientInfo& client) {
  if (!router.matches(view(request.target()))) return std::nullopt;
  if (auto refused = detail::bad_transfer_encoding(request)) {
    return make_response(std::move(*refused), {request.version(), false, false});
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
  return detail::async_answer(router, request, client,
                              [done = std::move(done)](Response answer, detail::Framing framing) {
                                done(make_response(std::move(answer), framing));
                              });
}

}  // namespace beast
}  // namespace healthchecks
