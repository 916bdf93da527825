// How a dependency is checked: a plain callable, or an asynchronous one that completes later.
// Also the traverse check, which walks the service graph one hop further.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "healthchecks/export.hpp"
#include "healthchecks/response.hpp"
#include "healthchecks/status.hpp"

namespace healthchecks {

class Check;

namespace detail {
class Runtime;
struct CompletionState;
}  // namespace detail

/// What a check is told about the execution it serves. Views stay valid until it completes.
struct HEALTHCHECKS_EXPORT CheckContext {
  /// The endpoint's display name and slug.
  std::string_view name;
  std::string_view slug;
  /// When the execution began, and the instant to answer before: an answer after it is
  /// discarded and the check reads CRIT. `deadline - started` is the check's time-out.
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  /// How many services the request that started this execution has already crossed.
  int hops = 0;
  /// The services (opaque instance ids) that request passed through, this one last.
  std::string via;
  /// The runtime of the registry (or of run_once) this check runs on: an opaque handle, read
  /// only by schedule() and healthchecks::asio::executor(). Null when a check is called by hand.
  detail::Runtime* runtime = nullptr;

  /// Time left until `deadline`, never negative.
  std::chrono::milliseconds time_left() const;

  /// Calls `fn` at `at` (or at once if it has passed) on an I/O thread of the runtime, so that a
  /// check can wait without holding a thread and without Asio. `fn` must not block. There is no
  /// cancel: a call that finds its work done should do nothing (a Completion ignores calls after
  /// the first).
  /// @return false, without calling `fn`, when there is no runtime (`runtime` is null).
  bool schedule(std::chrono::steady_clock::time_point at, std::function<void()> fn) const;

  /// The header fields a check that calls a peer service sends with its request, so that the
  /// peer counts the hop, stops cycles in the service graph, and answers within the time left:
  /// X-Healthchecks-Hops (hops + 1), X-Healthchecks-Via, X-Healthchecks-Deadline-Ms.
  std::vector<std::pair<std::string, std::string>> forward_headers() const;
};

/// The header fields of the hop protocol (see CheckContext::forward_headers).
inline constexpr const char* kHopsHeader = "X-Healthchecks-Hops";
inline constexpr const char* kViaHeader = "X-Healthchecks-Via";
inline constexpr const char* kDeadlineHeader = "X-Healthchecks-Deadline-Ms";

/// The handler an asynchronous check calls once with its status, from any thread.
///
/// Calls after the first are ignored. If every copy is destroyed without a call, the check
/// reads CRIT ("finished without reporting a status"), so a forgotten path cannot hang a request.
class HEALTHCHECKS_EXPORT Completion {
 public:
  void operator()(Status status) const;

 private:
  friend struct detail::CompletionState;
  explicit Completion(std::shared_ptr<detail::CompletionState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::CompletionState> state_;
};

namespace detail {
template <class R>
inline constexpr bool is_check_result_v = std::is_same_v<R, Status> || std::is_same_v<R, bool> ||
                                          std::is_same_v<R, std::optional<Status>>;

template <class F, class = void>
struct sync_check_result {};
template <class F>
struct sync_check_result<F, std::enable_if_t<std::is_invocable_v<F&, const CheckContext&>>> {
  using type = std::decay_t<std::invoke_result_t<F&, const CheckContext&>>;
};
template <class F>
struct sync_check_result<
    F, std::enable_if_t<!std::is_invocable_v<F&, const CheckContext&> && std::is_invocable_v<F&>>> {
  using type = std::decay_t<std::invoke_result_t<F&>>;
};

template <class F, class = void>
inline constexpr bool is_sync_check_v = false;
template <class F>
inline constexpr bool is_sync_check_v<F, std::void_t<typename sync_check_result<F>::type>> =
    is_check_result_v<typename sync_check_result<F>::type>;

// Callables that Check's constructor takes on, to say what is wrong with them rather than let
// overload resolution fail: anything with one call operator, or invocable in some way a check
// might be, or a function.
template <class F, class = void>
inline constexpr bool has_call_operator_v = false;
template <class F>
inline constexpr bool has_call_operator_v<F, std::void_t<decltype(&F::operator())>> = true;

template <class F>
inline constexpr bool looks_like_check_v =
    !std::is_same_v<F, Check> &&
    (has_call_operator_v<F> || std::is_invocable_v<F&> ||
     std::is_invocable_v<F&, const CheckContext&> || std::is_invocable_v<F&, CheckContext&> ||
     std::is_function_v<std::remove_pointer_t<F>>);

inline Status to_status(Status s) {
  return s;
}
inline Status to_status(bool ok) {
  return ok ? Status::ok() : Status::crit("check returned false");
}
inline Status to_status(std::optional<Status> s) {
  return s ? std::move(*s) : Status::crit("check returned no status");
}
}  // namespace detail

/// A status check. Build it from any callable; it runs on a worker thread of the registry:
///
///     Check a = [] { return db.ping(); };                    // bool: true means OK
///     Check b = [] { return Status::warn("replica lag"); };  // a full Status
///     Check c = [](const CheckContext& ctx) { return probe(ctx.time_left()); };
///
/// or make it asynchronous with Check::async, so a check that waits on the network holds no
/// thread. Whatever it does, a check cannot take the service down: an exception becomes CRIT
/// with the exception's text, a missing answer becomes CRIT at the deadline.
class Check {
 public:
  using Sync = std::function<Status(const CheckContext&)>;
  using Async = std::function<void(const CheckContext&, Completion)>;

