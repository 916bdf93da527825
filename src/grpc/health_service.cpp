// grpc.health.v1.Health over the public API only (Registry::check_health and subscribe): the
// library may be a shared one whose internals are hidden. Check asks the registry once; Watch
// asks at once, then follows the registry's level changes and asks again every watch_refresh.
// No gRPC thread ever waits on a check: answers finish the calls from the registry's threads.
#include "healthchecks/grpc/health_service.hpp"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"

namespace healthchecks {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using Serving = HealthCheckResponse::ServingStatus;
using Clock = std::chrono::steady_clock;

// How often an open Watch on an aggregate name looks at Registry::ready(), which tells no
// listener when it changes (draining).
constexpr std::chrono::milliseconds kReadyPoll{250};

// The question a service name asks; nullopt for a "type:" that is neither internal nor external.
std::optional<HealthQuery> parse_service_name(const std::string& name) {
  HealthQuery query;
  if (name.rfind("type:", 0) == 0) {
    query.type = name.substr(5);
    if (query.type != "internal" && query.type != "external") return std::nullopt;
  } else {
    query.slug = name;  // "" is the aggregate; slugs hold no ':'
  }
  return query;
}

std::string unknown_name_message(const std::string& name) {
  // The name is the caller's: shown shortened, never at any length.
  const std::string shown = name.size() > 64 ? name.substr(0, 64) + "..." : name;
  return "unknown service name \"" + shown +
         "\": expected \"\" (every dependency), a dependency's slug, \"type:internal\" or "
         "\"type:external\"";
}

Serving serving(Level level, bool warn_is_serving) {
  if (level == Level::ok || (level == Level::warn && warn_is_serving)) {
    return HealthCheckResponse::SERVING;
  }
  return HealthCheckResponse::NOT_SERVING;
}

// The call's deadline on the registry's clock, a little early (a tenth of the time left, at
// most 100 ms) so that a check that runs past it reads NOT_SERVING before the client gives up.
Clock::time_point registry_deadline(std::chrono::system_clock::time_point deadline) {
  const auto now = std::chrono::system_clock::now();
  if (deadline == std::chrono::system_clock::time_point::max()) return Clock::time_point::max();
  const auto left = deadline - now;
  if (left > std::chrono::hours(24 * 365)) return Clock::time_point::max();
  const auto margin = std::min<std::chrono::system_clock::duration>(
      std::max<std::chrono::system_clock::duration>(left / 10, {}), std::chrono::milliseconds(100));
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(left - margin);
}

// A Check call: finished once, by the registry's answer or by cancellation, whichever comes
// first; `finished` outlives the reactor so that a late answer knows to leave it alone.
class CheckReactor final : public grpc::ServerUnaryReactor {
 public:
  CheckReactor() : finished_(std::make_shared<std::atomic<bool>>(false)) {}
  std::shared_ptr<std::atomic<bool>> finished() const { return finished_; }
  void finish_once(const grpc::Status& status) {
    if (!finished_->exchange(true)) Finish(status);
  }
  void OnCancel() override { finish_once(grpc::Status::CANCELLED); }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<std::atomic<bool>> finished_;
};

class WatchReactor;

// What the service, its refresh thread, its subscription and the registry's late answers
// share. A WatchReactor is in `watches` from its start to its OnDone, and is only touched under
// `mutex`, or outside it by whoever holds its pending write or its Finish (see Step).
struct Shared {
  Registry* registry = nullptr;
  GrpcHealthOptions options;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, WatchReactor*> watches;
  std::map<std::string, bool> critical;  // by slug, filled by the first call
};

// What to do to a reactor once the lock is released.
enum class Step { none, write, finish };

class WatchReactor final : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  WatchReactor(std::shared_ptr<Shared> shared, std::optional<HealthQuery> query)
      : shared_(std::move(shared)), query_(std::move(query)) {}

