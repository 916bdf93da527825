// Harness "synopsis": declarations as the docs list them, compiled in a namespace of their own
// where the library's names (healthchecks, healthchecks::checks, http for Boost.Beast's
// http, std::chrono_literals) are visible. They must be valid C++ and name what exists; they
// are not compared with the headers.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <healthchecks.hpp>
#include <healthchecks/beast/router_adapter.hpp>

namespace synopsis {
using namespace healthchecks;
using namespace healthchecks::checks;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

// @SNIPPET@

}  // namespace synopsis
