// A service that uses the library as a consumer would; built by the packaging tests.
#include <iostream>

#include <healthchecks.hpp>

int main() {
  healthchecks::Registry registry;
  registry.add({"Database", "db", "internal", [] { return true; }});
  healthchecks::Router router(registry);
  const auto answer = router.handle("GET", "/status/aggregate");
  std::cout << answer.body << '\n';
  return answer.body == R"(["OK"])" ? 0 : 1;
}
