#include "core/engine.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

#include "healthchecks/error.hpp"
#include "util/json_writer.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {
namespace {
std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}
}  // namespace

Engine::Engine(About about, RegistryOptions options)
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
  std::random_device random;
  char id[20];
  std::snprintf(id, sizeof id, "%08x%08x", random(), random());
  instance_id_ = id;
}

Engine::~Engine() {
  gate_->close();
  runtime_.reset();  // joins the I/O threads: no timer or check runs after this
}

std::deque<StatusChange> Engine::history() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return history_;
}

void Engine::add(StatusEndpoint endpoint) {
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

void Engine::start() {
  // Once, and every caller returns with the runtime made: concurrent first calls (requests that
  // start the registry, such as Registry::check_health) must not use it before it exists.
  std::call_once(start_once_, [this] {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      started_ = true;
    }
    // Threads only now: a registry that is only filled and validated (the sidecar's --check, a
    // test) starts none.
    runtime_ = std::make_unique<Runtime>(options_.io_threads, options_.max_check_threads);
    for (const auto& endpoint : endpoints_) {
      if (endpoint->endpoint().interval.count() > 0) endpoint->start_background();
    }
  });
}

bool Engine::started() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

EndpointState* Engine::find(std::string_view slug) const noexcept {
  for (const auto& endpoint : endpoints_) {
    if (endpoint->endpoint().slug == slug) return endpoint.get();
  }
  return nullptr;
}

void Engine::notify(const StatusChange& change) {
  std::vector<std::shared_ptr<Listener>> listeners;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (options_.history_size > 0) {
      history_.push_back(change);
      while (history_.size() > options_.history_size) history_.pop_front();
      history_generation_.fetch_add(1, std::memory_order_release);
    }
    listeners = listeners_;
  }
  const auto tell = [&change](const StatusListener& listener) {
    try {
      listener(change);
    } catch (...) {  // a listener's failure is its own; the health answers go on
    }
  };
  if (options_.on_change) tell(options_.on_change);
  for (const auto& entry : listeners) {
    std::lock_guard<std::recursive_mutex> running(entry->running);
    if (entry->listener) tell(entry->listener);
  }
}

std::uint64_t Engine::subscribe(StatusListener listener) {
  auto entry = std::make_shared<Listener>();
  entry->listener = std::move(listener);
  std::lock_guard<std::mutex> lock(mutex_);
  entry->id = ++listener_seq_;
  listeners_.push_back(entry);
  return entry->id;
}

void Engine::unsubscribe(std::uint64_t id) {
  std::shared_ptr<Listener> entry;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = std::find_if(listeners_.begin(), listeners_.end(),
                                 [id](const auto& l) { return l->id == id; });
    if (it == listeners_.end()) return;
    entry = *it;
    listeners_.erase(it);
  }
  std::lock_guard<std::recursive_mutex> running(entry->running);  // waits for a running call
  entry->listener = nullptr;
}

void Engine::problem(const StatusEndpoint& endpoint, CheckProblem::Kind kind,
                     const std::string& details) {
  if (!options_.on_problem) return;
  try {
    options_.on_problem(CheckProblem{endpoint.slug, endpoint.name, kind, scrub(details),
                                     std::chrono::system_clock::now()});
  } catch (...) {  // a listener's failure is its own
  }
}

std::string Engine::scrub(std::string text) const {
  return mask_secrets(std::move(text), secrets_);
}

void Engine::scrub(Status& status) const {
  if (secrets_.empty()) return;
  status.description = scrub(std::move(status.description));
  status.details = scrub(std::move(status.details));
}

bool Engine::claim_caller_execution() noexcept {
  if (caller_executions_.fetch_add(1) < options_.max_caller_executions) return true;
  caller_executions_.fetch_sub(1);
  return false;
}

void Engine::release_caller_execution() noexcept {
  caller_executions_.fetch_sub(1);
}

}  // namespace healthchecks::detail
