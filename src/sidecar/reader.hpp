// The sidecar config's reader: values read out of the JSON document, every complaint naming the
// file and the key, and the keys it was asked for being the only ones it accepts.
#pragma once

#include <algorithm>
#include <chrono>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "healthchecks/status.hpp"

#include "healthchecks/error.hpp"
#include "util/text.hpp"

namespace healthchecks::sidecar {

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

/// Appends `item` unless `list` holds it already (lists of variables and secrets).
inline void add_once(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

/// An error message as it may be shown: secrets and URL passwords read "***", and control
/// characters are escaped, so that it is always exactly one line (a newline in a key or value
/// cannot start a second line that imitates a log line).
std::string shown(std::string text, std::vector<std::string> secrets);

}  // namespace healthchecks::sidecar
