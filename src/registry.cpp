#include "healthchecks/registry.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <exception>
#include <random>

#include "detail/completion.hpp"
#include "detail/core.hpp"
#include "detail/json_writer.hpp"
#include "detail/text.hpp"
#include "healthchecks/error.hpp"

namespace healthchecks {
namespace detail {
namespace {

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

constexpr std::string_view kReserved[] = {"am-i-up", "about", "aggregate", "traverse", "v2"};

bool slug_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

void validate(const StatusEndpoint& endpoint) {
  const std::string who = endpoint.name.empty() ? "endpoint with slug " + in_quotes(endpoint.slug)
                                                : "endpoint " + in_quotes(endpoint.name);
  if (endpoint.name.empty()) throw Error("registration", who + " has an empty name");
  if (endpoint.slug.empty()) throw Error("registration", who + " has an empty slug");
  for (std::size_t i = 0; i < endpoint.slug.size(); ++i) {
    if (!slug_char(endpoint.slug[i])) {
      throw Error("registration", "slug " + in_quotes(endpoint.slug) + " of " + who +
                                      " has a character outside [A-Za-z0-9._-] at position " +
                                      std::to_string(i));
    }
  }
  if (endpoint.slug == "." || endpoint.slug == "..") {
    throw Error("registration", "slug " + in_quotes(endpoint.slug) + " of " + who +
                                    " is a path dot-segment, which clients rewrite");
  }
  for (const auto reserved : kReserved) {
    if (iequals(endpoint.slug, reserved)) {
      throw Error("registration",
                  "slug " + in_quotes(endpoint.slug) + " of " + who +
                      " is reserved (am-i-up, about, aggregate, traverse and v2 are paths of the "
                      "API itself)");
    }
  }
  if (endpoint.type.empty()) {
    throw Error("registration", who +
                                    " has an empty type (use \"internal\" for what the "
                                    "service owns, anything else such as \"external\" "
                                    "for the rest)");
  }
  if (!endpoint.check) throw Error("registration", who + " has no status check");
  if (endpoint.traversable && !endpoint.traverse) {
    throw Error("registration", who + " is traversable but has no traverse check");
  }
  const auto not_negative = [&](std::chrono::milliseconds value, const char* what) {
    if (value.count() < 0) throw Error("registration", who + ": " + what + " must not be negative");
  };
  if (endpoint.timeout && endpoint.timeout->count() <= 0) {
    throw Error("registration", who + ": timeout must be positive");
  }
  not_negative(endpoint.cache_ttl, "cache_ttl");
  not_negative(endpoint.interval, "interval");
  if (endpoint.max_stale) not_negative(*endpoint.max_stale, "max_stale");
  if (endpoint.failures_before_crit < 1 || endpoint.successes_before_ok < 1) {
    throw Error("registration",
                who + ": failures_before_crit and successes_before_ok must be at least 1");
  }
}

std::string iso_time(std::chrono::system_clock::time_point when) {
  const auto t = std::chrono::system_clock::to_time_t(when);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[96];  // room for any int the format could meet
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buffer;
}

void append_string_list(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    append_json_string(out, values[i]);
  }
  out += ']';
}

// The About JSON up to `"dependencies":[`, in the reference's field order.
std::string render_about_head(const About& about) {
  std::string h = "{\"id\":";
  append_json_string(h, about.id);
  h += ",\"name\":";
  append_json_string(h, about.name);
  h += ",\"description\":";
  append_json_string(h, about.description);
  h += ",\"protocol\":\"http\",\"owners\":";
  append_string_list(h, about.owners);
  h += ",\"version\":";
  append_json_string(h, about.version);
  h += ",\"host\":";
  append_json_string(h, about.host);
  h += ",\"projectRepo\":";
  append_json_string(h, about.project_repo);
  h += ",\"projectHome\":";
  append_json_string(h, about.project_home);
  h += ",\"logsLinks\":";
  append_string_list(h, about.logs_links);
  h += ",\"statsLinks\":";
  append_string_list(h, about.stats_links);
  h += ",\"dependencies\":[";
  return h;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// EndpointState

EndpointState::EndpointState(StatusEndpoint endpoint, std::chrono::milliseconds timeout, Core& core)
    : endpoint_(std::move(endpoint)),
      internal_(endpoint_.type == "internal"),
      timeout_(timeout),
      max_stale_(endpoint_.max_stale ? endpoint_.max_stale
                 : endpoint_.interval.count() > 0
                     ? std::optional<std::chrono::milliseconds>(2 * endpoint_.interval + timeout)
                     : std::nullopt),
      core_(core),
      shown_(Status::ok(endpoint_.name)) {}

std::shared_ptr<Gate> EndpointState::gate() const {
  return core_.gate();
}

void EndpointState::get(const Budget& budget, OutcomeHandler done) {
  if (budget.cycle && endpoint_.traversable) {
    // The request came back here through a peer: asking that peer again would go round the
    // cycle until the deadline. The peers' state is being checked upstream already.
    done(Outcome{Status::ok(endpoint_.name,
                            "not checked: this request already passed through "
                            "this service (a cycle in the service graph)"),
                 Clock::duration::zero(), std::nullopt, 0});
    return;
  }
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  if (auto memory = remembered(now)) {
    lock.unlock();
    done(std::move(*memory));
    return;
  }
  if (background() && !last_ && core_.options().first_result == FirstResult::warn) {
    lock.unlock();
    done(Outcome{Status::warn(endpoint_.name,
                              "not checked yet: the first background check "
                              "has not finished"),
                 Clock::duration::zero(), std::nullopt, 0});
    return;
  }
  const auto deadline = std::min(budget.deadline, now + timeout_);
  if (deadline <= now) {
    lock.unlock();
    done(Outcome{Status::crit(endpoint_.name, "not run: the request has no time left"),
                 Clock::duration::zero(), std::nullopt, 0});
    return;
  }
  std::string key = budget.key();
  Execution* execution = find_key(key);
  std::uint64_t launching = 0;
  if (execution == nullptr) {
    if (!key.empty() && !core_.claim_caller_execution()) {
      // Callers with chains (a flood of made-up ones, say) have taken every slot. A peer's
      // request must not fail for that: it reads the last result obtained without a chain,
      // whatever its age (shown), which nobody's headers chose. Only before any exists, 503.
      Outcome outcome{Status::crit(endpoint_.name,
                                   "not run: too many checks are running for callers' hop "
                                   "chains (max_caller_executions); try again"),
                      Clock::duration::zero(), std::nullopt, 0, true};
      if (last_) outcome = Outcome{shown_, last_->duration, seconds(now - last_->finished), 0};
      lock.unlock();
      done(std::move(outcome));
      return;
    }
    execution =
        &begin_execution(now, std::move(key), budget.hops, budget.chain(core_.instance_id()));
    launching = execution->id;
  }
  const auto id = ++waiter_seq_;
  waiters_.push_back(Waiter{id, execution->id, std::move(done), now, deadline, Timer{}});
  // The execution's own deadline answers its waiters; a waiter needs a timer of its own only
  // when it has less time, or when it joined a hung execution whose deadline already passed.
  const bool own_timer = deadline < execution->deadline || execution->resolved;
  lock.unlock();
  if (own_timer) arm_waiter_deadline(id, deadline);
  if (launching != 0) launch(launching);
}

// Inline: glance() runs it once per endpoint per poll (out of line, an aggregate of 100 cached
// checks cost 7 % more instructions, measured with callgrind).
inline bool EndpointState::judge(Clock::duration age, Clock::time_point now,
                                 Clock::time_point next_refresh, Memory& memory) const {
  if (background()) {
    memory.fresh_for = std::max(Clock::duration::zero(), next_refresh - now);
  } else if (endpoint_.cache_ttl.count() > 0 && age < endpoint_.cache_ttl) {
    memory.fresh_for = endpoint_.cache_ttl - age;
  } else {
    return false;
  }
  memory.age = age;
  memory.stale = max_stale_ && age > *max_stale_;
  if (memory.stale) memory.fresh_for = Clock::duration::zero();
  return true;
}

bool EndpointState::memory(Clock::time_point now, Memory& memory) const {
  return last_ && judge(now - last_->finished, now, next_refresh_, memory);
}

void EndpointState::update_snapshot() {
  auto& s = snapshot_;
  const unsigned sequence = s.sequence.load(std::memory_order_relaxed);
  s.sequence.store(sequence + 1, std::memory_order_relaxed);  // odd: being written
  std::atomic_thread_fence(std::memory_order_release);
  s.has_result.store(last_.has_value(), std::memory_order_relaxed);
  s.level.store(static_cast<int>(shown_.level), std::memory_order_relaxed);
  s.finished.store(last_ ? last_->finished.time_since_epoch().count() : 0,
                   std::memory_order_relaxed);
  s.next_refresh.store(next_refresh_.time_since_epoch().count(), std::memory_order_relaxed);
  s.sequence.store(sequence + 2, std::memory_order_release);
}

std::optional<Outcome> EndpointState::remembered(Clock::time_point now) const {
  Memory memory;
  if (!this->memory(now, memory)) return std::nullopt;
  Outcome outcome{shown_, last_->duration, seconds(memory.age), seconds(memory.fresh_for)};
  if (memory.stale) {
    // Nobody could refresh it: it is not OK any more, whatever it said.
    outcome.status.level = worst(shown_.level, Level::warn);
    outcome.status.details = "stale: the last result is " + format_ms(memory.age) +
                             " old, older than the " + format_ms(*max_stale_) + " limit; it said " +
                             std::string(to_string(shown_.level)) +
                             (shown_.details.empty() ? "" : ": " + shown_.details);
  }
  return outcome;
}

bool EndpointState::glance(Clock::time_point now, Glance& glance) const {
  const auto& s = snapshot_;
  bool has_result;
  Level level;
  Clock::time_point finished;
  Clock::time_point next_refresh;
  for (;;) {
    const unsigned before = s.sequence.load(std::memory_order_acquire);
    if (before & 1u) continue;  // a writer is in the middle
    has_result = s.has_result.load(std::memory_order_relaxed);
    level = static_cast<Level>(s.level.load(std::memory_order_relaxed));
    finished = Clock::time_point(Clock::duration(s.finished.load(std::memory_order_relaxed)));
    next_refresh =
        Clock::time_point(Clock::duration(s.next_refresh.load(std::memory_order_relaxed)));
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.sequence.load(std::memory_order_relaxed) == before) break;
  }
  Memory memory;
  if (!has_result || !judge(now - finished, now, next_refresh, memory)) return false;
  glance.age = memory.age;
  glance.fresh_for = memory.fresh_for;
  glance.level = memory.stale ? worst(level, Level::warn) : level;
  return true;
}

std::optional<Outcome> EndpointState::peek(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return remembered(now);
}

EndpointState::Execution* EndpointState::find_execution(std::uint64_t id) {
  for (auto& execution : executions_) {
    if (execution.id == id) return &execution;
  }
  return nullptr;
}

EndpointState::Execution* EndpointState::find_key(const std::string& key) {
  for (auto& execution : executions_) {
    if (execution.key == key) return &execution;
  }
  return nullptr;
}

EndpointState::Execution& EndpointState::begin_execution(Clock::time_point now, std::string key,
                                                         int hops, std::string via) {
  Execution& execution = executions_.emplace_back();
  execution.id = ++exec_seq_;
  execution.key = std::move(key);
  execution.started = now;
  // Always the endpoint's own time-out: a caller in a hurry stops waiting, the check goes on.
  execution.deadline = now + timeout_;
  execution.hops = hops;
  execution.via = std::move(via);
  return execution;
}

void EndpointState::end_execution(std::uint64_t id) {
  for (auto it = executions_.begin(); it != executions_.end(); ++it) {
    if (it->id != id) continue;
    if (!it->key.empty()) core_.release_caller_execution();
    it->timer.cancel();
    executions_.erase(it);
    return;
  }
}

std::vector<EndpointState::Waiter> EndpointState::take_waiters(std::uint64_t execution) {
  std::vector<Waiter> taken;
  auto kept = waiters_.begin();
  for (auto& waiter : waiters_) {
    if (waiter.execution == execution) {
      taken.push_back(std::move(waiter));
    } else {
      *kept++ = std::move(waiter);
    }
  }
  waiters_.erase(kept, waiters_.end());
  return taken;
}

bool EndpointState::shared_execution(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Execution* execution = find_execution(id);
  return execution != nullptr && execution->key.empty();
}

void EndpointState::launch(std::uint64_t id) {
  CheckContext context;
  context.name = endpoint_.name;
  context.slug = endpoint_.slug;
  context.runtime = &core_.runtime();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const Execution* execution = find_execution(id);
    if (execution == nullptr) return;
    context.started = execution->started;
    context.deadline = execution->deadline;
    context.hops = execution->hops;
    context.via = execution->via;
  }
  const Clock::time_point deadline = context.deadline;
  auto self = shared_from_this();
  auto gate = core_.gate();

