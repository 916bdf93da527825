#include "sidecar/config.hpp"

#include <arpa/inet.h>

#include <filesystem>
#include <optional>

#include "healthchecks/access.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/tls.hpp"
#include "sidecar/check_config.hpp"
#include "sidecar/environment.hpp"
#include "sidecar/reader.hpp"
#include "util/json_input.hpp"
#include "util/text.hpp"

namespace healthchecks::sidecar {
namespace {

std::string read_text(const std::string& path, const std::string& what) {
  std::string text;
  if (!detail::read_whole_file(path, text))
    throw Error("config", path + ": cannot read the " + what);
  return text;
}

std::string resolve(const std::string& base_dir, const std::string& name) {
  if (name.empty() || name.front() == '/' || base_dir.empty()) return name;
  return (std::filesystem::path(base_dir) / name).string();
}

// "address:port" as a server binds it: an IP address (none: 127.0.0.1), no host name.
void parse_listen(const Reader& r, const std::string& key, const std::string& text,
                  const char* example, std::string& address_out, unsigned short& port_out) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    r.fail(key, std::string("expected \"address:port\" such as \"") + example + "\", found \"" +
                    text + "\"");
  }
  std::string address = text.substr(0, colon);
  const bool bracketed = address.size() >= 2 && address.front() == '[' && address.back() == ']';
  if (bracketed) address = address.substr(1, address.size() - 2);
  const std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535) {
    r.fail(key, "expected a port from 0 to 65535 after ':', found \"" + port + "\"");
  }
  // The server binds an address; it resolves no names ("localhost:8080" would otherwise fail
  // only when it starts, outside the config's errors).
  unsigned char binary[sizeof(struct in6_addr)];
  if (!address.empty() && inet_pton(bracketed ? AF_INET6 : AF_INET, address.c_str(), binary) != 1) {
    r.fail(key,
           "expected an IP address such as 127.0.0.1 or [::1] before the port (host names are "
           "not resolved), found \"" +
               text.substr(0, colon) + "\"");
  }
  address_out = address.empty() ? "127.0.0.1" : address;
  port_out = static_cast<unsigned short>(std::stoul(port));
}

void read_listen(const Reader& r, const json& doc, ServerOptions& server) {
  server.threads = static_cast<unsigned>(r.integer(doc, "", "threads", 1, 1, 64));
  const std::string text = r.string(doc, "", "listen", std::string("127.0.0.1:8080"));
  if (r.unresolved("listen") != nullptr) return;  // not validated without its variable
  parse_listen(r, "listen", text, "127.0.0.1:8080", server.address, server.port);
}

// The top-level "grpc": the grpc.health.v1 service on a port of its own.
void read_grpc(const Reader& r, const json& doc, [[maybe_unused]] std::optional<GrpcListen>& out) {
  const json* grpc = r.find(doc, "grpc");
  if (grpc == nullptr) return;
#ifndef HEALTHCHECKS_HAS_GRPC
  r.fail("grpc",
         "this sidecar was built without gRPC; build it with -DHEALTHCHECKS_WITH_GRPC=ON "
         "(libgrpc++-dev, protobuf-compiler-grpc) or remove the key");
#else
  if (!grpc->is_object()) {
    r.expected("grpc", "an object {\"listen\": \"127.0.0.1:9090\", \"warn\": \"SERVING\"}", *grpc);
  }
  GrpcListen listen;
  const std::string text = r.string(*grpc, "grpc", "listen");
  if (r.unresolved("grpc.listen") == nullptr) {
    parse_listen(r, "grpc.listen", text, "127.0.0.1:9090", listen.address, listen.port);
  }
  const std::string warn = r.string(*grpc, "grpc", "warn", std::string("SERVING"));
  if (warn != "SERVING" && warn != "NOT_SERVING") {
    r.fail("grpc.warn", "expected \"SERVING\" or \"NOT_SERVING\", found \"" + warn + "\"");
  }
  listen.warn_is_serving = warn == "SERVING";
  r.only(*grpc, "grpc");
  out = listen;
#endif
}

