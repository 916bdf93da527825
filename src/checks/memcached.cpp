// memcached over its text protocol, directly on Asio: `version` and `stats` pipelined on one
// write, the answer read back line by line up to END. The peer is untrusted: at most
// kMaxAnswer bytes are read, and whatever else comes back reads CRIT quoting it.
#include "healthchecks/checks/memcached.hpp"

#include <cstdint>
#include <mutex>
#include <optional>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "api/peer_answer.hpp"
#include "checks/network_check.hpp"
#include "checks/socket_probe.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

namespace asio = detail::asio;
using detail::Clock;

// The answer to `stats` is about 2 KiB (90 lines); a peer that sends much more is not memcached.
constexpr std::size_t kMaxAnswer = 64 * 1024;

// The eviction counter of the last run, shared by the runs of one Check: a rate needs two.
class EvictionHistory {
 public:
  /// Evictions per second since the last sample, or none: on the first sample, and when the
  /// counter went down (memcached restarted; the next sample has a rate again).
  std::optional<double> record(std::uint64_t evictions, Clock::time_point now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::optional<double> rate;
    if (seen_ && evictions >= evictions_ && now > at_) {
      rate = static_cast<double>(evictions - evictions_) /
             std::chrono::duration<double>(now - at_).count();
    }
    seen_ = true;
    evictions_ = evictions;
    at_ = now;
    return rate;
  }

 private:
  std::mutex mutex_;
  bool seen_ = false;
  std::uint64_t evictions_ = 0;
  Clock::time_point at_;
};