  if (endpoint_.check.is_async()) {
    // Weak: a check that keeps its Completion (in its own state, say) must not keep the
    // endpoint alive through it.
    std::weak_ptr<EndpointState> weak = self;
    Completion completion = CompletionState::make([weak, gate, id](Status status) {
      GateEntry in(*gate);
      if (!in) return;
      if (auto state = weak.lock()) state->finish(id, std::move(status));
    });
    std::string threw;
    try {
      endpoint_.check.async_function()(context, completion);
    } catch (const std::exception& e) {
      threw = std::string("check threw: ") + e.what();
    } catch (...) {
      threw = "check threw an exception that is not a std::exception";
    }
    if (!threw.empty()) {
      if (shared_execution(id)) core_.problem(endpoint_, CheckProblem::Kind::threw, threw);
      completion(Status::crit({}, std::move(threw)));
    }
    arm_execution_deadline(id, deadline);
    return;
  }
  arm_execution_deadline(id, deadline);
  core_.runtime().post_blocking([self, gate, id, context] {
    Status status;
    std::string threw;
    try {
      status = self->endpoint_.check.sync_function()(context);
    } catch (const std::exception& e) {
      threw = std::string("check threw: ") + e.what();
    } catch (...) {
      threw = "check threw an exception that is not a std::exception";
    }
    GateEntry in(*gate);
    if (!in) return;
    if (!threw.empty()) {
      if (self->shared_execution(id)) {
        self->core_.problem(self->endpoint_, CheckProblem::Kind::threw, threw);
      }
      status = Status::crit({}, std::move(threw));
    }
    self->finish(id, std::move(status));
  });
}

void EndpointState::arm_execution_deadline(std::uint64_t id, Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const Execution* execution = find_execution(id);
    if (execution == nullptr || execution->resolved) return;  // answered inline
  }
  auto self = shared_from_this();
  auto gate = core_.gate();
  Timer timer = core_.runtime().schedule(deadline, [self, gate, id] {
    GateEntry in(*gate);
    if (in) self->execution_deadline(id);
  });
  std::lock_guard<std::mutex> lock(mutex_);
  Execution* execution = find_execution(id);
  if (execution != nullptr && !execution->resolved) {
    execution->timer = std::move(timer);
  } else {
    timer.cancel();
  }
}