// The top-level "tls": serve https. The files are read here, so that a missing or unusable one
// is the file's error at start-up (and under --check), not a failed handshake later.
void read_tls(const Reader& r, const json& doc, const std::string& base_dir,
              ServerOptions& server) {
  const json* tls = r.find(doc, "tls");
  if (tls == nullptr) return;
  if (!tls->is_object()) {
    r.expected("tls", "an object {\"certFile\": \"...\", \"keyFile\": \"...\"}", *tls);
  }
  TlsServerOptions options;
  options.cert_file = resolve(base_dir, r.string(*tls, "tls", "certFile"));
  options.key_file = resolve(base_dir, r.string(*tls, "tls", "keyFile"));
  const bool client_ca = r.find(*tls, "clientCaFile") != nullptr;
  if (client_ca) options.client_ca_file = resolve(base_dir, r.string(*tls, "tls", "clientCaFile"));
  const std::string mode = r.string(*tls, "tls", "clientCertificate", std::string("optional"));
  if (mode != "required" && mode != "optional") {
    r.fail("tls.clientCertificate",
           "expected \"required\" or \"optional\", found \"" + mode + "\"");
  }
  if (mode == "required" && !client_ca) {
    r.fail("tls.clientCertificate",
           "\"required\" needs \"clientCaFile\", the CA that signs the clients' certificates");
  }
  options.client_certificate =
      mode == "required" ? ClientCertificate::required : ClientCertificate::optional;
  r.only(*tls, "tls");
  server.tls = options;
  static const std::pair<const char*, const char*> kKeys[] = {
      {"cert_file", "certFile"}, {"key_file", "keyFile"}, {"client_ca_file", "clientCaFile"}};
  for (const auto& [option, key] : kKeys) {
    (void)option;
    if (r.unresolved(std::string("tls.") + key) != nullptr) return;  // not validated without it
  }
  try {
    check_tls_files(options);
  } catch (const Error& e) {
    // "tls: key_file '...': expected the private key of the certificate in cert_file '...'",
    // told in the file's own words: key 'tls.keyFile': '...': ... in certFile '...'.
    std::string message = e.message();
    if (message.rfind("tls: ", 0) == 0) message.erase(0, 5);
    std::string key = "tls";
    for (const auto& [option, name] : kKeys) {
      if (message.rfind(std::string(option) + " ", 0) == 0) {
        key = std::string("tls.") + name;
        message.erase(0, std::string(option).size() + 1);
        break;
      }
    }
    for (const auto& [option, name] : kKeys) {
      const std::string from = std::string(option) + " '";
      for (auto at = message.find(from); at != std::string::npos; at = message.find(from, at)) {
        message.replace(at, from.size(), std::string(name) + " '");
      }
    }
    r.fail(key, message);
  }
}

void read_about(const Reader& r, const json& doc, const std::string& base_dir, About& about) {
  const json* inline_about = r.find(doc, "about");
  const json* about_file = r.find(doc, "aboutFile");
  if (inline_about != nullptr && about_file != nullptr) {
    r.fail("aboutFile", "give either \"about\" or \"aboutFile\", not both");
  }
  if (inline_about != nullptr) {
    if (!inline_about->is_object())
      r.expected("about", "an object of about.json fields", *inline_about);
    about = parse_about(inline_about->dump(), "key 'about'");
  } else if (about_file != nullptr) {
    const auto path = resolve(base_dir, r.string(doc, "", "aboutFile"));
    if (r.unresolved("aboutFile") == nullptr) about = load_about(path);
  }
  const json* version = r.find(doc, "version");
  const json* version_file = r.find(doc, "versionFile");
  if (version != nullptr && version_file != nullptr) {
    r.fail("versionFile", "give either \"version\" or \"versionFile\", not both");
  }
  if (version != nullptr) about.version = r.string(doc, "", "version");
  if (version_file != nullptr) {
    const auto path = resolve(base_dir, r.string(doc, "", "versionFile"));
    if (r.unresolved("versionFile") != nullptr) return;
    // Read as load_about reads it, and as the contract says: the whole file, trimmed.
    std::string version;
    if (detail::read_whole_file(path, version)) about.version = detail::trim_space(version);
  }
}

