#include "sidecar/config.hpp"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "detail/http_client.hpp"
#include "detail/json_input.hpp"
#include "detail/runtime.hpp"
#include "detail/text.hpp"
#include "healthchecks/checks/disk.hpp"
#include "healthchecks/checks/http.hpp"
#ifdef HEALTHCHECKS_HAS_POSTGRES
#include "healthchecks/checks/postgres.hpp"
#endif
#include "healthchecks/checks/process.hpp"
#include "healthchecks/checks/redis.hpp"
#include "healthchecks/checks/tcp.hpp"
#include "healthchecks/error.hpp"
#include "sidecar/command_check.hpp"

namespace healthchecks::sidecar {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// Reads values out of the document, naming the file and the key in every complaint. It notes
// every key it is asked for, object by object: those are the keys only() accepts, so a key the
// sidecar reads cannot be missing from a separate list of known ones.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    throw Error("config", source_ + ": key '" + key + "': " + message);
  }

  [[noreturn]] void expected(const std::string& key, const std::string& what,
                             const json& found) const {
    fail(key, "expected " + what + ", found " + describe(found));
  }

  static std::string describe(double value) { return detail::format_number("%g", value); }

  static std::string describe(const json& value) {
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return std::string(value.type_name()) + " " + text;
  }

  static std::string key(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "." + name;
  }

  /// Fails on the first key of `object` nothing has asked for. Call it after reading `object`.
  void only(const json& object, const std::string& where) const {
    const auto& allowed = asked_[&object];
    for (const auto& [name, value] : object.items()) {
      if (allowed.count(name) != 0) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(key(where, name), "unknown key (known here: " + list + ")");
    }
  }

  const json* find(const json& object, const char* name) const {
    asked_[&object].insert(name);
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
  }

  std::string string(const json& object, const std::string& where, const char* name,
                     std::optional<std::string> fallback = std::nullopt) const {
    const json* value = find(object, name);
    if (value == nullptr) {
      if (fallback) return *fallback;
      fail(key(where, name), "missing; expected a string");
    }
    if (!value->is_string()) expected(key(where, name), "a string", *value);
    return value->get<std::string>();
  }

  bool boolean(const json& object, const std::string& where, const char* name,
               bool fallback) const {
    const json* value = find(object, name);
    if (value == nullptr) return fallback;
    if (!value->is_boolean()) expected(key(where, name), "true or false", *value);
    return value->get<bool>();
  }

  long long integer(const json& object, const std::string& where, const char* name,
                    long long fallback, long long min, long long max) const {
    const json* value = find(object, name);
    if (value == nullptr) return fallback;
    if (!value->is_number_integer()) {
      expected(key(where, name), "a whole number", *value);
    }
    const auto number = value->get<long long>();
    if (number < min || number > max) {
      fail(key(where, name), "expected a number from " + std::to_string(min) + " to " +
                                 std::to_string(max) + ", found " + std::to_string(number));
    }
    return number;
  }

  std::optional<milliseconds> duration(const json& object, const std::string& where,
                                       const char* name, long long min = 0) const {
    if (find(object, name) == nullptr) return std::nullopt;
    return milliseconds(integer(object, where, name, 0, min, 24LL * 3600 * 1000));
  }

  double number(const json& object, const std::string& where, const char* name, double fallback,
                double min, double max) const {
    const json* value = find(object, name);
    if (value == nullptr) return fallback;
    if (!value->is_number()) expected(key(where, name), "a number", *value);
    const auto number = value->get<double>();
    if (number < min || number > max) {
      fail(key(where, name), "expected a number from " + Reader::describe(min) + " to " +
                                 Reader::describe(max) + ", found " + value->dump());
    }
    return number;
  }

  std::vector<std::string> strings(const json& object, const std::string& where,
                                   const char* name) const {
    const json* value = find(object, name);
    if (value == nullptr) fail(key(where, name), "missing; expected a list of strings");
    if (!value->is_array() || value->empty())
      expected(key(where, name), "a non-empty list of strings", *value);
    std::vector<std::string> list;
    for (std::size_t i = 0; i < value->size(); ++i) {
      if (!(*value)[i].is_string()) {
        expected(key(where, name) + "[" + std::to_string(i) + "]", "a string", (*value)[i]);
      }
      list.push_back((*value)[i].get<std::string>());
    }
    return list;
  }

  std::vector<int> integers(const json& object, const std::string& where, const char* name, int min,
                            int max) const {
    std::vector<int> list;
    const json* value = find(object, name);
    if (value == nullptr) return list;
    if (!value->is_array()) expected(key(where, name), "a list of whole numbers", *value);
    for (std::size_t i = 0; i < value->size(); ++i) {
      const auto& item = (*value)[i];
      const std::string at = key(where, name) + "[" + std::to_string(i) + "]";
      if (!item.is_number_integer()) expected(at, "a whole number", item);
      if (item.get<long long>() < min || item.get<long long>() > max) {
        fail(at, "expected a number from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", found " + item.dump());
      }
      list.push_back(item.get<int>());
    }
    return list;
  }

  unsigned short port(const json& object, const std::string& where, const char* name,
                      std::optional<unsigned short> fallback = std::nullopt) const {
    if (find(object, name) == nullptr && !fallback)
      fail(key(where, name), "missing; expected a port");
    return static_cast<unsigned short>(
        integer(object, where, name, fallback.value_or(0), 1, 65535));
  }

  Level level(const json& object, const std::string& where, const char* name) const {
    const auto text = string(object, where, name, std::string("OK"));
    const auto parsed = parse_level(text);
    if (!parsed)
      fail(key(where, name), "expected \"OK\", \"WARN\" or \"CRIT\", found \"" + text + "\"");
    return *parsed;
  }

 private:
  std::string source_;
  mutable std::map<const json*, std::set<std::string>> asked_;
};