void EndpointState::arm_waiter_deadline(std::uint64_t id, Clock::time_point deadline) {
  auto self = shared_from_this();
  auto gate = core_.gate();
  Timer timer = core_.runtime().schedule(deadline, [self, gate, id] {
    GateEntry in(*gate);
    if (in) self->waiter_deadline(id);
  });
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
  if (it != waiters_.end()) {
    it->timer = std::move(timer);
  } else {
    timer.cancel();
  }
}

void EndpointState::finish(std::uint64_t id, Status status) {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  Execution* execution = find_execution(id);
  if (execution == nullptr) return;
  if (execution->resolved) {
    // A late answer: the deadline already reported this execution as timed out, and an answer
    // slower than the deadline is not one to show. Whoever joined it meanwhile gets a new run,
    // under the same key and chain.
    if (std::none_of(waiters_.begin(), waiters_.end(),
                     [id](const Waiter& w) { return w.execution == id; })) {
      end_execution(id);
      return;
    }
    const auto next = ++exec_seq_;
    execution->id = next;
    execution->started = now;
    execution->deadline = now + timeout_;
    execution->resolved = false;
    for (auto& waiter : waiters_) {
      if (waiter.execution == id) waiter.execution = next;
    }
    lock.unlock();
    launch(next);
    return;
  }
  const bool shared = execution->key.empty();
  const auto started = execution->started;
  end_execution(id);
  answer(id, shared, started, std::move(status), now, lock);
}

