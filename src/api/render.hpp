// Every wire shape the router writes, in one place: responses, v1/v2 statuses, About (head,
// dependency entries, tail with the change history).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/endpoint_state.hpp"
#include "healthchecks/about.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/status.hpp"

namespace healthchecks::detail {

class Engine;

enum class Api { v1, v2 };

inline constexpr const char* kJson = "application/json; charset=utf-8";
inline constexpr const char* kText = "text/plain; charset=utf-8";

using Done = std::function<void(Response)>;

/// RFC 3339 in UTC with milliseconds: "2026-11-29T23:10:00.123Z".
std::string iso_time(std::chrono::system_clock::time_point when);

/// A JSON response with Cache-Control: no-cache.
Response json_response(int status, std::string body);
/// am-i-up's v1 answer: text "OK".
Response ok_text_response();
/// The status as the API version writes it; levels only when redacted.
std::string status_body(Api api, const Status& status, bool redacted = false);
void append_status_body(std::string& body, Api api, const Status& status, bool redacted);
Response crit_response(Api api, int http_status, std::string description, std::string details);
/// 503 with Retry-After: a limit that protects the service, not a verdict on its health.
Response busy_response(std::string details);

/// One entry of About's "dependencies" around its status, which never changes: rendered once
/// per Router (escaping names for every About of a thousand dependencies cost a third of it).
struct AboutEntryText {
  std::string before_status;  // {"name":...,"status":
  std::string after_status;   // ,"statusPath":...,"type":...,"isTraversable":... (,"critical")
};
AboutEntryText about_entry_text(const StatusEndpoint& endpoint);

/// One entry of About's "dependencies": without a status when `status` is null (about with
/// checkStatus=false); `age` for a result from memory.
void append_about_dependency(std::string& body, const AboutEntryText& text, const Status* status,
                             Clock::duration duration, std::optional<Clock::duration> age, Api api,
                             bool redacted);

/// About's text around its dependency list, rendered once (the head) or once per change of the
/// history (the tail), secrets masked.
class AboutText {
 public:
  explicit AboutText(const Engine& engine);
  /// Up to and including `"dependencies":[`; redacted: only id and name (host "N/A").
  const std::string& head(bool redacted) const noexcept {
    return redacted ? head_redacted_ : head_;
  }
  /// From `],"customData":` to the end; redacted: an empty customData.
  std::shared_ptr<const std::string> tail(bool redacted) const;

 private:
  const Engine& engine_;
  std::string head_;
  std::string head_redacted_;
  mutable std::mutex mutex_;
  mutable std::uint64_t tail_generation_ = 0;
  mutable std::shared_ptr<const std::string> tail_;
};

}  // namespace healthchecks::detail
