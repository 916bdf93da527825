#include "checks/mariadb_connector.hpp"

#include <dlfcn.h>

namespace healthchecks::detail {

const Connector& connector() {
  static const Connector api = [] {
    Connector loaded;
    void* library = dlopen("libmariadb.so.3", RTLD_NOW | RTLD_LOCAL);  // kept for the process
    if (library == nullptr) {
      loaded.error =
          std::string("cannot load MariaDB Connector/C (install libmariadb3): ") + dlerror();
      return loaded;
    }
#define HEALTHCHECKS_MARIADB(name)                                                     \
  loaded.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name));            \
  if (loaded.name == nullptr && loaded.error.empty()) {                                \
    loaded.error = "libmariadb.so.3 has no " #name " (a Connector/C older than 3.0?)"; \
  }
    HEALTHCHECKS_MARIADB_FUNCTIONS(HEALTHCHECKS_MARIADB)
#undef HEALTHCHECKS_MARIADB
    // mysql_init would initialise the library on its first call, which is not thread-safe;
    // here it happens once, under the static's guard. (It also sets SIGPIPE to ignored for the
    // process, as every Connector/C client does; its TLS writes may rely on it.)
    if (loaded.error.empty() && loaded.mysql_server_init(0, nullptr, nullptr) != 0) {
      loaded.error = "MariaDB Connector/C failed to initialise";
    }
    return loaded;
  }();
  return api;
}

}  // namespace healthchecks::detail