void EndpointState::execution_deadline(std::uint64_t id) {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  Execution* execution = find_execution(id);
  if (execution == nullptr || execution->resolved) return;
  execution->resolved = true;  // still listed: the check holds its thread, if it has one
  execution->timer = Timer{};
  const bool shared = execution->key.empty();
  const auto started = execution->started;
  std::string details = "timed out after " + format_ms(execution->deadline - execution->started);
  if (shared) core_.problem(endpoint_, CheckProblem::Kind::timed_out, details);
  answer(id, shared, started, Status::crit(endpoint_.name, std::move(details)), now, lock);
}

void EndpointState::waiter_deadline(std::uint64_t id) {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  const auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
  if (it == waiters_.end()) return;
  Waiter waiter = std::move(*it);
  waiters_.erase(it);
  const Execution* execution = find_execution(waiter.execution);
  const bool hung = execution != nullptr && execution->resolved;
  const auto running_for = execution != nullptr ? now - execution->started : Clock::duration{};
  lock.unlock();
  const auto waited = format_ms(waiter.deadline - waiter.arrived);
  std::string details;
  if (hung) {
    details = "timed out after " + waited + " (an earlier execution, started " +
              format_ms(running_for) + " ago, is still running)";
  } else {
    // The request's own deadline came first: the check goes on for the others.
    details = "timed out waiting after " + waited +
              " (the request's deadline; the check may take " + format_ms(timeout_) + ")";
  }
  waiter.done(Outcome{Status::crit(endpoint_.name, std::move(details)), now - waiter.arrived,
                      std::nullopt, 0});
}

