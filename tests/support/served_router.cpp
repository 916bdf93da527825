#include "support/served_router.hpp"

namespace healthchecks::testing {

bool built_with_httplib() {
#ifdef HEALTHCHECKS_TEST_HTTPLIB
  return true;
#else
  return false;
#endif
}

std::vector<Adapter> adapters() {
  std::vector<Adapter> all{{"Beast", serve_with_beast}, {"Recipe", serve_with_recipe}};
#ifdef HEALTHCHECKS_TEST_HTTPLIB
  all.push_back({"HttplibMount", serve_with_httplib_mount});
  all.push_back({"HttplibHandle", serve_with_httplib_handle});
#endif
  return all;
}

}  // namespace healthchecks::testing
