// Fuzz target: what a peer answers. The first two bytes are its HTTP status, the rest its
// body. Reading it must give a status, and whatever the peer sent (any bytes, any JSON), the
// status written back into our own answers must be valid JSON: a peer cannot break our output.
// The check a traversal makes before relaying a body must agree with nlohmann's parser: what
// it passes, nlohmann reads; what nlohmann reads within the depth limit, it passes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "api/peer_answer.hpp"
#include "util/json_input.hpp"
#include "util/json_writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int status = 100 + (data[0] << 8 | data[1]) % 500;
  const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);
  const auto read = healthchecks::detail::read_peer_aggregate("Peer", status, body);
  std::string written;
  healthchecks::detail::append_status_v1(written, read);
  if (!nlohmann::json::accept(written)) std::abort();
  // And any string at all is written as a JSON string.
  std::string quoted;
  healthchecks::detail::append_json_string(quoted, body);
  const auto parsed = nlohmann::json::parse(quoted, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_string()) std::abort();

  std::string relayed = body;
  const auto problem = healthchecks::detail::validate_untrusted_json(relayed);
  if (problem.empty() && !nlohmann::json::accept(relayed)) std::abort();
  // (nlohmann skips a leading byte order mark and stops reading at a NUL byte; Go refuses both,
  // and so do we.)
  const bool bom = body.rfind("\xEF\xBB\xBF", 0) == 0;
  const bool nul = body.find('\0') != std::string::npos;
  if (!problem.empty() && !bom && !nul &&
      healthchecks::detail::find_too_deep(body) == std::string::npos &&
      nlohmann::json::accept(body)) {
    std::abort();
  }
  return 0;
}
