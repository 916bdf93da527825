// How the Server sends the router's answers: written straight from the Response, without a
// Beast message in between (whose fields cost a tenth of an am-i-up, docs/benchmarks.md). The
// bytes are those Beast writes for beast::to_beast()'s message; the adapter tests hold both to it.
#pragma once

#include <functional>
#include <string>

#include "healthchecks/beast/router_adapter.hpp"
#include "healthchecks/response.hpp"

namespace healthchecks::detail {

/// What an answer's head depends on in its request.
struct Framing {
  unsigned version = 11;
  bool keep_alive = true;
  bool head = false;  // HEAD: Content-Length of the body, and no body
};

Framing framing_of(const beast::request_header& request);

/// beast::async_handle without the Beast message: `done` gets the router's answer and its
/// framing (a refused Transfer-Encoding closes the connection). False when the router does not
/// serve the request's target.
bool async_answer(const Router& router, const beast::request_header& request,
                  const ClientInfo& client, std::function<void(Response, Framing)> done);

/// Replaces `out` with the status line and fields of `answer` as Beast writes to_beast()'s
/// message (Content-Type, Date, the answer's headers, Connection, Content-Length), and returns
/// whether a body follows.
bool write_head(std::string& out, const Response& answer, const Framing& framing);

}  // namespace healthchecks::detail
