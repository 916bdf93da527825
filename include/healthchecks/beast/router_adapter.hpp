// Embeds the Router into a Boost.Beast server: an http::request in, an http::response out.
// The only public header that includes Beast; everything else stays transport-free.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "healthchecks/export.hpp"
#include "healthchecks/request.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks::beast {

namespace http = boost::beast::http;

/// The response type the adapter produces.
using response = http::response<http::string_body>;

/// Any Beast request with the default fields (whatever its body) converts to this.
using request_header = http::request_header<>;

/// Answers `request` if it lies under the router's base path, blocking until the checks are
/// done; nullopt means "not mine", so the host server goes on with its own routes.
///
///     if (auto res = healthchecks::beast::handle(router, req)) return *res;
HEALTHCHECKS_EXPORT std::optional<response> handle(const Router& router,
                                                   const request_header& request,
                                                   std::string_view remote_address = {});

/// The same for a connection that knows more of its client than its address (over https: the
/// client certificate, see ClientInfo).
HEALTHCHECKS_EXPORT std::optional<response> handle(const Router& router,
                                                   const request_header& request,
                                                   const ClientInfo& client);

/// Asynchronous form: returns false at once if the request is not the router's (and never
/// calls `done`); otherwise calls `done` exactly once, inline or from a registry thread, and
/// never blocks the caller. Post the write back to your connection's executor.
///
/// @note `request` need only live until this call returns.
HEALTHCHECKS_EXPORT bool async_handle(const Router& router, const request_header& request,
                                      std::function<void(response)> done,
                                      std::string_view remote_address = {});

/// The same for a connection that knows more of its client than its address (see ClientInfo).
HEALTHCHECKS_EXPORT bool async_handle(const Router& router, const request_header& request,
                                      std::function<void(response)> done, const ClientInfo& client);

/// Copies a router Response into a Beast response that matches `request`: same HTTP version,
/// its keep-alive, a Date field, and for HEAD the length of the body without the body.
HEALTHCHECKS_EXPORT response to_beast(Response answer, const request_header& request);

}  // namespace healthchecks::beast
