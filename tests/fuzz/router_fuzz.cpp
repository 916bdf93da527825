// Fuzz target: the router, with any method, target and header fields. Input: the method, a
// newline, the target, then header lines ("Name: value"). Whatever comes in, the router must
// answer once, with a status from 100 to 599, and with valid JSON when it says JSON. Some checks
// answer by the hop headers (X-Healthchecks-Hops, -Via, -Deadline-Ms), and whatever a caller
// sends, what a caller without them reads of a cached one is never changed by it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "healthchecks/registry.hpp"
#include "healthchecks/request.hpp"
#include "healthchecks/router.hpp"

namespace {

using namespace healthchecks;

// Instant checks only: asynchronous, answered inline, so that one input is one quick call.
Check instant(Status status) {
  return Check::async([status](const CheckContext&, Completion done) { done(status); });
}

// Reads CRIT when the request came through other services (hops, or other ids before our own
// in the chain), echoing the chain it was given into its details; OK for a caller without hop
// headers. What a caller's chain makes it answer must go back to that caller only.
Check hop_aware() {
  return Check::async([](const CheckContext& context, Completion done) {
    if (context.hops == 0 && context.via.find(',') == std::string::npos) {
      done(Status::ok());
      return;
    }
    std::string forwarded;
    for (const auto& [name, value] : context.forward_headers()) {
      forwarded += name + ": " + value + "; ";
    }
    done(Status::crit("hops " + std::to_string(context.hops) + ", via " + context.via +
                      ", time left " + std::to_string(context.time_left().count()) +
                      " ms, forwarding " + forwarded));
  });
}

Registry* make_registry() {
  About about;
  about.id = "fuzzed";
  about.custom_data["note"] = "<&>";
  auto* r = new Registry(about);  // lives as long as the fuzzer
  r->add({"DB", "db", "internal", instant(Status::ok())});
  r->add({"Cache", "cache", "internal", instant(Status::crit("down \"hard\"\n"))});
  StatusEndpoint optional("Search", "search", "external", instant(Status::warn("slow")));
  optional.critical = false;
  optional.cache_ttl = std::chrono::seconds(60);
  r->add(optional);
  StatusEndpoint peer("Peer", "peer", "external", instant(Status::ok()));
  peer.traversable = true;
  peer.traverse = [](const TraverseRequest& hop, std::function<void(TraverseResult)> done) {
    done(TraverseResult{{}, Response{200, "application/json", hop.path.empty() ? "{}" : "[]", {}}});
  };
  r->add(peer);
  r->add({"Hops", "hops", "internal", hop_aware()});
  StatusEndpoint cached("Hops cached", "hops-cached", "internal", hop_aware());
  cached.cache_ttl = std::chrono::seconds(60);
  r->add(cached);
  return r;
}

const Router& router() {
  static Registry* registry = make_registry();
  static RouterOptions options = [] {
    RouterOptions o;
    o.status_codes = {{Level::crit, 503}};
    o.allow_details = [](const Request& request) {
      return request.header("Authorization").has_value();
    };
    return o;
  }();
  static Router router(*registry, options);
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\n');
  const std::string method = input.substr(0, first);
  std::string rest = first == std::string::npos ? std::string() : input.substr(first + 1);
  const auto second = rest.find('\n');
  const std::string target = rest.substr(0, second);
  Fields fields;
  if (second != std::string::npos) {
    std::string_view lines(rest);
    lines.remove_prefix(second + 1);
    while (!lines.empty()) {
      const auto end = std::min(lines.find('\n'), lines.size());
      const auto line = lines.substr(0, end);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        auto value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        fields.add(std::string(line.substr(0, colon)), std::string(value));
      }
      lines.remove_prefix(std::min(end + 1, lines.size()));
    }
  }

  const Response response = router().handle(Request(method, target, &fields));
  if (response.status < 100 || response.status > 599) std::abort();
  if (response.content_type.rfind("application/json", 0) == 0 &&
      !nlohmann::json::accept(response.body)) {
    std::abort();  // we said JSON: it must be JSON, whatever the input was
  }
  // Hop headers change only the answer of the caller that sent them: a plain caller still
  // reads the cached check's own result.
  static const Fields none;
  if (router().handle(Request("GET", "/status/hops-cached", &none)).body != R"(["OK"])") {
    std::abort();
  }
  return 0;
}