  // Under the lock: wants `status` on the stream; writes it unless a write is in flight (then
  // OnWriteDone sends the latest) or the same status was the last one sent.
  Step want(Serving status) {
    wanted_ = status;
    if (writing_ || ending_ || sent_ == wanted_) return Step::none;
    writing_ = true;
    sent_ = wanted_;
    message_.set_status(status);
    return Step::write;
  }
  // Outside the lock: safe because a pending write or Finish keeps the reactor from OnDone.
  void perform(Step step) {
    if (step == Step::write) StartWrite(&message_);
    if (step == Step::finish) Finish(grpc::Status::CANCELLED);
  }

  // Under the lock: the registry's answer to a question asked when `asked` changes were seen.
  Step answered(const HealthAnswer& answer, std::uint64_t asked) {
    switch (answer.outcome) {
      case HealthAnswer::Outcome::answered:
        break;
      case HealthAnswer::Outcome::unknown_slug:
      case HealthAnswer::Outcome::bad_type:
        query_.reset();  // nothing to follow: SERVICE_UNKNOWN until the client goes
        return want(HealthCheckResponse::SERVICE_UNKNOWN);
      case HealthAnswer::Outcome::busy:
        return Step::none;  // the next refresh asks again
    }
    // A change told while the question was out is newer than the answer's levels.
    if (!have_levels_ || changes_ == asked) {
      // A draining registry answers without levels: the ones known stay for later changes.
      if (!answer.levels.empty()) levels_ = answer.levels;
      have_levels_ = true;
      return want(serving(answer.status.level, shared_->options.warn_is_serving));
    }
    return follow();
  }
  // Under the lock: a level change of one dependency.
  Step changed(const StatusChange& change) {
    if (!have_levels_) return Step::none;  // the first answer is still to come
    for (auto& [slug, level] : levels_) {
      if (slug != change.slug || level == change.to) continue;
      level = change.to;
      ++changes_;
      return follow();
    }
    return Step::none;
  }
  // Under the lock: the verdict from the levels known, as aggregate judges them.
  Step follow() {
    if (!have_levels_ || !query_) return Step::none;
    Level verdict = Level::ok;
    if (!query_->slug.empty()) {
      if (!levels_.empty()) verdict = levels_.front().second;
    } else if (!shared_->registry->ready()) {
      verdict = Level::crit;  // draining
    } else {
      for (const auto& [slug, level] : levels_) {
        const auto critical = shared_->critical.find(slug);
        if (level == Level::crit && (critical == shared_->critical.end() || critical->second)) {
          verdict = Level::crit;
          break;
        }
        verdict = worst(verdict, std::min(level, Level::warn));
      }
    }
    return want(serving(verdict, shared_->options.warn_is_serving));
  }

  // Under the lock: Finish, unless it was called already (a broken write, then OnCancel).
  Step finish_step() {
    if (finished_) return Step::none;
    finished_ = true;
    return Step::finish;
  }

  const std::optional<HealthQuery>& query() const { return query_; }
  std::uint64_t changes() const { return changes_; }
  bool aggregate() const { return query_ && query_->slug.empty(); }

  void OnWriteDone(bool ok) override {
    Step step = Step::none;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      writing_ = false;
      if (!ok) ending_ = true;  // the stream is gone
      if (ending_) {
        step = finish_step();
      } else if (wanted_ && sent_ != wanted_) {
        step = want(*wanted_);
      }
    }
    perform(step);
  }
  void OnCancel() override {
    Step step = Step::none;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      ending_ = true;
      if (!writing_) step = finish_step();  // else OnWriteDone finishes
    }
    perform(step);
  }
  void OnDone() override {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->watches.erase(id);
    }
    shared_->wake.notify_all();
    delete this;
  }

  std::uint64_t id = 0;

 private:
  std::shared_ptr<Shared> shared_;
  std::optional<HealthQuery> query_;  // nullopt: an unknown name
  std::vector<std::pair<std::string, Level>> levels_;
  bool have_levels_ = false;
  std::uint64_t changes_ = 0;  // level changes applied
  std::optional<Serving> wanted_;
  std::optional<Serving> sent_;  // the last status written, or being written
  bool writing_ = false;
  bool ending_ = false;  // cancelled or broken: Finish once no write is in flight
  bool finished_ = false;
  HealthCheckResponse message_;
};

