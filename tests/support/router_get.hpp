// A GET through a Router, with optional header fields: what the router tests send.
#pragma once

#include <string_view>

#include "healthchecks/request.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/router.hpp"

namespace healthchecks::testing {

inline Response get(const Router& router, std::string_view target,
                    const Headers* headers = nullptr) {
  return router.handle(Request("GET", target, headers));
}

}  // namespace healthchecks::testing
