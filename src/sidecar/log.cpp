#include "sidecar/log.hpp"

#include <climits>
#include <cstdio>
#include <ctime>
#include <utility>

#include <nlohmann/json.hpp>

#include "healthchecks/error.hpp"
#include "healthchecks/status.hpp"
#include "util/json_writer.hpp"
#include "util/text.hpp"
#include "util/utf8.hpp"

namespace healthchecks::sidecar {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;
using std::chrono::system_clock;

std::string_view change_level(Level to) {
  switch (to) {
    case Level::ok:
      return "info";
    case Level::warn:
      return "warn";
    case Level::crit:
      break;
  }
  return "error";
}

std::string_view kind_name(CheckProblem::Kind kind) {
  return kind == CheckProblem::Kind::threw ? "threw" : "timed_out";
}

std::uint64_t whole_seconds(steady_clock::duration d) {
  const auto seconds = std::chrono::round<std::chrono::seconds>(d).count();
  return seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds);
}

// A JSON line begins {"time":"...","level":"...","event":"..." and goes on with fields.
class JsonLine {
 public:
  JsonLine(system_clock::time_point when, std::string_view level, std::string_view event) {
    out_ = "{\"time\":\"" + log_time(when) + "\",\"level\":\"";
    out_.append(level);
    out_ += "\",\"event\":\"";
    out_.append(event);
    out_ += '"';
  }
  JsonLine& string(std::string_view name, std::string_view value) {
    key(name);
    detail::append_json_string(out_, value);
    return *this;
  }
  JsonLine& number(std::string_view name, std::uint64_t value) {
    key(name);
    out_ += std::to_string(value);
    return *this;
  }
  std::string done() { return std::move(out_) + "}"; }

 private:
  void key(std::string_view name) {
    out_ += ",\"";
    out_.append(name);
    out_ += "\":";
  }
  std::string out_;
};

std::string text_head(system_clock::time_point when, std::string_view level,
                      std::string_view slug) {
  std::string out = log_time(when);
  out += ' ';
  out.append(level);
  out += ' ';
  detail::append_one_line(out, slug);
  out += ": ";
  return out;
}

std::string start_message(const std::string& id, const std::string& url, std::size_t checks) {
  return "serving '" + id + "' at " + url + " (" + std::to_string(checks) +
         (checks == 1 ? " check)" : " checks)");
}

}  // namespace

std::string log_time(system_clock::time_point when) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(when.time_since_epoch());
  const auto seconds = std::chrono::floor<std::chrono::seconds>(ms);
  const std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[96];  // room for any int the format could meet
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((ms - seconds).count()));
  return buffer;
}

std::string cut_details(std::string_view details, std::size_t limit) {
  if (details.size() <= limit) return std::string(details);
  const auto kept = detail::utf8_prefix(details, limit);
  return std::string(kept) + "... (" + std::to_string(details.size() - kept.size()) +
         " bytes more)";
}

std::string format_change(LogFormat format, const StatusChange& change) {
  const auto level = change_level(change.to);
  const auto details = cut_details(change.status.details);
  if (format == LogFormat::json) {
    return JsonLine(change.when, level, "level_change")
        .string("slug", change.slug)
        .string("name", change.name)
        .string("from", to_string(change.from))
        .string("to", to_string(change.to))
        .string("details", details)
        .done();
  }
  std::string out = text_head(change.when, level, change.slug);
  out.append(to_string(change.from));
  out += " -> ";
  out.append(to_string(change.to));
  if (!details.empty()) {
    out += ": ";
    detail::append_one_line(out, details);
  }
  return out;
}

std::string format_problem(LogFormat format, const CheckProblem& problem) {
  const auto details = cut_details(problem.details);
  if (format == LogFormat::json) {
    return JsonLine(problem.when, "warn", "check_problem")
        .string("slug", problem.slug)
        .string("name", problem.name)
        .string("kind", kind_name(problem.kind))
        .string("details", details)
        .done();
  }
  std::string out = text_head(problem.when, "warn", problem.slug);
  out += "check problem: ";
  detail::append_one_line(out, details);
  return out;
}

std::string format_problem_summary(LogFormat format, const ProblemSummary& summary,
                                   system_clock::time_point when) {
  const auto& last = summary.last;
  const auto details = cut_details(last.details);
  if (format == LogFormat::json) {
    return JsonLine(when, "warn", "check_problem")
        .string("slug", last.slug)
        .string("name", last.name)
        .string("kind", kind_name(last.kind))
        .string("details", details)
        .number("more", summary.count)
        .number("seconds", whole_seconds(summary.over))
        .done();
  }
  std::string out = text_head(when, "warn", last.slug);
  out += "check problem: " + std::to_string(summary.count) + " more in the last " +
         std::to_string(whole_seconds(summary.over)) + " s; the last: ";
  detail::append_one_line(out, details);
  return out;
}

std::string format_start(LogFormat format, system_clock::time_point when, const std::string& id,
                         const std::string& url, std::size_t checks) {
  if (format == LogFormat::json) {
    return JsonLine(when, "info", "start")
        .string("url", url)
        .string("id", id)
        .number("checks", checks)
        .string("message", start_message(id, url, checks))
        .done();
  }
  std::string out = "healthchecks-sidecar: ";
  detail::append_one_line(out, start_message(id, url, checks));
  return out;
}