// Steps collected under the lock, performed after it.
using Steps = std::vector<std::pair<WatchReactor*, Step>>;

void perform(const Steps& steps) {
  for (const auto& [reactor, step] : steps) reactor->perform(step);
}

// Asks the registry for the watches `ids` (all with the same question) and applies the answer.
void ask(const std::shared_ptr<Shared>& shared, HealthQuery query,
         std::vector<std::pair<std::uint64_t, std::uint64_t>> ids_and_changes) {
  std::weak_ptr<Shared> weak = shared;
  shared->registry->check_health(
      std::move(query), [weak, ids_and_changes = std::move(ids_and_changes)](HealthAnswer answer) {
        const auto shared = weak.lock();
        if (!shared) return;
        Steps steps;
        {
          std::lock_guard<std::mutex> lock(shared->mutex);
          for (const auto& [id, changes] : ids_and_changes) {
            const auto it = shared->watches.find(id);
            if (it == shared->watches.end()) continue;  // gone meanwhile
            steps.emplace_back(it->second, it->second->answered(answer, changes));
          }
        }
        perform(steps);
      });
}

// Every watch_refresh, while watches are open, asks again for each name watched (once per
// name: single flight does the rest); between times, tells aggregate watches of draining.
void run_refresh(const std::shared_ptr<Shared>& shared) {
  std::unique_lock<std::mutex> lock(shared->mutex);
  bool was_ready = shared->registry->ready();
  auto next = Clock::now() + shared->options.watch_refresh;
  while (!shared->stopping) {
    if (shared->watches.empty()) {
      shared->wake.wait(lock, [&] { return shared->stopping || !shared->watches.empty(); });
      next = Clock::now() + shared->options.watch_refresh;
      continue;
    }
    shared->wake.wait_until(lock, std::min(next, Clock::now() + kReadyPoll));
    if (shared->stopping) break;
    Steps steps;
    std::map<std::pair<std::string, std::string>,
             std::vector<std::pair<std::uint64_t, std::uint64_t>>>
        asks;
    const auto add_ask = [&](std::uint64_t id, const WatchReactor& reactor) {
      asks[{reactor.query()->slug, reactor.query()->type}].emplace_back(id, reactor.changes());
    };
    // Draining reads NOT_SERVING at once; ready again, the aggregates are asked afresh (the
    // levels may have changed while nothing was judged).
    const bool ready = shared->registry->ready();
    const bool ready_changed = ready != was_ready;
    was_ready = ready;
    const bool refresh = Clock::now() >= next;
    if (refresh) next = Clock::now() + shared->options.watch_refresh;
    for (const auto& [id, reactor] : shared->watches) {
      if (!reactor->query()) continue;
      if (refresh || (ready_changed && ready && reactor->aggregate())) {
        add_ask(id, *reactor);
      } else if (ready_changed && reactor->aggregate()) {
        steps.emplace_back(reactor, reactor->follow());
      }
    }
    lock.unlock();
    perform(steps);
    for (auto& [name, ids] : asks) {
      HealthQuery query;
      query.slug = name.first;
      query.type = name.second;
      ask(shared, std::move(query), std::move(ids));
    }
    lock.lock();
  }
}

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  explicit HealthService(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const HealthCheckRequest* request,
                                  HealthCheckResponse* response) override {
    auto* reactor = new CheckReactor();
    auto query = parse_service_name(request->service());
    if (!query) {
      reactor->finish_once({grpc::StatusCode::NOT_FOUND, unknown_name_message(request->service())});
      return reactor;
    }
    query->deadline = registry_deadline(context->deadline());
    const bool warn_is_serving = shared_->options.warn_is_serving;
    // Until the answer or OnCancel has claimed `finished`, neither has finished the call, so the
    // reactor and `response` (the call's own) are alive.
    const auto finished = reactor->finished();
    try {
      shared_->registry->check_health(
          std::move(*query), [reactor, finished, response, warn_is_serving,
                              name = request->service().substr(0, 65)](HealthAnswer answer) {
            if (finished->exchange(true)) return;
            switch (answer.outcome) {
              case HealthAnswer::Outcome::answered:
                response->set_status(serving(answer.status.level, warn_is_serving));
                reactor->Finish(grpc::Status::OK);
                return;
              case HealthAnswer::Outcome::unknown_slug:
              case HealthAnswer::Outcome::bad_type:
                reactor->Finish({grpc::StatusCode::NOT_FOUND, unknown_name_message(name)});
                return;
              case HealthAnswer::Outcome::busy:
                reactor->Finish({grpc::StatusCode::UNAVAILABLE, "busy; try again"});
                return;
            }
          });
    } catch (const std::exception& e) {
      if (!finished->exchange(true)) reactor->Finish({grpc::StatusCode::INTERNAL, e.what()});
    }
    return reactor;
  }

  grpc::ServerWriteReactor<HealthCheckResponse>* Watch(grpc::CallbackServerContext* /*context*/,
                                                       const HealthCheckRequest* request) override {
    auto query = parse_service_name(request->service());
    auto* reactor = new WatchReactor(shared_, query);
    Step step = Step::none;
    shared_->registry->start();  // fixes the set of endpoints
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      if (shared_->critical.empty()) {
        for (const auto* endpoint : shared_->registry->endpoints()) {
          shared_->critical[endpoint->slug] = endpoint->critical;
        }
      }
      reactor->id = shared_->next_id++;
      shared_->watches[reactor->id] = reactor;
      if (!query) step = reactor->want(HealthCheckResponse::SERVICE_UNKNOWN);
    }
    shared_->wake.notify_all();
    reactor->perform(step);
    if (query) ask(shared_, std::move(*query), {{reactor->id, 0}});
    return reactor;
  }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace

