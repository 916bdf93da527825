// healthchecks-walk URL: walks the service graph behind a service that speaks the Health Checks
// API and says where it hurts. The walk (walker.hpp) and what is printed (render.hpp, watch.hpp)
// know no sockets; this file gives them the library's HTTP client, the terminal and signals.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "healthchecks/check.hpp"
#include "healthchecks/http_client.hpp"
#include "runtime/runtime.hpp"
#include "walk/diagram.hpp"
#include "walk/findings.hpp"
#include "walk/options.hpp"
#include "walk/render.hpp"
#include "walk/walker.hpp"
#include "walk/watch.hpp"

namespace {

using namespace healthchecks::walk;
using Clock = std::chrono::steady_clock;

constexpr int kUsageExit = 64;  // EX_USAGE

Fetch http_fetch(const Options& options, healthchecks::detail::Runtime& runtime,
                 Clock::time_point deadline);
// One walk; nullopt when one of `signals` arrived meanwhile (watch mode).
std::optional<Graph> run_walk(const Options& options, healthchecks::detail::Runtime& runtime,
                              const sigset_t* signals);
bool take_signal(const sigset_t& signals, std::chrono::milliseconds wait);

}  // namespace

int main(int argc, char** argv) {
  const auto parsed =
      parse_options(std::vector<std::string>(argv + 1, argv + argc), system_sources());
  if (!parsed.error.empty()) {
    std::cerr << "healthchecks-walk: " << parsed.error << " (see --help)\n";
    return kUsageExit;
  }
  const Options& options = parsed.options;
  if (options.help) {
    std::cout << kUsage << kHelp;
    return 0;
  }
  if (options.tls.insecure_skip_verify) {
    std::cerr << "healthchecks-walk: --insecure: certificates are NOT verified; anybody can "
                 "answer for "
              << options.url << "\n";
  }
  // In watch mode SIGINT and SIGTERM end the loop cleanly: blocked in every thread (the
  // runtime's inherit the mask) and taken by sigtimedwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (options.watch_seconds) pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  healthchecks::detail::Runtime runtime(1, 1);
  const bool colour = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;

  auto graph = run_walk(options, runtime, options.watch_seconds ? &signals : nullptr);
  if (!graph) return 0;
  const auto findings = analyse(*graph);
  switch (options.format) {
    case Format::tree:
      std::cout << render_tree(*graph, findings, colour);
      break;
    case Format::json:
      std::cout << render_json(*graph, findings);
      break;
    case Format::dot:
      std::cout << render_dot(*graph, findings);
      break;
    case Format::mermaid:
      std::cout << render_mermaid(*graph, findings);
      break;
  }
  std::cout.flush();
  if (!options.watch_seconds) return exit_code(*graph, findings);

  const auto interval =
      std::chrono::milliseconds(static_cast<long long>(*options.watch_seconds * 1000));
  for (;;) {
    if (take_signal(signals, interval)) return 0;
    auto next = run_walk(options, runtime, &signals);
    if (!next) return 0;
    for (const auto& line : diff(*graph, *next, utc_stamp())) std::cout << line << '\n';
    std::cout.flush();
    graph = std::move(next);
  }
}

namespace {

Fetch http_fetch(const Options& options, healthchecks::detail::Runtime& runtime,
                 Clock::time_point deadline) {
  healthchecks::CheckContext context;
  context.name = "walk";
  context.runtime = &runtime;
  context.deadline = deadline;
  std::optional<healthchecks::TlsClientOptions> tls;
  if (options.https) tls = options.tls;
  return [context, host = options.host, port = options.port, headers = options.headers, tls](
             const std::string& target, std::function<void(Fetched)> done) {
    healthchecks::HttpRequest request;
    request.host = host;
    request.port = port;
    request.tls = tls;
    request.target = target;
    request.headers = headers;
    request.body_limit = kMaxBody;
    // The root relays each traversal within the time the walk has left (hop protocol), so a hung
    // service reads "timed out" in its answer before the walk's own deadline cuts it off.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(context.deadline - Clock::now());
    const auto margin = std::min<std::chrono::milliseconds>(left / 5, std::chrono::seconds(1));
    if (left - margin > std::chrono::milliseconds(0)) {
      request.headers.emplace_back(healthchecks::kDeadlineHeader,
                                   std::to_string((left - margin).count()));
    }
    healthchecks::http_request(
        context, std::move(request), [done = std::move(done)](healthchecks::HttpResponse response) {
          done(Fetched{std::move(response.error), response.status, std::move(response.body)});
        });
  };
}

bool take_signal(const sigset_t& signals, std::chrono::milliseconds wait) {
  const auto until = Clock::now() + wait;
  for (;;) {
    const auto left = std::max<Clock::duration>(until - Clock::now(), Clock::duration::zero());
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec timeout{static_cast<time_t>(ns / 1'000'000'000),
                     static_cast<long>(ns % 1'000'000'000)};
    const int got = sigtimedwait(&signals, nullptr, &timeout);
    if (got > 0) return true;
    if (Clock::now() >= until) return false;  // EAGAIN at the time-out, or EINTR late
  }
}

std::optional<Graph> run_walk(const Options& options, healthchecks::detail::Runtime& runtime,
                              const sigset_t* signals) {
  const auto started = Clock::now();
  const auto deadline =
      started + std::chrono::milliseconds(static_cast<long long>(options.timeout_seconds * 1000));
  WalkOptions walk;
  walk.url = options.url;
  walk.status_base = options.status_base;
  walk.parallel = options.parallel;
  walk.depth = options.depth;
  walk.max_services = options.max_services;
  walk.deadline = deadline;
  Walker walker(walk, http_fetch(options, runtime, deadline));

  struct Result {
    std::mutex mutex;
    std::condition_variable ready;
    std::optional<Graph> graph;
  };
  auto result = std::make_shared<Result>();
  walker.start([result](Graph graph) {
    std::lock_guard<std::mutex> lock(result->mutex);
    result->graph = std::move(graph);
    result->ready.notify_all();
  });

  const bool progress = isatty(STDERR_FILENO) == 1;
  bool progress_shown = false;
  std::optional<Graph> graph;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(result->mutex);
      result->ready.wait_for(lock, std::chrono::milliseconds(100),
                             [&] { return result->graph.has_value(); });
      if (result->graph) {
        graph = std::move(result->graph);
        break;
      }
    }
    if (signals != nullptr && take_signal(*signals, std::chrono::milliseconds(0))) {
      if (progress_shown) std::cerr << "\r\x1b[K" << std::flush;
      return std::nullopt;
    }
    // Every request ends by the deadline (the HTTP client's); this is the belt and braces.
    if (Clock::now() > deadline + std::chrono::seconds(2)) {
      graph = walker.snapshot();
      graph->notes.push_back("the walk did not finish by its deadline; shown as far as it got");
      break;
    }
    if (progress && Clock::now() - started > std::chrono::seconds(1)) {
      const auto now = walker.progress();
      std::cerr << "\rwalking: " << now.services << " services, " << now.in_flight
                << " requests in flight\x1b[K" << std::flush;
      progress_shown = true;
    }
  }
  if (progress_shown) std::cerr << "\r\x1b[K" << std::flush;
  return graph;
}

}  // namespace