void EndpointState::answer(std::uint64_t id, bool shared, Clock::time_point started, Status status,
                           Clock::time_point now, std::unique_lock<std::mutex>& lock) {
  auto waiters = take_waiters(id);
  if (status.description.empty()) status.description = endpoint_.name;
  core_.scrub(status);
  if (shared) return publish(std::move(status), started, now, std::move(waiters), lock);
  // A result made under a caller's chain is that caller's alone: not remembered, not dampened,
  // not told to listeners.
  lock.unlock();
  const Outcome outcome{std::move(status), now - started, std::nullopt, 0};
  for (auto& waiter : waiters) waiter.timer.cancel();
  for (auto& waiter : waiters) waiter.done(outcome);
}

void EndpointState::publish(Status status, Clock::time_point started, Clock::time_point now,
                            std::vector<Waiter> waiters, std::unique_lock<std::mutex>& lock) {
  last_ = Result{status, now, now - started};
  dampen(status, now);
  update_snapshot();
  double fresh_for = 0;
  if (background()) {
    fresh_for = seconds(endpoint_.interval);
  } else if (endpoint_.cache_ttl.count() > 0) {
    fresh_for = seconds(endpoint_.cache_ttl);
  }
  const Outcome outcome{shown_, last_->duration, std::nullopt, fresh_for};
  const bool changed = !changes_.empty();
  lock.unlock();

  if (background()) schedule_refresh(now + endpoint_.interval);
  for (auto& waiter : waiters) waiter.timer.cancel();
  // Listeners and the history hear of a change before anybody sees it in an answer.
  if (changed) deliver_changes();
  for (auto& waiter : waiters) waiter.done(outcome);
}

void EndpointState::dampen(const Status& raw, Clock::time_point) {
  const bool shown_ok = shown_.level == Level::ok;
  const bool raw_ok = raw.level == Level::ok;
  const auto change = [&](Level from) {
    changes_.push_back(StatusChange{endpoint_.slug, endpoint_.name, from, raw.level, raw,
                                    std::chrono::system_clock::now()});
  };
  if (shown_ok == raw_ok) {
    disagreeing_ = 0;
    if (raw.level != shown_.level) change(shown_.level);
    shown_ = raw;
    return;
  }
  const int needed = shown_ok ? endpoint_.failures_before_crit : endpoint_.successes_before_ok;
  if (++disagreeing_ >= needed) {
    disagreeing_ = 0;
    change(shown_.level);
    shown_ = raw;
    return;
  }
  // Not yet: keep the level shown, and say what is on its way.
  const std::string progress = std::to_string(disagreeing_) + " of " + std::to_string(needed);
  if (shown_ok) {
    shown_ = Status::ok(endpoint_.name, progress + " consecutive failures before " +
                                            std::string(to_string(raw.level)) +
                                            "; last: " + raw.details);
  } else {
    const auto base = shown_.details.substr(0, shown_.details.find(" (recovering: "));
    shown_.details = base + " (recovering: " + progress + " consecutive OK results)";
  }
}