struct GrpcHealthService::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::unique_ptr<HealthService> service;
  Subscription subscription;
  std::thread refresh;
};

GrpcHealthService::GrpcHealthService(Registry& registry, GrpcHealthOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (options.watch_refresh <= std::chrono::milliseconds(0)) {
    options.watch_refresh = GrpcHealthOptions{}.watch_refresh;
  }
  impl_->shared->registry = &registry;
  impl_->shared->options = options;
  impl_->service = std::make_unique<HealthService>(impl_->shared);
  std::weak_ptr<Shared> weak = impl_->shared;
  impl_->subscription = registry.subscribe([weak](const StatusChange& change) {
    const auto shared = weak.lock();
    if (!shared) return;
    Steps steps;
    {
      std::lock_guard<std::mutex> lock(shared->mutex);
      for (const auto& [id, reactor] : shared->watches) {
        steps.emplace_back(reactor, reactor->changed(change));
      }
    }
    perform(steps);
  });
  impl_->refresh = std::thread([shared = impl_->shared] { run_refresh(shared); });
}

GrpcHealthService::~GrpcHealthService() {
  impl_->subscription.reset();  // the listener is not running once this returns
  {
    std::lock_guard<std::mutex> lock(impl_->shared->mutex);
    impl_->shared->stopping = true;
  }
  impl_->shared->wake.notify_all();
  impl_->refresh.join();
}

void GrpcHealthService::add_to(grpc::ServerBuilder& builder) {
  builder.RegisterService(impl_->service.get());
}

grpc::Service* GrpcHealthService::service() noexcept {
  return impl_->service.get();
}

}  // namespace healthchecks