// A counter as memcached writes it: decimal digits only, within 64 bits.
std::optional<std::uint64_t> parse_counter(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// What the peer sent, on one line and short, for a message.
std::string one_line(std::string_view text) {
  std::string out;
  detail::append_one_line(out, detail::short_excerpt(text));
  return out;
}

std::string in_quotes(std::string_view text) {
  return "\"" + one_line(text) + "\"";
}

std::string format_rate(double per_second) {
  return detail::format_number(per_second < 100 ? "%.1f" : "%.0f", per_second);
}

class MemcachedProbe final : public detail::SocketProbe {
 public:
  MemcachedProbe(const CheckContext& context, Completion done, MemcachedOptions options,
                 std::shared_ptr<EvictionHistory> history)
      : SocketProbe(context, std::move(done), options.host, options.port),
        options_(std::move(options)),
        history_(std::move(history)) {}

 private:
  void on_connected() override {
    phase_ = "sending version and stats";
    static const std::string kRequest = "version\r\nstats\r\n";
    asio::async_write(socket_, asio::buffer(kRequest),
                      [self = self_as<MemcachedProbe>()](const error_code& ec, std::size_t) {
                        if (ec) return self->fail("write to " + self->where(), ec);
                        self->phase_ = "waiting for VERSION";
                        self->start_read_line();
                      });
  }

  void start_read_line() {
    asio::async_read_until(socket_, input_, "\r\n",
                           [self = self_as<MemcachedProbe>()](const error_code& ec, std::size_t n) {
                             self->on_read_line(ec, n);
                           });
  }

  std::string pending() const {
    return std::string(asio::buffers_begin(input_.data()), asio::buffers_end(input_.data()));
  }

  void on_read_line(const error_code& ec, std::size_t n) {
    if (ec == asio::error::not_found) {
      return finish(Status::crit(where() + " answered a line longer than " +
                                 std::to_string(kMaxAnswer / 1024) +
                                 " KiB: " + in_quotes(pending())));
    }
    if (ec == asio::error::eof) {
      const std::string rest = pending();
      return finish(Status::crit(where() + " closed the connection while " + phase_ +
                                 (rest.empty() ? std::string() : ", after " + in_quotes(rest))));
    }
    if (ec) return fail("read from " + where(), ec);
    read_ += n;
    if (read_ > kMaxAnswer) {
      return finish(Status::crit(where() + " answered more than " +
                                 std::to_string(kMaxAnswer / 1024) +
                                 " KiB to stats: not memcached?"));
    }
    const std::string line(asio::buffers_begin(input_.data()),
                           asio::buffers_begin(input_.data()) + n - 2);
    input_.consume(n);
    if (version_.empty()) {
      if (line.rfind("VERSION ", 0) != 0 || line.size() == 8) {
        return finish(Status::crit("version answered by " + where() + " with " + in_quotes(line)));
      }
      version_ = line.substr(8);
      phase_ = "reading stats";
      return start_read_line();
    }
    if (line == "END") return judge();
    if (line.rfind("STAT ", 0) != 0) {
      return finish(Status::crit("stats answered by " + where() + " with " + in_quotes(line)));
    }
    const auto space = line.find(' ', 5);
    const std::string name = line.substr(5, space == std::string::npos ? space : space - 5);
    const std::string value = space == std::string::npos ? std::string() : line.substr(space + 1);
    for (auto* field : {&bytes_, &limit_, &evictions_}) {
      if (name != field->name) continue;
      field->value = parse_counter(value);
      if (!field->value) {
        return finish(Status::crit("stats from " + where() + ": " + name +
                                   " is not a counter: " + in_quotes(value)));
      }
    }
    start_read_line();
  }

  void judge() {
    const auto took = elapsed();
    for (const auto* field : {&bytes_, &limit_, &evictions_}) {
      if (!field->value) {
        return finish(Status::crit("stats from " + where() + " lack " + field->name));
      }
    }
    if (*limit_.value == 0) {
      return finish(Status::crit("stats from " + where() + " say limit_maxbytes is 0"));
    }
    const double fill =
        100.0 * static_cast<double>(*bytes_.value) / static_cast<double>(*limit_.value);
    const auto rate = history_->record(*evictions_.value, Clock::now());
    constexpr double kMiB = 1024.0 * 1024.0;
    const std::string said =
        "memcached " + one_line(version_) + " at " + where() + " in " +
        detail::format_elapsed(took) + ": " + detail::format_number("%.1f%% full", fill) +
        detail::format_number(" (%.1f", static_cast<double>(*bytes_.value) / kMiB) +
        detail::format_number(" of %.1f MiB), ", static_cast<double>(*limit_.value) / kMiB) +
        (rate ? format_rate(*rate) + " evictions/s"
              : std::to_string(*evictions_.value) + " evictions since it started");
    std::string warnings;
    const auto warn = [&warnings](const std::string& text) {
      warnings += (warnings.empty() ? "" : "; ") + text;
    };
    if (options_.warn_fill_percent > 0 && fill > options_.warn_fill_percent) {
      warn(detail::format_number("WARN above %g%% full", options_.warn_fill_percent));
    }
    if (options_.warn_evictions_per_sec > 0 && rate && *rate > options_.warn_evictions_per_sec) {
      warn(detail::format_number("WARN above %g evictions/s", options_.warn_evictions_per_sec));
    }
    if (options_.warn_after.count() > 0 && took > options_.warn_after) {
      warn("WARN above " + detail::format_ms(options_.warn_after));
    }
    finish(warnings.empty() ? Status::ok({}, said) : Status::warn(said + " (" + warnings + ")"));
  }

  struct Counter {
    const char* name;
    std::optional<std::uint64_t> value;
  };

  MemcachedOptions options_;
  std::shared_ptr<EvictionHistory> history_;
  asio::streambuf input_{kMaxAnswer};  // a longer line is an error (not_found), not a read
  std::size_t read_ = 0;
  std::string version_;
  Counter bytes_{"bytes", {}};
  Counter limit_{"limit_maxbytes", {}};
  Counter evictions_{"evictions", {}};
};

}  // namespace

Check memcached(MemcachedOptions options) {
  auto history = std::make_shared<EvictionHistory>();
  return detail::network_check(
             "memcached",
             [options = std::move(options), history](const CheckContext& context, Completion done) {
               std::make_shared<MemcachedProbe>(context, std::move(done), options, history)
                   ->start();
             })
      .with_component_type("datastore");
}

}  // namespace healthchecks::checks