std::string read_text(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("config", path + ": cannot read the " + what);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string resolve(const std::string& base_dir, const std::string& name) {
  if (name.empty() || name.front() == '/' || base_dir.empty()) return name;
  return (std::filesystem::path(base_dir) / name).string();
}

void read_listen(const Reader& r, const json& doc, ServerOptions& server) {
  const std::string text = r.string(doc, "", "listen", std::string("127.0.0.1:8080"));
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    r.fail("listen",
           "expected \"address:port\" such as \"127.0.0.1:8080\", found \"" + text + "\"");
  }
  std::string address = text.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535) {
    r.fail("listen", "expected a port from 0 to 65535 after ':', found \"" + port + "\"");
  }
  server.address = address.empty() ? "127.0.0.1" : address;
  server.port = static_cast<unsigned short>(std::stoul(port));
  server.threads = static_cast<unsigned>(r.integer(doc, "", "threads", 1, 1, 64));
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
    about = load_about(path);
  }
  const json* version = r.find(doc, "version");
  const json* version_file = r.find(doc, "versionFile");
  if (version != nullptr && version_file != nullptr) {
    r.fail("versionFile", "give either \"version\" or \"versionFile\", not both");
  }
  if (version != nullptr) about.version = r.string(doc, "", "version");
  if (version_file != nullptr) {
    const auto path = resolve(base_dir, r.string(doc, "", "versionFile"));
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line)) {
      const auto first = line.find_first_not_of(" \t\r");
      const auto last = line.find_last_not_of(" \t\r");
      about.version = first == std::string::npos ? "" : line.substr(first, last - first + 1);
    }
  }
}

