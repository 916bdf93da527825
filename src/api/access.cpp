#include "healthchecks/access.hpp"

#include <cstddef>
#include <utility>

namespace healthchecks {

std::function<bool(const Request&)> bearer_token(std::string token) {
  return [expected = "Bearer " + std::move(token)](const Request& request) {
    const auto given = request.header("Authorization");
    if (!given || given->size() != expected.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      difference |= static_cast<unsigned char>((*given)[i] ^ expected[i]);
    }
    return difference == 0;
  };
}

}  // namespace healthchecks
