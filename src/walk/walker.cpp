#include "walk/walker.hpp"

#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "healthchecks/http_client.hpp"

namespace healthchecks::walk {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

std::string display_name(const ServiceAbout& about, const std::string& fallback) {
  if (!is_missing(about.name)) return about.name;
  if (!is_missing(about.id)) return about.id;
  return fallback;
}

// A traversal that failed at a hop names the service it could not reach ("Traverse: GET
// http://10.0.0.7:8080/status/traverse: connect: Connection refused"): that URL recognises one
// unreachable service seen from several places, which has no About to say who it is.
std::string failed_key(const std::string& problem, const std::vector<std::string>& path) {
  const auto at = problem.find("GET http://");
  if (at != std::string::npos) {
    const auto end = problem.find("/status/traverse: ", at);
    if (end != std::string::npos) return "url:" + problem.substr(at + 4, end - at - 4);
  }
  return path_key(path);
}

}  // namespace

std::string about_target(const std::string& status_base, const std::vector<std::string>& path) {
  if (path.empty()) return status_base + "/about";
  std::string target = status_base + "/traverse?dependencies=";
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i != 0) target += ',';
    target += encode_query_value(path[i]);
  }
  return target + "&action=about";
}

struct Walker::State {
  struct Job {
    std::size_t edge = kNone;  // kNone: the root
    std::vector<std::string> path;
  };

  WalkOptions options;
  Fetch fetch;
  std::chrono::steady_clock::time_point started;

  mutable std::mutex mutex;
  Graph graph;
  std::unordered_map<std::string, std::size_t> known;  // identity -> node
  std::deque<Job> queue;
  std::deque<std::pair<Job, Fetched>> completed;
  std::size_t in_flight = 0;
  std::size_t expanded = 0;
  bool pumping = false;
  bool finished = false;
  bool limit_noted = false;
  std::function<void(Graph)> done;

  std::size_t add_node(Node node) {
    graph.nodes.push_back(std::move(node));
    return graph.nodes.size() - 1;
  }

  std::size_t add_unwalked(const Job& job, std::string problem) {
    Node node;
    node.state = NodeState::not_walked;
    node.key = path_key(job.path);
    node.path = job.path;
    node.name = graph.edges[job.edge].entry.name;
    node.problem = std::move(problem);
    return add_node(std::move(node));
  }

  void expand(std::size_t from, Answer& answer) {
    ++expanded;
    if (answer.dependencies_dropped != 0) {
      graph.notes.push_back(
          graph.nodes[from].name + " lists " + std::to_string(answer.dependencies_dropped) +
          " more dependencies than the walk reads (" + std::to_string(kMaxDependencies) + ")");
    }
    for (auto& entry : answer.dependencies) {
      Edge edge;
      edge.from = from;
      edge.to = kNone;
      edge.level = entry.level;
      edge.entry = std::move(entry);
      const std::size_t index = graph.edges.size();
      graph.edges.push_back(std::move(edge));
      const Edge& added = graph.edges[index];
      Job job{index, graph.nodes[from].path};
      job.path.push_back(added.entry.slug);
      if (!added.entry.traversable) {
        Node leaf;
        leaf.kind = NodeKind::dependency;
        leaf.state = NodeState::leaf;
        leaf.key = "dep:" + graph.nodes[from].key + "/" + added.entry.slug;
        leaf.path = job.path;
        leaf.name = added.entry.name;
        graph.edges[index].to = add_node(std::move(leaf));
      } else if (added.entry.slug.empty() || added.entry.slug.find(',') != std::string::npos) {
        graph.edges[index].to =
            add_unwalked(job, "not walked: its statusPath cannot be part of a traversal");
      } else if (job.path.size() > static_cast<std::size_t>(options.depth)) {
        graph.edges[index].to =
            add_unwalked(job, "not walked: deeper than --depth " + std::to_string(options.depth));
      } else {
        queue.push_back(std::move(job));
      }
    }
  }

  void absorb(const Job& job, const Fetched& fetched) {
    Answer answer = read_answer(fetched);
    if (job.edge == kNone) {
      if (!answer.has_about) {
        graph.root_error = answer.problem.empty() ? "no About" : answer.problem;
        return;
      }
      Node root;
      root.key = identity(answer.about, {});
      root.name = display_name(answer.about, options.url);
      root.about = answer.about;
      known.emplace(root.key, 0);
      add_node(std::move(root));
      expand(0, answer);
      return;
    }
    if (answer.has_about) {
      const auto key = identity(answer.about, job.path);
      if (const auto it = known.find(key); it != known.end()) {
        graph.edges[job.edge].to = it->second;  // a shared dependency or a cycle: expanded once
        return;
      }
      Node node;
      node.key = key;
      node.path = job.path;
      node.name = display_name(answer.about, graph.edges[job.edge].entry.name);
      node.about = answer.about;
      const bool over = expanded >= options.max_services;
      if (over) {
        node.state = NodeState::not_walked;
        node.problem = limit_problem();
      }
      const auto index = add_node(std::move(node));
      known.emplace(key, index);
      graph.edges[job.edge].to = index;
      if (!over) expand(index, answer);
      return;
    }
    Edge& edge = graph.edges[job.edge];
    if (!answer.needs_token) edge.level = Level::crit;
    const auto key = failed_key(answer.problem, job.path);
    if (const auto it = known.find(key); it != known.end()) {
      edge.to = it->second;
      return;
    }
    Node node;
    node.state = NodeState::failed;
    node.key = key;
    node.path = job.path;
    node.name = edge.entry.name;
    node.problem = answer.problem;
    node.needs_token = answer.needs_token;
    const auto index = add_node(std::move(node));
    graph.edges[job.edge].to = index;
    if (key.rfind("url:", 0) == 0) known.emplace(key, index);
  }