// "static": a fixed answer, optionally late or thrown, to try the API or stand in for a check.
Check static_check(const Reader& r, const json& spec, const std::string& where) {
  const Level fixed = r.level(spec, where, "result");
  const std::string details = r.string(spec, where, "details", std::string());
  // "cycle": ["OK", "CRIT"] answers each level in turn, to watch flapping and dampening.
  auto cycle = std::make_shared<std::vector<Level>>();
  if (const json* list = r.find(spec, "cycle")) {
    if (!list->is_array() || list->empty()) {
      r.expected(Reader::key(where, "cycle"), "a non-empty list of \"OK\", \"WARN\", \"CRIT\"",
                 *list);
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto level =
          (*list)[i].is_string() ? parse_level((*list)[i].get<std::string>()) : std::nullopt;
      if (!level) {
        r.expected(Reader::key(where, "cycle[" + std::to_string(i) + "]"),
                   "\"OK\", \"WARN\" or \"CRIT\"", (*list)[i]);
      }
      cycle->push_back(*level);
    }
  }
  auto turn = std::make_shared<std::atomic<std::size_t>>(0);
  const auto level_now = [fixed, cycle, turn] {
    return cycle->empty() ? fixed : (*cycle)[turn->fetch_add(1) % cycle->size()];
  };
  const auto delay = r.duration(spec, where, "delayMs").value_or(milliseconds(0));
  const json* throws = r.find(spec, "throws");
  const bool blocking = r.boolean(spec, where, "blocking", false);
  std::optional<std::string> message;
  if (throws != nullptr) message = r.string(spec, where, "throws");

  if (message || blocking) {
    // Like a real blocking check: it holds a worker thread for its delay.
    return Check([level_now, details, delay, message](const CheckContext&) -> Status {
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      if (message) throw std::runtime_error(*message);
      return Status{level_now(), {}, details};
    });
  }
  return Check::async([level_now, details, delay](const CheckContext& context, Completion done) {
    const Status status{level_now(), {}, details};
    if (delay.count() == 0 || context.runtime == nullptr) {
      done(status);
      return;
    }
    context.runtime->schedule(detail::Clock::now() + delay, [done, status] { done(status); });
  });
}

// Keys every kind of check takes: how often it may run and how long answers wait for it.
void read_resilience(const Reader& r, const json& spec, const std::string& where,
                     StatusEndpoint& endpoint) {
  endpoint.timeout = r.duration(spec, where, "timeoutMs", 1);
  endpoint.cache_ttl = r.duration(spec, where, "cacheTtlMs").value_or(milliseconds(0));
  endpoint.interval = r.duration(spec, where, "intervalMs").value_or(milliseconds(0));
  endpoint.critical = r.boolean(spec, where, "critical", true);
  endpoint.max_stale = r.duration(spec, where, "maxStaleMs");
  endpoint.failures_before_crit =
      static_cast<int>(r.integer(spec, where, "failuresBeforeCrit", 1, 1, 1000));
  endpoint.successes_before_ok =
      static_cast<int>(r.integer(spec, where, "successesBeforeOk", 1, 1, 1000));
}