void read_options(const Reader& r, const json& doc, Config& config,
                  std::vector<std::string>& secrets) {
  if (const auto timeout = r.duration(doc, "", "defaultTimeoutMs", 1)) {
    config.registry.default_timeout = *timeout;
  }
  const std::string first = r.string(doc, "", "firstResult", std::string("wait"));
  if (first != "wait" && first != "warn") {
    r.fail("firstResult", "expected \"wait\" or \"warn\", found \"" + first + "\"");
  }
  config.registry.first_result = first == "warn" ? FirstResult::warn : FirstResult::wait;

  if (const json* codes = r.find(doc, "statusCodes")) {
    if (!codes->is_object()) r.expected("statusCodes", "an object such as {\"CRIT\": 503}", *codes);
    for (const auto& [name, value] : codes->items()) {
      const auto level = parse_level(name);
      if (!level) r.fail("statusCodes." + name, "unknown level; expected OK, WARN or CRIT");
      const auto code =
          static_cast<int>(r.integer(*codes, "statusCodes", name.c_str(), 200, 200, 599));
      if (code == 204 || code == 205 || code == 304) {
        r.fail("statusCodes." + name, "expected a status that carries a body (" +
                                          std::to_string(code) +
                                          " carries none, so the level would be lost), e.g. 503");
      }
      config.router.status_codes[*level] = code;
    }
  }
  if (const json* access = r.find(doc, "access")) {
    if (!access->is_object()) {
      r.expected("access", "an object {\"token\": \"...\", \"redact\": true}", *access);
    }
    config.router.redact = r.boolean(*access, "access", "redact", false);
    if (r.find(*access, "token") != nullptr) {
      const std::string token = r.string(*access, "access", "token");
      if (r.unresolved("access.token") != nullptr) {
        // Validating without the token: nobody would see details.
        config.router.allow_details = [](const Request&) { return false; };
      } else {
        if (token.size() < 16) r.fail("access.token", "expected at least 16 characters");
        config.router.allow_details = bearer_token(token);
        add_once(secrets, token);
      }
    }
    r.only(*access, "access");
  }
  config.router.dashboard = r.boolean(doc, "", "dashboard", false);
  config.drain = r.duration(doc, "", "drainMs").value_or(milliseconds(0));
  config.router.metrics = r.boolean(doc, "", "metrics", false);
  config.server.max_connections =
      static_cast<std::size_t>(r.integer(doc, "", "maxConnections", 0, 0, 1'000'000));
  if (const json* history = r.find(doc, "history")) {
    if (!history->is_object())
      r.expected("history", "an object {\"size\": N, \"key\": \"...\"}", *history);
    config.registry.history_size =
        static_cast<std::size_t>(r.integer(*history, "history", "size", 20, 0, 1000));
    const std::string key = r.string(*history, "history", "key", std::string("statusChanges"));
    if (r.unresolved("history.key") == nullptr) {
      if (key.empty()) {
        r.fail("history.key",
               "expected the name of a customData field such as \"statusChanges\", found \"\"");
      }
      config.registry.history_key = key;
    }
    r.only(*history, "history");
  }
}

}  // namespace

