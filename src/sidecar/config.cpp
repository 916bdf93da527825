#include "sidecar/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
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
    std::string text = source_ + ": key '" + key + "': " + message;
    if (const std::string* variable = unresolved(key)) {
      text += " (environment variable " + *variable + " is not set)";
    }
    throw Error("config", text);
  }

  [[noreturn]] void expected(const std::string& key, const std::string& what,
                             const json& found) const {
    const std::string* big = big_number(key);
    fail(key, "expected " + what + ", found " + (big ? "number " + *big : describe(found)));
  }

  /// Keys whose values lack a variable that is not set (LoadOptions::require_env false), each
  /// with the first such variable.
  void set_unresolved(std::map<std::string, std::string> keys) { unresolved_ = std::move(keys); }
  const std::string* unresolved(const std::string& key) const {
    const auto it = unresolved_.find(key);
    return it == unresolved_.end() ? nullptr : &it->second;
  }

  /// The first variable not set in a value at `key` or below it ("checks[0]": its url, ...).
  const std::string* unresolved_under(const std::string& key) const {
    for (auto it = unresolved_.lower_bound(key); it != unresolved_.end(); ++it) {
      if (it->first.compare(0, key.size(), key) != 0) break;
      const char next = it->first.size() == key.size() ? '\0' : it->first[key.size()];
      if (next == '\0' || next == '.' || next == '[') return &it->second;
    }
    return nullptr;
  }

  /// The JSON text of integers beyond 64 bits, by key: nlohmann/json reads 2^64 as a double
  /// (1.8446744073709552e+19) and 2^64 - 1 as an unsigned that a long long reads as -1, so
  /// messages quote the file's own digits instead.
  void set_big_numbers(std::map<std::string, std::string> numbers) {
    big_numbers_ = std::move(numbers);
  }
  const std::string* big_number(const std::string& key) const {
    const auto it = big_numbers_.find(key);
    return it == big_numbers_.end() ? nullptr : &it->second;
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
    const std::string at = key(where, name);
    const std::string range =
        "expected a number from " + std::to_string(min) + " to " + std::to_string(max);
    // Beyond 64 bits (or beyond a long long): out of range, in the file's own digits.
    if (const std::string* big = big_number(at)) fail(at, range + ", found " + *big);
    if (!value->is_number_integer()) expected(at, "a whole number", *value);
    if (value->is_number_unsigned() &&
        value->get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX)) {
      fail(at, range + ", found " + value->dump());
    }
    const auto number = value->get<long long>();
    if (number < min || number > max) fail(at, range + ", found " + std::to_string(number));
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
      const std::string* big = big_number(key(where, name));
      fail(key(where, name), "expected a number from " + Reader::describe(min) + " to " +
                                 Reader::describe(max) + ", found " + (big ? *big : value->dump()));
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
      const std::string range =
          "expected a number from " + std::to_string(min) + " to " + std::to_string(max);
      if (const std::string* big = big_number(at)) fail(at, range + ", found " + *big);
      if (!item.is_number_integer()) expected(at, "a whole number", item);
      const bool huge = item.is_number_unsigned() &&
                        item.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX);
      if (huge || item.get<long long>() < min || item.get<long long>() > max) {
        fail(at, range + ", found " + item.dump());
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
  std::map<std::string, std::string> unresolved_;
  std::map<std::string, std::string> big_numbers_;
};

// `${NAME}` references: what the file asked for and what the environment gave.
struct Environment {
  const LoadOptions* options = nullptr;
  std::vector<std::string> names;    // referenced, in order, each once
  std::vector<std::string> missing;  // not set (require_env false), in order, each once
  std::vector<std::string> values;   // read: secrets
  std::map<std::string, std::string> unresolved;  // key -> its first variable not set
};

