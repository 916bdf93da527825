#include "api/target.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>

#include "util/text.hpp"

namespace healthchecks::detail {
namespace {

// What is wrong with a target Boost.URL refused, in words a caller can act on (Boost.URL's own
// messages, such as "leftover", describe its parser).
std::string target_fault(std::string_view target) {
  const auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (std::size_t i = 0; i < target.size(); ++i) {
    const auto c = static_cast<unsigned char>(target[i]);
    if (c == '%') {
      if (i + 2 >= target.size() || !hex(target[i + 1]) || !hex(target[i + 2])) {
        return "'%' at byte " + std::to_string(i + 1) +
               " does not start a percent-encoded byte (two hex digits, e.g. %2F); write a "
               "literal '%' as %25";
      }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' ||
               c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c == '#') {
      return "byte " + std::to_string(i + 1) + " (" +
             (c >= 0x21 && c < 0x7F ? "'" + std::string(1, static_cast<char>(c)) + "'"
                                    : "0x" + std::string(1, "0123456789ABCDEF"[c >> 4]) +
                                          std::string(1, "0123456789ABCDEF"[c & 15])) +
             ") must be percent-encoded";
    }
  }
  if (target.empty() || target.front() != '/') return "it must start with '/'";
  return "it is not an origin-form target (a path, optionally '?' and a query)";
}

}  // namespace

// Go's strconv.ParseBool, as the reference reads ?checkStatus= (anything else reads false).
bool parse_go_bool(std::string_view text) {
  return text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
         text == "True";
}

Response unknown_endpoint(Api api, const std::string& path) {
  return crit_response(api, 404, "Unknown Status endpoint",
                       "Status endpoint does not exist: " + path);
}

std::optional<Response> parse_target(std::string_view target, const std::string& prefix,
                                     const RouterOptions& options, Target& out) {
  if (target.size() > options.max_target_length) {
    return crit_response(Api::v1, 414, "URI too long",
                         "the request target is " + std::to_string(target.size()) +
                             " bytes long; at most " + std::to_string(options.max_target_length) +
                             " are accepted");
  }
  const auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    return crit_response(
        Api::v1, 400, "Bad request",
        "the request target is not a valid URL path and query: " + target_fault(target));
  }
  const std::string_view path = parsed->encoded_path();
  if (path.substr(0, prefix.size()) != prefix) return unknown_endpoint(Api::v1, std::string(path));
  // Decoded segments after the prefix, as Go's r.URL.Path would give them.
  std::vector<std::string> segments;
  std::string decoded_path = prefix;
  for (const auto& piece : split(path.substr(prefix.size()), '/')) {
    const auto encoded = boost::urls::make_pct_string_view(piece);
    if (!encoded) {
      return crit_response(Api::v1, 400, "Bad request", "invalid percent-encoding in the path");
    }
    segments.push_back(encoded->decode());
    if (segments.size() > 1) decoded_path += '/';
    decoded_path += segments.back();
  }

  Api api = Api::v1;
  if (segments.size() == 2 && iequals(segments[0], "v2")) {
    api = Api::v2;
    segments.erase(segments.begin());
  }
  if (segments.size() != 1 || segments[0].empty()) {
    return unknown_endpoint(segments.size() >= 1 && iequals(segments[0], "v2") ? Api::v2 : api,
                            decoded_path);
  }
  if (parsed->params().size() > options.max_query_parameters) {
    return crit_response(Api::v1, 400, "Bad request",
                         std::to_string(parsed->params().size()) + " query parameters; at most " +
                             std::to_string(options.max_query_parameters) + " are accepted");
  }
  for (const auto param : parsed->params(boost::urls::encoding_opts(true))) {
    if (param.key == "tag") {  // repeatable; max_query_parameters bounds how many
      out.tags.push_back(param.value);
      continue;
    }
    auto* slot = param.key == "type"           ? &out.type
                 : param.key == "dependencies" ? &out.dependencies
                 : param.key == "action"       ? &out.action
                 : param.key == "checkStatus"  ? &out.check_status
                                               : nullptr;
    if (slot != nullptr && !*slot) *slot = param.value;
  }
  out.api = api;
  out.name = std::move(segments[0]);
  out.decoded_path = std::move(decoded_path);
  return std::nullopt;
}

}  // namespace healthchecks::detail
