// Small text helpers shared by the core (no locale, ASCII only).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace healthchecks::detail {

inline char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// Splits on `sep`, keeping empty pieces ("a,,b" gives three).
inline std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(sep, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

/// "250 ms": durations in messages use the unit of every option (milliseconds).
template <class Rep, class Period>
std::string format_ms(std::chrono::duration<Rep, Period> d) {
  return std::to_string(std::chrono::round<std::chrono::milliseconds>(d).count()) + " ms";
}

/// "timed out after 250 ms", or "... while <phase>": every time-out message in one wording, so
/// that logs and monitors can match it.
template <class Rep, class Period>
std::string timed_out_text(std::chrono::duration<Rep, Period> after, std::string_view phase = {}) {
  std::string text = "timed out after " + format_ms(after);
  if (!phase.empty()) text.append(" while ").append(phase);
  return text;
}

/// What the exception being handled says, for a status: "<who> threw: <what()>". Call it only
/// inside a catch block (it rethrows the current exception to read it). One wording for every
/// place that turns a plug-in's exception into CRIT.
inline std::string current_exception_text(std::string_view who) {
  try {
    throw;
  } catch (const std::exception& e) {
    return std::string(who) + " threw: " + e.what();
  } catch (...) {
    return std::string(who) + " threw an exception that is not a std::exception";
  }
}

}  // namespace healthchecks::detail

namespace healthchecks::detail {

/// A number through a printf format with one conversion: format_number("%.1f%%", 42.25).
inline std::string format_number(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

/// "0.42 ms", "12.3 ms", "250 ms": how long something took, with the digits that matter.
inline std::string format_elapsed(std::chrono::steady_clock::duration d) {
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
  return buffer;
}

}  // namespace healthchecks::detail

namespace healthchecks::detail {

/// Secrets shorter than this are not masked: they would mask ordinary text.
inline constexpr std::size_t kMinSecretLength = 4;

/// `text` with every occurrence of each of `secrets` replaced by "***". Give longer secrets
/// first where one may contain another.
inline std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < kMinSecretLength) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

/// Reads the whole file at `path` into `content`; false when it cannot be read.
bool read_whole_file(const std::string& path, std::string& content);

/// `text` without leading and trailing white space (Go's strings.TrimSpace, for ASCII).
std::string trim_space(std::string_view text);

/// `text` with the password of every "scheme://user:password@host" in it read as "***".
std::string mask_url_passwords(std::string text);

/// Appends `text` so that it stays on one line: control characters escaped (\n, \r, \t,
/// \xNN; a newline in a message must not start a line of its own that could pass for another
/// entry), bytes that are not UTF-8 as U+FFFD.
void append_one_line(std::string& out, std::string_view text);

}  // namespace healthchecks::detail