  std::string limit_problem() {
    const auto text =
        "not walked: --max-services " + std::to_string(options.max_services) + " reached";
    if (!limit_noted) {
      limit_noted = true;
      graph.notes.push_back("stopped expanding at " + std::to_string(options.max_services) +
                            " services (--max-services)");
    }
    return text;
  }

  static void pump(const std::shared_ptr<State>& self) {
    std::unique_lock<std::mutex> lock(self->mutex);
    if (self->pumping) return;  // the thread pumping sees what was just completed
    self->pumping = true;
    for (;;) {
      while (!self->completed.empty()) {
        auto [job, fetched] = std::move(self->completed.front());
        self->completed.pop_front();
        --self->in_flight;
        self->absorb(job, fetched);
      }
      std::vector<Job> launch;
      const auto now = std::chrono::steady_clock::now();
      while (!self->queue.empty() &&
             self->in_flight + launch.size() < static_cast<std::size_t>(self->options.parallel)) {
        Job job = std::move(self->queue.front());
        self->queue.pop_front();
        if (job.edge != kNone && now >= self->options.deadline) {
          self->graph.edges[job.edge].to =
              self->add_unwalked(job, "not walked: the walk's deadline passed");
        } else if (job.edge != kNone && self->expanded >= self->options.max_services) {
          self->graph.edges[job.edge].to = self->add_unwalked(job, self->limit_problem());
        } else {
          launch.push_back(std::move(job));
        }
      }
      if (launch.empty() && self->completed.empty()) break;
      self->in_flight += launch.size();
      self->graph.requests += launch.size();
      lock.unlock();
      for (auto& job : launch) {
        const auto target = about_target(self->options.status_base, job.path);
        auto on_fetched = [self, job](Fetched fetched) {
          {
            std::lock_guard<std::mutex> guard(self->mutex);
            self->completed.emplace_back(job, std::move(fetched));
          }
          pump(self);
        };
        try {
          self->fetch(target, on_fetched);
        } catch (const std::exception& e) {
          on_fetched(Fetched{std::string("not sent: ") + e.what(), 0, {}});
        }
      }
      lock.lock();
    }
    self->pumping = false;
    if (self->in_flight == 0 && self->queue.empty() && !self->finished) {
      self->finished = true;
      self->graph.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - self->started).count();
      Graph graph = self->graph;
      auto done = std::move(self->done);
      lock.unlock();
      if (done) done(std::move(graph));
    }
  }
};

Walker::Walker(WalkOptions options, Fetch fetch) : state_(std::make_shared<State>()) {
  if (options.parallel < 1) options.parallel = 1;
  if (options.depth < 0) options.depth = 0;
  state_->options = std::move(options);
  state_->fetch = std::move(fetch);
  state_->graph.url = state_->options.url;
}

Walker::~Walker() = default;

void Walker::start(std::function<void(Graph)> done) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->done = std::move(done);
    state_->started = std::chrono::steady_clock::now();
    state_->queue.push_back(State::Job{});
  }
  State::pump(state_);
}

Walker::Progress Walker::progress() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::size_t services = 0;
  for (const auto& node : state_->graph.nodes) services += node.kind == NodeKind::service;
  return {services, state_->in_flight};
}

Graph Walker::snapshot() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  Graph graph = state_->graph;
  graph.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - state_->started).count();
  if (graph.nodes.empty() && graph.root_error.empty()) {
    graph.root_error = "no answer before the walk's deadline";
  }
  for (auto& edge : graph.edges) {
    if (edge.to != kNone) continue;
    Node node;
    node.state = NodeState::not_walked;
    node.name = edge.entry.name;
    node.path = graph.nodes[edge.from].path;
    node.path.push_back(edge.entry.slug);
    node.key = path_key(node.path);
    node.problem = "no answer before the walk's deadline";
    graph.nodes.push_back(std::move(node));
    edge.to = graph.nodes.size() - 1;
  }
  return graph;
}

}  // namespace healthchecks::walk