void add_once(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

bool variable_name(std::string_view name) {
  if (name.empty() || (std::isdigit(static_cast<unsigned char>(name.front())) != 0)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

// One string value with its references replaced: `$$` is a `$`, and a `$` followed by neither
// `{` nor `$` stays as it is.
std::string expand(const std::string& text, const std::string& key, const Reader& r,
                   Environment& env) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string::npos) {
      r.fail(key, "'${' without a closing '}' (write $$ for a literal $)");
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    if (!variable_name(name)) {
      r.fail(key, "'${" + (name.size() > 40 ? name.substr(0, 37) + "..." : name) +
                      "}' is not an environment variable name (letters, digits and _, not "
                      "starting with a digit; write $$ for a literal $)");
    }
    add_once(env.names, name);
    const char* value = env.options->getenv ? env.options->getenv(name.c_str()) : nullptr;
    if (value == nullptr) {
      if (env.options->require_env) r.fail(key, "environment variable " + name + " is not set");
      add_once(env.missing, name);
      env.unresolved.emplace(key, name);
    } else {
      out += value;
      if (*value != '\0') add_once(env.values, value);
    }
    i = close;
  }
  return out;
}

// Every string value of the document, at any depth; keys are named as the Reader names them.
void expand_all(json& value, const std::string& key, const Reader& r, Environment& env) {
  if (value.is_string()) {
    auto& text = value.get_ref<std::string&>();
    if (text.find('$') != std::string::npos) text = expand(text, key, r, env);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      expand_all(it.value(), Reader::key(key, it.key()), r, env);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      expand_all(value[i], key + "[" + std::to_string(i) + "]", r, env);
    }
  }
}

// A second, event-by-event reading of the document, in the file's order, naming keys as the
// Reader names them ("checks[0].port"). It keeps the JSON text of integers that do not fit a
// long long, and reads the `${NAME}` references of every string value, so that variables are
// listed, and the first mistake reported, in the order of the file (the document's objects
// hold their keys sorted).
class DocumentScan : public nlohmann::json_sax<json> {
 public:
  DocumentScan(const Reader& reader, Environment& env) : reader_(reader), env_(env) {}

  std::map<std::string, std::string> big_numbers;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t number) override {
    const std::string at = next_key();
    if (number > static_cast<number_unsigned_t>(LLONG_MAX))
      big_numbers[at] = std::to_string(number);
    return true;
  }
  bool number_float(number_float_t, const string_t& text) override {
    const std::string at = next_key();
    // Digits alone (an integer literal too large even for 64 bits); 1e3 and 2.5 are not.
    if (text.find_first_not_of("-0123456789") == std::string::npos) big_numbers[at] = text;
    return true;
  }
  bool string(string_t& text) override {
    const std::string at = next_key();
    if (text.find('$') != std::string::npos) (void)expand(text, at, reader_, env_);
    return true;
  }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& name) override {
    if (!frames_.empty()) frames_.back().name = name;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string path;
    std::string name;
  };

  std::string next_key() {
    if (frames_.empty()) return "";
    auto& top = frames_.back();
    if (top.array) return top.path + "[" + std::to_string(top.index++) + "]";
    return Reader::key(top.path, top.name);
  }
  bool value() {
    (void)next_key();
    return true;
  }
  bool open(bool array) {
    std::string at = next_key();
    frames_.push_back(Frame{array, 0, std::move(at), {}});
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  const Reader& reader_;
  Environment& env_;
  std::vector<Frame> frames_;
};

// An error message as it may be shown: secrets and URL passwords read "***", and control
// characters are escaped, so that it is always exactly one line (a newline in a key or value
// cannot start a second line that imitates a log line).
std::string shown(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;  // as the registry: shorter ones would mask ordinary text
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  // "scheme://user:password@host": the password, wherever a URL is quoted.
  for (auto at = text.find("://"); at != std::string::npos; at = text.find("://", at + 3)) {
    const auto start = at + 3;
    const auto end = std::min(text.find_first_of("/?#\"' \\", start), text.size());
    const auto sign = text.rfind('@', end == start ? start : end - 1);
    if (sign == std::string::npos || sign < start) continue;
    const auto colon = text.find(':', start);
    if (colon >= sign || colon + 1 == sign || text.compare(colon + 1, sign - colon - 1, "***") == 0)
      continue;
    text.replace(colon + 1, sign - colon - 1, "***");
  }
  std::string line;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if (c == '\t') {
      line += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      line += escaped;
    } else {
      line += c;
    }
  }
  return line;
}

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
  server.threads = static_cast<unsigned>(r.integer(doc, "", "threads", 1, 1, 64));
  const std::string text = r.string(doc, "", "listen", std::string("127.0.0.1:8080"));
  if (r.unresolved("listen") != nullptr) return;  // not validated without its variable
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    r.fail("listen",
           "expected \"address:port\" such as \"127.0.0.1:8080\", found \"" + text + "\"");
  }
  std::string address = text.substr(0, colon);
  const bool bracketed = address.size() >= 2 && address.front() == '[' && address.back() == ']';
  if (bracketed) address = address.substr(1, address.size() - 2);
  const std::string port = text.substr(colon + 1);
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) > 65535) {
    r.fail("listen", "expected a port from 0 to 65535 after ':', found \"" + port + "\"");
  }
  // The server binds an address; it resolves no names ("localhost:8080" would otherwise fail
  // only when it starts, outside the config's errors).
  unsigned char binary[sizeof(struct in6_addr)];
  if (!address.empty() && inet_pton(bracketed ? AF_INET6 : AF_INET, address.c_str(), binary) != 1) {
    r.fail("listen",
           "expected an IP address such as 127.0.0.1 or [::1] before the port (host names are "
           "not resolved), found \"" +
               text.substr(0, colon) + "\"");
  }
  server.address = address.empty() ? "127.0.0.1" : address;
  server.port = static_cast<unsigned short>(std::stoul(port));
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

