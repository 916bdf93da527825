// Harness "httplib-synopsis": declarations of the cpp-httplib adapter as the docs list them, in
// a namespace of their own where healthchecks' names are visible (compiled with cpp-httplib's
// pkg-config flags; fails without the component).
#include <healthchecks.hpp>
#include <healthchecks/httplib/router_adapter.hpp>

namespace synopsis {
using namespace healthchecks;

// @SNIPPET@

}  // namespace synopsis
