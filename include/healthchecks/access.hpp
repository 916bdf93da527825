// Who may see details: ready-made RouterOptions::allow_details hooks.
#pragma once

#include <functional>
#include <string>

#include "healthchecks/export.hpp"
#include "healthchecks/request.hpp"

namespace healthchecks {

/// True for a request whose `Authorization` header is exactly `Bearer <token>`, compared in
/// constant time (a timing difference must not tell an attacker how much of a guess was right).
/// For RouterOptions::allow_details:
///
///     options.allow_details = bearer_token(std::getenv("STATUS_TOKEN"));
HEALTHCHECKS_EXPORT std::function<bool(const Request&)> bearer_token(std::string token);

}  // namespace healthchecks