  Check() = default;

  /// A synchronous check from a callable taking `()` or `(const CheckContext&)` and returning
  /// Status, bool or std::optional<Status> (nullopt reads CRIT "check returned no status").
  /// Move-only callables are accepted (copies of the Check then share the one callable).
  /// Any other shape fails to compile with a message listing the accepted signatures.
  template <class F, std::enable_if_t<detail::looks_like_check_v<std::decay_t<F>>, int> = 0>
  Check(F&& f)  // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
      : sync_(make_sync(std::forward<F>(f))) {}
  /// An asynchronous check: `start` must return quickly and call the Completion later (or at
  /// once), from any thread. Exceptions thrown by `start` read CRIT.
  static Check async(Async start) {
    Check c;
    c.async_ = std::move(start);
    return c;
  }
  /// The same for a move-only `start` (copies of the Check then share it).
  template <class F, std::enable_if_t<!std::is_copy_constructible_v<std::decay_t<F>>, int> = 0>
  static Check async(F&& start) {
    using D = std::decay_t<F>;
    static_assert(std::is_invocable_v<D&, const CheckContext&, Completion>,
                  "an asynchronous check is a callable void(const CheckContext&, Completion)");
    auto holder = std::make_shared<D>(std::forward<F>(start));
    return async(
        [holder](const CheckContext& ctx, Completion done) { (*holder)(ctx, std::move(done)); });
  }

  /// The kind of component checked, shown as "componentType" in the IETF health+json answer
  /// (docs/api.md): "datastore" (a database, a cache), "system" (the machine, the process),
  /// "component" (the default: anything else), or a word of your own. The built-in checks set
  /// it: checks::redis and checks::postgres "datastore", checks::disk and checks::process
  /// "system". Set it on your own check:
  ///
  ///     Check ping = Check([] { return db.ping(); }).with_component_type("datastore");
  Check& with_component_type(std::string type) & {
    component_type_ = std::move(type);
    return *this;
  }
  Check&& with_component_type(std::string type) && {
    component_type_ = std::move(type);
    return std::move(*this);
  }
  const std::string& component_type() const noexcept { return component_type_; }

  bool is_async() const noexcept { return static_cast<bool>(async_); }
  explicit operator bool() const noexcept { return sync_ || async_; }
  const Sync& sync_function() const noexcept { return sync_; }
  const Async& async_function() const noexcept { return async_; }

 private:
  template <class F>
  static Sync make_sync(F&& f) {
    using D = std::decay_t<F>;
    static_assert(detail::is_sync_check_v<D>,
                  "a check is a callable with one of these signatures: Status(), bool(), "
                  "std::optional<Status>(), Status(const CheckContext&), "
                  "bool(const CheckContext&), std::optional<Status>(const CheckContext&); "
                  "for an asynchronous check use Check::async");
    if constexpr (detail::is_sync_check_v<D>) {
      if constexpr (std::is_copy_constructible_v<D>) {
        return [f = D(std::forward<F>(f))](const CheckContext& ctx) mutable -> Status {
          return call(f, ctx);
        };
      } else {
        // std::function copies what it holds: a move-only callable lives in a shared holder.
        return [f = std::make_shared<D>(std::forward<F>(f))](const CheckContext& ctx) -> Status {
          return call(*f, ctx);
        };
      }
    } else {
      return {};
    }
  }

  template <class D>
  static Status call(D& f, const CheckContext& ctx) {
    if constexpr (std::is_invocable_v<D&, const CheckContext&>) {
      return detail::to_status(f(ctx));
    } else {
      (void)ctx;
      return detail::to_status(f());
    }
  }

  Sync sync_;
  Async async_;
  std::string component_type_ = "component";
};

/// One hop of a traversal, handed to a TraverseCheck.
struct TraverseRequest {
  /// The rest of the path after this dependency, e.g. {"service-1"}; empty at the last hop.
  std::vector<std::string> path;
  /// What to run at the end of the path: "about", "aggregate", "am-i-up" or a slug.
  std::string action = "about";
  /// Deadline and hops of the walk so far: send context.forward_headers() downstream.
  CheckContext context;
  /// Deprecated, always empty: the caller's credentials never cross a hop (a service presents
  /// its own, see checks::HttpOptions::headers). Kept for source compatibility for one release.
  std::string authorization;
  /// The caller's W3C trace context (`traceparent`, `tracestate`), when it sent a well-formed
  /// one, so that a trace follows a walk; empty otherwise.
  std::string traceparent;
  std::string tracestate;
  /// Largest answer to read; a larger one fails the hop (RouterOptions::max_traverse_body).
  std::size_t max_body = 1024 * 1024;
};

/// What a traverse check answers: the downstream answer, passed back unchanged, or an error.
struct TraverseResult {
  /// Non-empty when the traversal failed; the router answers CRIT "Traverse" with this text.
  std::string error;
  Response response;
};

/// Walks one hop of the service graph: calls the dependency's own /status/traverse with the
/// rest of the path and the action, and completes with its answer (once, from any thread).
using TraverseCheck =
    std::function<void(const TraverseRequest&, std::function<void(TraverseResult)>)>;

}  // namespace healthchecks