void EndpointState::deliver_changes() {
  // One deliverer at a time, taking changes in the order they were recorded.
  std::lock_guard<std::mutex> delivering(deliver_mutex_);
  std::vector<StatusChange> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(changes_);
  }
  for (const auto& change : batch) core_.notify(change);
}

void EndpointState::start_background() {
  schedule_refresh(Clock::now());
}

void EndpointState::schedule_refresh(Clock::time_point at) {
  auto self = shared_from_this();
  auto gate = core_.gate();
  std::unique_lock<std::mutex> lock(mutex_);
  // Scheduled with mutex_ held: a refresh that fires at once (and schedules the next) needs
  // mutex_, so it cannot install its timer before this one is in place; scheduled outside,
  // this call could swap its spent timer over the next one and cancel that, ending the chain.
  Timer timer = core_.runtime().schedule(at, [self, gate] {
    GateEntry in(*gate);
    if (in) self->refresh();
  });
  next_refresh_ = at;
  update_snapshot();
  std::swap(refresh_timer_, timer);
  lock.unlock();
  timer.cancel();  // the one it replaces, so that there is one refresh chain
}

void EndpointState::refresh() {
  const auto now = Clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  if (find_key({}) != nullptr) {  // a request's execution, or a hung one: look again later
    lock.unlock();
    schedule_refresh(now + endpoint_.interval);
    return;
  }
  const auto id = begin_execution(now, {}, 0, core_.instance_id()).id;
  lock.unlock();
  launch(id);
}

// ---------------------------------------------------------------------------------------------
// Core

Core::Core(About about, RegistryOptions options)
    : about_(std::move(about)), options_(std::move(options)), gate_(std::make_shared<Gate>()) {
  if (options_.default_timeout.count() <= 0) {
    throw Error("options", "default_timeout must be positive");
  }
  if (options_.history_size > 0 && options_.history_key.empty()) {
    throw Error("options", "history_key must not be empty when history_size is set");
  }
  if (!about_.custom_data.is_object()) {
    throw Error("options", "About::custom_data must be a JSON object, not " +
                               std::string(about_.custom_data.type_name()));
  }
  if (about_.host.empty()) about_.host = host_name();
  for (const auto& secret : options_.secrets) {
    if (secret.size() < kMinSecretLength) continue;
    secrets_.push_back(secret);
    std::string quoted;
    append_json_string(quoted, secret);  // as it reads inside a JSON string, if escaped
    quoted = quoted.substr(1, quoted.size() - 2);
    if (quoted != secret) secrets_.push_back(quoted);
  }
  // Longest first: a secret that contains another is masked whole.
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  runtime_ = std::make_unique<Runtime>(options_.io_threads, options_.max_check_threads);
  std::random_device random;
  char id[20];
  std::snprintf(id, sizeof id, "%08x%08x", random(), random());
  instance_id_ = id;

  about_head_ = scrub(render_about_head(about_));
  // Redacted: who the service is, and nothing that helps an attacker (contacts, links,
  // version, host) or that it did not mean to publish (customData).
  About redacted;
  redacted.id = about_.id;
  redacted.name = about_.name;
  redacted.host = "N/A";
  about_head_redacted_ = scrub(render_about_head(redacted));
  render_tail();
}

Core::~Core() {
  gate_->close();
  runtime_.reset();
}

