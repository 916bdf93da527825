// What the router reads of a request: method, target and a view of the header fields.
// Adapters fill it from their own request type without copying; Fields holds header fields for
// callers that have no request type of their own (tests, other servers).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "healthchecks/export.hpp"

namespace healthchecks {

/// Read access to the header fields of a request; adapters implement it over their own type.
class HEALTHCHECKS_EXPORT Headers {
 public:
  virtual ~Headers() = default;
  /// The value of the first field named `name` (case-insensitive), or nullopt.
  virtual std::optional<std::string_view> find(std::string_view name) const = 0;
};

/// Header fields held by value, in the order they were added, for a Request built by hand:
///
///     healthchecks::Fields fields{{"Authorization", "Bearer " + token}};
///     fields.add("X-Healthchecks-Hops", "2");
///     router.handle(healthchecks::Request("GET", "/status/about", fields));
class HEALTHCHECKS_EXPORT Fields final : public Headers {
 public:
  Fields() = default;
  /// The fields `{name, value}`, in this order.
  Fields(std::initializer_list<std::pair<std::string, std::string>> fields);

  /// Adds a field after the others; a name may repeat (find answers the first).
  void add(std::string name, std::string value);
  /// The value of the first field named `name`, compared case-insensitively as HTTP does.
  std::optional<std::string_view> find(std::string_view name) const override;

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  /// The fields `{name, value}`, in the order they were added.
  const std::vector<std::pair<std::string, std::string>>& all() const noexcept { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// What a transport knows of the client apart from its request: its address and, over https
/// with client certificates, whether the one it presented was verified. Adapters copy it into
/// the Request. Views: what they refer to must outlive the call that takes them.
struct ClientInfo {
  /// The client's address as text; may be empty.
  std::string_view address;
  /// True when the client presented a certificate that the server's client CA verified.
  bool certificate_verified = false;
  /// That certificate's subject (RFC 2253, e.g. "CN=prober,O=ops"); empty without one.
  std::string_view certificate_subject;
};

/// A request as the router sees it. Everything is a view: what it refers to (the strings and
/// the header fields) must outlive the call that takes it, but not the answer (the router copies
/// what it keeps).
struct Request {
  Request() = default;
  /// @param method         "GET", "HEAD", ...
  /// @param target         origin-form target, e.g. "/status/aggregate?type=internal"
  /// @param headers        the request's header fields, or nullptr for none
  /// @param remote_address the client's address as text, for access rules; may be empty
  Request(std::string_view method, std::string_view target, const Headers* headers = nullptr,
          std::string_view remote_address = {});
  /// The same with header fields that are always there, e.g. a Fields.
  Request(std::string_view method, std::string_view target, const Headers& headers,
          std::string_view remote_address = {});

  std::string_view method = "GET";
  /// Origin-form target: path and optional query, e.g. "/status/aggregate?type=internal".
  std::string_view target;
  /// Header fields, or nullptr when the caller has none to offer.
  const Headers* headers = nullptr;
  /// The client's address as text, for access rules; may be empty.
  std::string_view remote_address;
  /// True when the client presented a TLS certificate that the server's client CA verified
  /// (mutual TLS); the router then shows it details, whatever allow_details and redact say.
  bool client_certificate_verified = false;
  /// The subject of that certificate (RFC 2253, e.g. "CN=prober,O=ops"), for allow_details
  /// hooks and logs; empty when there is none.
  std::string_view client_certificate_subject;

  /// Convenience for `headers->find(name)` that tolerates a null `headers`.
  std::optional<std::string_view> header(std::string_view name) const {
    return headers != nullptr ? headers->find(name) : std::nullopt;
  }
};

// Defined here rather than in the class so that the parameters above can carry the members'
// names without shadowing them.
inline Request::Request(std::string_view method_in, std::string_view target_in,
                        const Headers* headers_in, std::string_view remote_address_in)
    : method(method_in),
      target(target_in),
      headers(headers_in),
      remote_address(remote_address_in) {}
inline Request::Request(std::string_view method_in, std::string_view target_in,
                        const Headers& headers_in, std::string_view remote_address_in)
    : Request(method_in, target_in, &headers_in, remote_address_in) {}

}  // namespace healthchecks