namespace {

Config read_config(std::string_view text, const std::string& source, const std::string& base_dir,
                   Environment& env, std::vector<std::string>& secrets) {
  // Deep nesting would overflow the stack of the code that reads and copies the document.
  if (const auto deep = detail::find_too_deep(text); deep != std::string_view::npos) {
    throw Error("config", source + ": " + detail::too_deep_message(text, deep));
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a huge number
    throw Error("config", source + ": not valid JSON: " + e.what());
  }
  Reader r(source);
  if (!doc.is_object()) {
    throw Error("config", source + ": expected a JSON object at the top level, found " +
                              Reader::describe(doc));
  }
  resolve_environment(doc, text, r, env);
  secrets = env.values;

  Config config;
  config.environment = env.names;
  config.missing_environment = env.missing;
  read_listen(r, doc, config.server);
  read_tls(r, doc, base_dir, config.server);
  read_grpc(r, doc, config.grpc);
  read_options(r, doc, config, secrets);
  try {
    read_about(r, doc, base_dir, config.about);
  } catch (const Error& e) {
    if (e.category() == "config") throw;
    throw Error("config", source + ": " + std::string(e.what()));
  }

  const json* checks = r.find(doc, "checks");
  if (checks != nullptr && !checks->is_array()) r.expected("checks", "a list of checks", *checks);
  if (checks != nullptr) {
    for (std::size_t i = 0; i < checks->size(); ++i) {
      const std::string where = "checks[" + std::to_string(i) + "]";
      config.endpoints.push_back(read_check(r, (*checks)[i], where, secrets, base_dir));
    }
  }
  if (const json* log = r.find(doc, "log")) {
    if (!log->is_object()) r.expected("log", "an object {\"format\": \"text\"}", *log);
    const std::string format = r.string(*log, "log", "format", std::string("text"));
    if (format != "text" && format != "json") {
      r.fail("log.format", "expected \"text\" or \"json\", found \"" + format + "\"");
    }
    config.log.format = format == "json" ? LogFormat::json : LogFormat::text;
    r.only(*log, "log");
  }
  r.only(doc, "");
  config.registry.secrets = secrets;
  // The registry's own objections (options, a reserved or repeated slug ...) are the file's
  // errors too.
  std::optional<Registry> trial;
  try {
    trial.emplace(config.about, config.registry);
  } catch (const Error& e) {
    throw Error("config", source + ": " + e.message());
  }
  for (std::size_t i = 0; i < config.endpoints.size(); ++i) {
    const std::string where = "checks[" + std::to_string(i) + "]";
    try {
      trial->add(config.endpoints[i]);
    } catch (const Error& e) {
      const std::string* variable = r.unresolved_under(where);
      r.fail(where, e.message() + (variable != nullptr
                                       ? " (environment variable " + *variable + " is not set)"
                                       : std::string()));
    }
  }
  // The router's objection, found here so that --check finds it too (the trial registry never
  // starts, and a Router would start it).
  if (config.router.dashboard) {
    for (const auto& endpoint : config.endpoints) {
      if (endpoint.slug != "dashboard") continue;
      r.fail("dashboard", "the dashboard route " + config.router.base_path +
                              "/dashboard would hide the dependency \"" + endpoint.name +
                              "\" (slug \"dashboard\"); rename that slug or leave the dashboard "
                              "off");
    }
  }
  if (config.router.metrics) {
    for (const auto& endpoint : config.endpoints) {
      if (endpoint.slug != "metrics") continue;
      r.fail("metrics", "the metrics route " + config.router.base_path +
                            "/metrics would hide the dependency \"" + endpoint.name +
                            "\" (slug \"metrics\"); rename that slug or leave the metrics off");
    }
  }
  return config;
}

}  // namespace

Config parse_config(std::string_view text, const std::string& source, const std::string& base_dir,
                    const LoadOptions& options) {
  Environment env;
  env.options = &options;
  std::vector<std::string> secrets;
  try {
    return read_config(text, source, base_dir, env, secrets);
  } catch (const Error& e) {
    for (const auto& value : env.values) add_once(secrets, value);
    throw Error(e.category(), shown(e.message(), secrets));
  }
}

Config load_config(const std::string& path, const LoadOptions& options) {
  std::string text;
  try {
    text = read_text(path, "configuration file (does it exist?)");
  } catch (const Error& e) {
    throw Error(e.category(), shown(e.message(), {}));
  }
  const auto base_dir = std::filesystem::path(path).parent_path().string();
  return parse_config(text, path, base_dir, options);
}

}  // namespace healthchecks::sidecar
