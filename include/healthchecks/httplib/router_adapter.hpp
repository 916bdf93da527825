// Embeds the Router into a cpp-httplib server (::httplib::Server, Debian libcpp-httplib-dev).
// The only public header that includes httplib.h; it belongs to the optional component
// healthchecks::httplib (CMake option HEALTHCHECKS_WITH_HTTPLIB), which compiles with
// cpp-httplib's own pkg-config flags: link that target rather than including this header with
// flags of your own, or ::httplib's structures may be laid out differently on either side.
#pragma once

#include <httplib.h>

#include "healthchecks/router.hpp"

namespace healthchecks::httplib {

/// Answers `request` into `response` if its target lies under the router's base path, blocking
/// the calling thread (one of the server's pool) until the checks are done; false means "not
/// mine", and `response` is left untouched. For servers that route on their own, e.g. from a
/// pre-routing handler:
///
///     server.set_pre_routing_handler([&](const auto& req, auto& res) {
///       return healthchecks::httplib::handle(router, req, res)
///                  ? ::httplib::Server::HandlerResponse::Handled
///                  : ::httplib::Server::HandlerResponse::Unhandled;
///     });
///
/// Copies status, Content-Type, the router's extra headers (Allow, Cache-Control, ...) and the
/// body, and adds Date; for HEAD, cpp-httplib sends the body's length without the body.
bool handle(const Router& router, const ::httplib::Request& request, ::httplib::Response& response);

/// Routes every method under the router's prefix ("/status/...") to handle(), in the order of
/// the server's other routes (cpp-httplib takes the first pattern that matches, so mount before
/// a catch-all of your own). Everything else stays the server's. The routes keep a copy of
/// `router` (a handle to the one router). HEAD comes through cpp-httplib's GET route.
///
///     healthchecks::httplib::mount(server, router);
///     server.Get("/hello", [](const auto&, auto& res) { res.set_content("hello", "text/plain");
///     });
///
/// @note Handlers block a thread of the server's pool while the checks run (at most their
///       deadlines); size the pool (CPPHTTPLIB_THREAD_POOL_COUNT, new_task_queue) for it.
///       cpp-httplib reads a request's body before its handler runs: bound it with
///       set_payload_max_length.
void mount(::httplib::Server& server, const Router& router);

}  // namespace healthchecks::httplib
