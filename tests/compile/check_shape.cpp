// Compiled by tests/cmake/compile_fails.cmake, once per SHAPE: each wrong shape of check must
// stop with Check's static_assert (the accepted signatures), not with an overload error.
#include "healthchecks/status_endpoint.hpp"

using healthchecks::CheckContext;
using healthchecks::Status;
using healthchecks::StatusEndpoint;

int main() {
#if SHAPE == 0  // the control: a good check compiles
  StatusEndpoint endpoint{"Queue", "queue", [](const CheckContext&) { return Status::ok(); }};
#elif SHAPE == 1  // returns int
  StatusEndpoint endpoint{"Queue", "queue", [] { return 1; }};
#elif SHAPE == 2  // returns nothing
  StatusEndpoint endpoint{"Queue", "queue", [] {}};
#elif SHAPE == 3  // takes a context it could change
  StatusEndpoint endpoint{"Queue", "queue", [](CheckContext&) { return true; }};
#elif SHAPE == 4  // takes the wrong arguments
  StatusEndpoint endpoint{"Queue", "queue", [](int, int) { return true; }};
#elif SHAPE == 5  // an asynchronous check passed as a synchronous one
  StatusEndpoint endpoint{"Queue", "queue", [](const CheckContext&, healthchecks::Completion) {}};
#endif
  return endpoint.check ? 0 : 1;
}