StatusEndpoint read_check(const Reader& r, const json& spec, const std::string& where) {
  if (!spec.is_object()) r.expected(where, "an object describing a check", spec);
  const std::string kind = r.string(spec, where, "check");
  StatusEndpoint endpoint;
  endpoint.name = r.string(spec, where, "name");
  endpoint.slug = r.string(spec, where, "slug");
  read_resilience(r, spec, where, endpoint);
  // Each kind: its own keys, its default type, and how to build its check.
  const auto milliseconds_of = [&](const char* name) {
    return r.duration(spec, where, name).value_or(milliseconds(0));
  };
  try {
    if (kind == "static") {
      endpoint.check = static_check(r, spec, where);
    } else if (kind == "http") {
      const std::string url = r.string(spec, where, "url");
      try {
        (void)detail::parse_http_url(url);
      } catch (const Error& e) {
        r.fail(Reader::key(where, "url"), e.message());
      }
      checks::HttpOptions options;
      options.method = r.string(spec, where, "method", std::string("GET"));
      options.expect_status = r.integers(spec, where, "expectStatus", 100, 599);
      options.body_contains = r.string(spec, where, "bodyContains", std::string());
      endpoint.check = checks::http(url, options);
      endpoint.traversable = r.boolean(spec, where, "traversable", false);
      if (endpoint.traversable) endpoint.traverse = checks::peer_traverse(url);
    } else if (kind == "tcp") {
      endpoint.check = checks::tcp(r.string(spec, where, "host", std::string("127.0.0.1")),
                                   r.port(spec, where, "port"));
    } else if (kind == "redis") {
      checks::RedisOptions options;
      options.host = r.string(spec, where, "host", options.host);
      options.port = r.port(spec, where, "port", options.port);
      options.username = r.string(spec, where, "username", std::string());
      options.password = r.string(spec, where, "password", std::string());
      options.db = static_cast<int>(r.integer(spec, where, "db", 0, 0, 1 << 20));
      options.warn_after = milliseconds_of("warnMs");
      endpoint.check = checks::redis(options);
    } else if (kind == "postgres") {
#ifdef HEALTHCHECKS_HAS_POSTGRES
      checks::PostgresOptions options;
      options.conninfo = r.string(spec, where, "conninfo");
      options.query = r.string(spec, where, "query", options.query);
      options.warn_after = milliseconds_of("warnMs");
      endpoint.check = checks::postgres(options);
#else
      r.fail(Reader::key(where, "check"),
             "this sidecar was built without PostgreSQL support; install libpq-dev and rebuild");
#endif
    } else if (kind == "disk") {
      checks::DiskOptions options;
      options.path = r.string(spec, where, "path", options.path);
      options.warn_percent_free = r.number(spec, where, "warnPercentFree", 10, 0, 100);
      options.crit_percent_free = r.number(spec, where, "critPercentFree", 5, 0, 100);
      endpoint.check = checks::disk(options);
    } else if (kind == "self") {
      checks::ProcessOptions options;
      options.warn_rss_mib = r.number(spec, where, "warnRssMiB", 0, 0, 1e9);
      options.crit_rss_mib = r.number(spec, where, "critRssMiB", 0, 0, 1e9);
      options.warn_cpu_percent = r.number(spec, where, "warnCpuPercent", 0, 0, 1e6);
      options.crit_cpu_percent = r.number(spec, where, "critCpuPercent", 0, 0, 1e6);
      endpoint.check = checks::process(options);
    } else if (kind == "command") {
      endpoint.check = command_check(r.strings(spec, where, "argv"));
    } else {
      r.fail(Reader::key(where, "check"),
             "expected one of \"static\", \"http\", \"tcp\", \"redis\", \"postgres\", "
             "\"disk\", \"self\", \"command\"; found \"" +
                 kind + "\"");
    }
  } catch (const Error& e) {
    if (e.category() == "config") throw;
    r.fail(where, e.message());  // a check's own objection, such as a URL it cannot use
  }
  endpoint.type =
      r.string(spec, where, "type", std::string(kind == "http" ? "external" : "internal"));
  r.only(spec, where);
  return endpoint;
}

// "Authorization: Bearer <token>", compared in constant time: a timing difference must not
// tell an attacker how much of a guess was right.
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

void read_options(const Reader& r, const json& doc, Config& config) {
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
      if (token.size() < 16) r.fail("access.token", "expected at least 16 characters");
      config.router.allow_details = bearer_token(token);
    }
    r.only(*access, "access");
  }
  config.server.max_connections =
      static_cast<std::size_t>(r.integer(doc, "", "maxConnections", 0, 0, 1'000'000));
  if (const json* history = r.find(doc, "history")) {
    if (!history->is_object())
      r.expected("history", "an object {\"size\": N, \"key\": \"...\"}", *history);
    config.registry.history_size =
        static_cast<std::size_t>(r.integer(*history, "history", "size", 20, 0, 1000));
    config.registry.history_key =
        r.string(*history, "history", "key", std::string("statusChanges"));
    r.only(*history, "history");
  }
}

}  // namespace

Config parse_config(std::string_view text, const std::string& source, const std::string& base_dir) {
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
  const Reader r(source);
  if (!doc.is_object()) {
    throw Error("config", source + ": expected a JSON object at the top level, found " +
                              Reader::describe(doc));
  }
  Config config;
  read_listen(r, doc, config.server);
  read_options(r, doc, config);
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
      config.endpoints.push_back(read_check(r, (*checks)[i], where));
    }
  }
  r.only(doc, "");
  // Registration errors (a reserved or repeated slug ...) are the file's errors too.
  Registry trial;
  for (std::size_t i = 0; i < config.endpoints.size(); ++i) {
    try {
      trial.add(config.endpoints[i]);
    } catch (const Error& e) {
      r.fail("checks[" + std::to_string(i) + "]", e.message());
    }
  }
  return config;
}

Config load_config(const std::string& path) {
  const auto text = read_text(path, "configuration file (does it exist?)");
  const auto base_dir = std::filesystem::path(path).parent_path().string();
  return parse_config(text, path, base_dir);
}

}  // namespace healthchecks::sidecar