std::string format_grpc_start(LogFormat format, system_clock::time_point when,
                              const std::string& address) {
  const std::string message = "serving grpc.health.v1.Health at " + address;
  if (format == LogFormat::json) {
    return JsonLine(when, "info", "grpc_start")
        .string("address", address)
        .string("message", message)
        .done();
  }
  std::string out = "healthchecks-sidecar: ";
  detail::append_one_line(out, message);
  return out;
}

std::string format_stop(LogFormat format, system_clock::time_point when,
                        const std::string& reason) {
  if (format == LogFormat::json) {
    return JsonLine(when, "info", "stop")
        .string("reason", reason)
        .string("message", reason + ", stopping")
        .done();
  }
  std::string out = "healthchecks-sidecar: ";
  detail::append_one_line(out, reason + ", stopping");
  return out;
}

std::string format_drain(LogFormat format, system_clock::time_point when, const std::string& reason,
                         std::chrono::milliseconds drain) {
  const std::string message =
      reason + ", draining for " + std::to_string(drain.count()) +
      " ms: aggregate answers 503, am-i-up 200; SIGTERM or SIGINT again stops at once";
  if (format == LogFormat::json) {
    return JsonLine(when, "info", "drain")
        .string("reason", reason)
        .number("drainMs", static_cast<std::uint64_t>(drain.count()))
        .string("message", message)
        .done();
  }
  std::string out = log_time(when) + " info healthchecks-sidecar: ";
  detail::append_one_line(out, message);
  return out;
}

std::string format_dropped(LogFormat format, system_clock::time_point when, std::uint64_t lines) {
  if (format == LogFormat::json) {
    return JsonLine(when, "warn", "log_dropped").number("lines", lines).done();
  }
  return log_time(when) + " warn healthchecks-sidecar: " + std::to_string(lines) +
         " log lines dropped (standard output was not read fast enough)";
}

std::string format_tls_reload(LogFormat format, system_clock::time_point when,
                              const std::string& error) {
  const std::string message = error.empty()
                                  ? "SIGHUP: TLS files reloaded; new connections use them"
                                  : "SIGHUP: TLS files not reloaded, the old ones stay: " + error;
  const char* level = error.empty() ? "info" : "warn";
  if (format == LogFormat::json) {
    return JsonLine(when, level, "tls_reload")
        .string("error", error)
        .string("message", message)
        .done();
  }
  std::string out = log_time(when) + " " + level + " healthchecks-sidecar: ";
  detail::append_one_line(out, message);
  return out;
}

std::string mask(std::string text, const std::vector<std::string>& secrets) {
  return detail::mask_secrets(std::move(text), secrets);
}

// ---------------------------------------------------------------------------------------------
// ProblemLimiter

bool ProblemLimiter::offer(const CheckProblem& problem, Clock::time_point now) {
  const auto it = windows_.find(problem.slug);
  if (it != windows_.end() && now - it->second.start < period_) {
    ++it->second.count;
    it->second.last = problem;
    return false;
  }
  windows_[problem.slug] = Window{now, 0, {}};
  return true;
}

std::vector<ProblemSummary> ProblemLimiter::due(Clock::time_point now) {
  std::vector<ProblemSummary> summaries;
  for (auto it = windows_.begin(); it != windows_.end();) {
    auto& window = it->second;
    if (now - window.start < period_) {
      ++it;
    } else if (window.count == 0) {
      it = windows_.erase(it);  // quiet for a whole period: the next problem is logged at once
    } else {
      summaries.push_back(ProblemSummary{std::move(window.last), window.count, now - window.start});
      window = Window{now, 0, {}};
      ++it;
    }
  }
  return summaries;
}

// ---------------------------------------------------------------------------------------------
// Logger

Logger::Logger(LogOptions options, Sink sink, Clock clock,
               std::chrono::steady_clock::duration problem_period)
    : options_(options),
      clock_(std::move(clock)),
      sink_(std::move(sink)),
      limiter_(problem_period) {}

void Logger::change(const StatusChange& change) {
  std::string line;
  if (secrets_.empty()) {
    line = format_change(options_.format, change);
  } else {
    StatusChange masked = change;
    masked.slug = mask(std::move(masked.slug), secrets_);
    masked.name = mask(std::move(masked.name), secrets_);
    masked.status.details = mask(std::move(masked.status.details), secrets_);
    line = format_change(options_.format, masked);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (sink_) sink_(std::move(line));
}

void Logger::problem(const CheckProblem& problem) {
  CheckProblem masked = problem;
  if (!secrets_.empty()) {
    masked.slug = mask(std::move(masked.slug), secrets_);
    masked.name = mask(std::move(masked.name), secrets_);
    masked.details = mask(std::move(masked.details), secrets_);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = clock_();
  summaries(now);
  if (limiter_.offer(masked, now) && sink_) sink_(format_problem(options_.format, masked));
}

void Logger::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  summaries(clock_());
}

void Logger::summaries(std::chrono::steady_clock::time_point now) {
  for (const auto& summary : limiter_.due(now)) {
    if (sink_) sink_(format_problem_summary(options_.format, summary, system_clock::now()));
  }
}

void Logger::write(std::string line) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (sink_) sink_(std::move(line));
}

void Logger::close(std::string last) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (sink_ && !last.empty()) sink_(std::move(last));
  sink_ = nullptr;
}

}  // namespace healthchecks::sidecar
