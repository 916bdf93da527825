// Fuzz target: the sidecar's configuration reader. A file is a Config or an Error naming the
// file and what is wrong; never a crash, never another exception.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "healthchecks/error.hpp"
#include "sidecar/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)healthchecks::sidecar::parse_config(text, "fuzz.json", "/nonexistent");
  } catch (const healthchecks::Error& e) {
    if (e.category() != "config") std::abort();
  }
  return 0;
}
