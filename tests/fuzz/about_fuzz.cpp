// Fuzz target: the about-file reader. Anything is either an About or an Error naming the
// problem; never a crash, never another exception.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "healthchecks/about.hpp"
#include "healthchecks/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto about = healthchecks::parse_about(text, "fuzz.json");
    if (!about.custom_data.is_object()) std::abort();
  } catch (const healthchecks::Error& e) {
    if (e.category() != "about") std::abort();
  }
  return 0;
}