// What a check reads when a variable its keys need is not set (LoadOptions::require_env false:
// the file is being validated, not served).
Check missing_variable(const std::string& variable) {
  return Check([message = "environment variable " + variable + " is not set"](
                   const CheckContext&) -> Status { return Status::crit({}, message); });
}

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

StatusEndpoint read_check(const Reader& r, const json& spec, const std::string& where,
                          std::vector<std::string>& secrets) {
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
      const std::string* url_variable = r.unresolved(Reader::key(where, "url"));
      if (url_variable == nullptr) {
        try {
          (void)detail::parse_http_url(url);
        } catch (const Error& e) {
          r.fail(Reader::key(where, "url"), e.message());
        }
      }
      checks::HttpOptions options;
      options.method = r.string(spec, where, "method", std::string("GET"));
      options.expect_status = r.integers(spec, where, "expectStatus", 100, 599);
      options.body_contains = r.string(spec, where, "bodyContains", std::string());
      options.headers = read_headers(r, spec, where, secrets);
      endpoint.traversable = r.boolean(spec, where, "traversable", false);
      if (url_variable != nullptr) {
        endpoint.check = missing_variable(*url_variable);
        if (endpoint.traversable) {
          endpoint.traverse = [message = "environment variable " + *url_variable + " is not set"](
                                  const TraverseRequest&,
                                  std::function<void(TraverseResult)> done) {
            done(TraverseResult{message, {}});
          };
        }
      } else {
        endpoint.check = checks::http(url, options);
        // The same credentials for every traversal through this dependency.
        if (endpoint.traversable) endpoint.traverse = checks::peer_traverse(url, options);
      }
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
      if (options.path.empty() && r.unresolved(Reader::key(where, "path")) == nullptr) {
        r.fail(Reader::key(where, "path"), "expected a path such as \"/var/lib\", found \"\"");
      }
      options.warn_percent_free = r.number(spec, where, "warnPercentFree", 10, 0, 100);
      options.crit_percent_free = r.number(spec, where, "critPercentFree", 5, 0, 100);
      // checks::disk names its C++ fields; the file's keys are named here.
      if (options.crit_percent_free > options.warn_percent_free) {
        r.fail(Reader::key(where, "critPercentFree"),
               "expected at most warnPercentFree (" + Reader::describe(options.warn_percent_free) +
                   "), found " + Reader::describe(options.crit_percent_free));
      }
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
    // Without its variables (validating only), a check is not judged by its own objections.
    if (const std::string* variable = r.unresolved_under(where)) {
      endpoint.check = missing_variable(*variable);
    } else {
      r.fail(where, e.message());  // a check's own objection, such as a URL it cannot use
    }
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
  DocumentScan scan(r, env);
  (void)json::sax_parse(text, &scan);
  r.set_big_numbers(std::move(scan.big_numbers));
  expand_all(doc, "", r, env);
  secrets = env.values;
  r.set_unresolved(env.unresolved);

  Config config;
  config.environment = env.names;
  config.missing_environment = env.missing;
  read_listen(r, doc, config.server);
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
      config.endpoints.push_back(read_check(r, (*checks)[i], where, secrets));
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