void Core::render_tail() {
  nlohmann::json custom = about_.custom_data;
  if (options_.history_size > 0) {
    auto& list = custom[options_.history_key] = nlohmann::json::array();
    for (const auto& change : history_) {
      list.push_back({{"time", iso_time(change.when)},
                      {"slug", change.slug},
                      {"name", change.name},
                      {"from", std::string(to_string(change.from))},
                      {"to", std::string(to_string(change.to))},
                      {"details", change.status.details}});
    }
  }
  std::string tail = "],\"customData\":";
  append_json(tail, custom);
  tail += '}';
  about_tail_ = std::make_shared<const std::string>(scrub(std::move(tail)));
}

std::shared_ptr<const std::string> Core::about_tail() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return about_tail_;
}

void Core::add(StatusEndpoint endpoint) {
  validate(endpoint);
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_) {
    throw Error("registration", "cannot add " + in_quotes(endpoint.slug) +
                                    ": the registry is already serving (register every "
                                    "endpoint before making a Router or Server)");
  }
  for (const auto& existing : endpoints_) {
    if (existing->endpoint().slug == endpoint.slug) {
      throw Error("registration", "slug " + in_quotes(endpoint.slug) + " is registered twice (" +
                                      in_quotes(existing->endpoint().name) + " and " +
                                      in_quotes(endpoint.name) + ")");
    }
  }
  const auto timeout = endpoint.timeout.value_or(options_.default_timeout);
  endpoints_.push_back(std::make_shared<EndpointState>(std::move(endpoint), timeout, *this));
}

void Core::start() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_) return;
    started_ = true;
  }
  for (const auto& endpoint : endpoints_) {
    if (endpoint->endpoint().interval.count() > 0) endpoint->start_background();
  }
}

bool Core::started() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

EndpointState* Core::find(std::string_view slug) const noexcept {
  for (const auto& endpoint : endpoints_) {
    if (endpoint->endpoint().slug == slug) return endpoint.get();
  }
  return nullptr;
}

void Core::notify(const StatusChange& change) {
  if (options_.history_size > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    history_.push_back(change);
    while (history_.size() > options_.history_size) history_.pop_front();
    render_tail();
  }
  if (options_.on_change) {
    try {
      options_.on_change(change);
    } catch (...) {  // a listener's failure is its own; the health answers go on
    }
  }
}

void Core::problem(const StatusEndpoint& endpoint, CheckProblem::Kind kind,
                   const std::string& details) {
  if (!options_.on_problem) return;
  try {
    options_.on_problem(CheckProblem{endpoint.slug, endpoint.name, kind, scrub(details),
                                     std::chrono::system_clock::now()});
  } catch (...) {  // a listener's failure is its own
  }
}

std::string Core::scrub(std::string text) const {
  return mask_secrets(std::move(text), secrets_);
}

void Core::scrub(Status& status) const {
  if (secrets_.empty()) return;
  status.description = scrub(std::move(status.description));
  status.details = scrub(std::move(status.details));
}

bool Core::claim_caller_execution() noexcept {
  if (caller_executions_.fetch_add(1) < options_.max_caller_executions) return true;
  caller_executions_.fetch_sub(1);
  return false;
}

void Core::release_caller_execution() noexcept {
  caller_executions_.fetch_sub(1);
}

std::string_view recent_ids(std::string_view via, std::size_t limit) {
  while (via.size() > limit) {
    const auto comma = via.find(',');
    via = comma == std::string_view::npos ? std::string_view() : via.substr(comma + 1);
  }
  return via;
}

std::string Budget::chain(const std::string& self) const {
  if (via.empty()) return self;
  const std::size_t room = kMaxViaBytes > self.size() + 1 ? kMaxViaBytes - self.size() - 1 : 0;
  const auto kept = recent_ids(via, room);
  return kept.empty() ? self : std::string(kept) + "," + self;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Registry

Registry::Registry(About about, RegistryOptions options)
    : core_(std::make_shared<detail::Core>(std::move(about), std::move(options))) {}

Registry::~Registry() = default;

Registry& Registry::add(StatusEndpoint endpoint) {
  core_->add(std::move(endpoint));
  return *this;
}

void Registry::start() {
  core_->start();
}

const About& Registry::about() const noexcept {
  return core_->about();
}

std::vector<const StatusEndpoint*> Registry::endpoints() const {
  std::vector<const StatusEndpoint*> list;
  for (const auto& state : core_->endpoints()) list.push_back(&state->endpoint());
  return list;
}

}  // namespace healthchecks
