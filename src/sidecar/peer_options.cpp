// The keys of the checks that call another service: headers, TLS files, the JSON levels of an
// http check, and the grpc kind (which takes "tls" as http does).
#include "sidecar/peer_options.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#ifdef HEALTHCHECKS_HAS_GRPC
#include "healthchecks/checks/grpc.hpp"
#endif
#include "util/json_pointer.hpp"

namespace healthchecks::sidecar {
namespace {

bool header_name(std::string_view name) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";  // RFC 9110 tchar
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

// "headers": {"Authorization": "Bearer ${TOKEN}"}: sent by the check and by every traversal
// through it. Values are credentials: no message quotes one, and each is a secret.
std::vector<std::pair<std::string, std::string>> read_headers(const Reader& r, const json& spec,
                                                              const std::string& where,
                                                              std::vector<std::string>& secrets) {
  std::vector<std::pair<std::string, std::string>> headers;
  const json* object = r.find(spec, "headers");
  if (object == nullptr) return headers;
  const std::string at = Reader::key(where, "headers");
  if (!object->is_object()) {
    r.fail(at, "expected an object such as {\"Authorization\": \"Bearer ${TOKEN}\"}, found " +
                   std::string(object->type_name()));
  }
  // Fields the service writes itself: framing, the hop protocol and the trace context.
  static const std::set<std::string> kReserved = {"host",
                                                  "content-length",
                                                  "transfer-encoding",
                                                  "connection",
                                                  "keep-alive",
                                                  "upgrade",
                                                  "te",
                                                  "trailer",
                                                  "expect",
                                                  "traceparent",
                                                  "tracestate",
                                                  lower(kHopsHeader),
                                                  lower(kViaHeader),
                                                  lower(kDeadlineHeader)};
  std::set<std::string> seen;
  for (const auto& [name, value] : object->items()) {
    const std::string key = Reader::key(at, name);
    if (!header_name(name)) {
      r.fail(key, "expected a header name: letters, digits and !#$%&'*+-.^_`|~");
    }
    if (kReserved.count(lower(name)) != 0) {
      r.fail(key, "the sidecar writes this header itself; it cannot be configured");
    }
    if (!seen.insert(lower(name)).second) {
      r.fail(key, "given twice (header names are case-insensitive)");
    }
    if (!value.is_string()) {
      r.fail(key, "expected a string, found " + std::string(value.type_name()));
    }
    const auto& text = value.get_ref<const std::string&>();
    if (std::any_of(text.begin(), text.end(), [](char c) {
          const auto byte = static_cast<unsigned char>(c);
          return (byte < 0x20 && c != '\t') || byte == 0x7f;
        })) {
      r.fail(key,
             "the value holds a line break or another control character, which a header "
             "cannot carry (the value is not shown: it may be a secret)");
    }
    headers.emplace_back(name, text);
    add_once(secrets, text);
  }
  return headers;
}

// A file named at `key`, relative to the configuration's folder, that must exist at start-up.
std::string existing_file(const Reader& r, const std::string& key, const std::string& name,
                          const std::string& base_dir) {
  if (name.empty() || r.unresolved(key) != nullptr) return name;
  const std::string path = name.front() == '/' || base_dir.empty()
                               ? name
                               : (std::filesystem::path(base_dir) / name).string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    r.fail(key, "expected an existing file, found \"" + name + "\"" +
                    (std::filesystem::exists(path, ec) ? " (not a file)" : " (no such file)"));
  }
  return path;
}

// "tls": {"caFile", "certFile", "keyFile", "minVersion", "insecureSkipVerify"}, for https URLs.
TlsClientOptions read_tls_client(const Reader& r, const json& spec, const std::string& where,
                                 const std::string& base_dir) {
  TlsClientOptions options;
  const json* tls = r.find(spec, "tls");
  if (tls == nullptr) return options;
  const auto at = Reader::key(where, "tls");
  if (!tls->is_object()) {
    r.expected(at, "an object such as {\"caFile\": \"ca.pem\"}", *tls);
  }
  const auto file = [&](const char* name) {
    return existing_file(r, Reader::key(at, name), r.string(*tls, at, name, std::string()),
                         base_dir);
  };
  options.ca_file = file("caFile");
  options.cert_file = file("certFile");
  options.key_file = file("keyFile");
  if (options.cert_file.empty() != options.key_file.empty()) {
    const char* missing = options.cert_file.empty() ? "certFile" : "keyFile";
    r.fail(Reader::key(at, missing), "missing; certFile and keyFile go together");
  }
  if (const json* version = r.find(*tls, "minVersion")) {
    if (*version == "1.3") {
      options.min_version = TlsVersion::tls1_3;
    } else if (*version != "1.2") {
      r.expected(Reader::key(at, "minVersion"), "\"1.2\" or \"1.3\"", *version);
    }
  }
  options.insecure_skip_verify = r.boolean(*tls, at, "insecureSkipVerify", false);
  r.only(*tls, at);
  return options;
}

// "jsonPointer": "/status", "levels": {"green": "OK", "red": "CRIT"}: a value of the JSON answer
// decides the level. Checked here, where the file's keys can be named.
void read_json_levels(const Reader& r, const json& spec, const std::string& where,
                      checks::HttpOptions& options) {
  const json* pointer = r.find(spec, "jsonPointer");
  const json* levels = r.find(spec, "levels");
  if (pointer == nullptr && levels == nullptr) return;
  const std::string pointer_key = Reader::key(where, "jsonPointer");
  const std::string levels_key = Reader::key(where, "levels");
  static const std::string kLevels =
      "an object such as {\"green\": \"OK\", \"yellow\": \"WARN\", \"red\": \"CRIT\"}";
  if (pointer == nullptr) {
    r.fail(pointer_key, "missing; levels need a JSON Pointer such as \"/status\"");
  }
  options.json_pointer = r.string(spec, where, "jsonPointer");
  if (r.unresolved(pointer_key) == nullptr && !detail::parse_json_pointer(options.json_pointer)) {
    r.fail(pointer_key,
           "expected a JSON Pointer (RFC 6901) such as \"/status\" or \"/nodes/0/status\": "
           "\"\" or starting with \"/\", ~1 for / and ~0 for ~ in names; found \"" +
               options.json_pointer + "\"");
  }
  if (levels == nullptr) r.fail(levels_key, "missing; expected " + kLevels);
  if (!levels->is_object() || levels->empty()) r.expected(levels_key, kLevels, *levels);
  for (const auto& [value, level] : levels->items()) {
    const auto parsed =
        level.is_string() ? parse_level(level.get_ref<const std::string&>()) : std::nullopt;
    if (!parsed) r.expected(Reader::key(levels_key, value), "\"OK\", \"WARN\" or \"CRIT\"", level);
    options.levels.emplace_back(value, *parsed);
  }
  // What levels replace, named by the file's keys rather than by checks::http's objection.
  if (options.method == "HEAD") {
    r.fail(Reader::key(where, "method"), "expected \"GET\" with levels: a HEAD answer has no body");
  }
  for (const char* replaced : {"expectStatus", "bodyContains"}) {
    if (r.find(spec, replaced) != nullptr) {
      r.fail(Reader::key(where, replaced),
             "does not go with levels: the value at jsonPointer decides, whatever the status "
             "and body");
    }
  }
}

// "grpc": "target", "service", and "tls" as for http, less what gRPC cannot do.
Check grpc_check(const Reader& r, const json& spec, const std::string& where,
                 const std::string& base_dir) {
#ifdef HEALTHCHECKS_HAS_GRPC
  checks::GrpcCheckOptions options;
  options.service = r.string(spec, where, "service", std::string());
  if (const json* tls = r.find(spec, "tls"); tls != nullptr && tls->is_object()) {
    const std::pair<const char*, const char*> refused[] = {
        {"minVersion", "set the oldest TLS version (it speaks TLS 1.2 and 1.3)"},
        {"insecureSkipVerify", "skip verification (give the server's CA in caFile)"}};
    for (const auto& [key, what] : refused) {
      if (r.find(*tls, key) != nullptr) {
        r.fail(Reader::key(Reader::key(where, "tls"), key),
               std::string("gRPC 1.51's stable API cannot ") + what + "; remove the key");
      }
    }
  }
  options.use_tls = r.find(spec, "tls") != nullptr;
  options.tls = read_tls_client(r, spec, where, base_dir);
  return checks::grpc(r.string(spec, where, "target"), options);
#else
  (void)spec, (void)base_dir;
  r.fail(Reader::key(where, "check"),
         "this sidecar was built without gRPC; install libgrpc++-dev protobuf-compiler "
         "protobuf-compiler-grpc and rebuild");
#endif
}

}  // namespace healthchecks::sidecar
