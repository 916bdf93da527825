#include "healthchecks/registry.hpp"

#include <algorithm>
#include <utility>

#include "core/engine.hpp"
#include "healthchecks/error.hpp"
#include "util/text.hpp"

namespace healthchecks {
namespace detail {
namespace {

constexpr std::size_t kMaxTags = 16;
constexpr std::size_t kMaxTagLength = 64;

constexpr std::string_view kReserved[] = {"am-i-up", "about", "aggregate", "traverse", "v2"};

bool slug_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

}  // namespace

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
  if (endpoint.type.name().empty()) {
    throw Error("registration", who +
                                    " has an empty type (use \"internal\" for what the "
                                    "service owns, anything else such as \"external\" "
                                    "for the rest)");
  }
  if (endpoint.tags.size() > kMaxTags) {
    throw Error("registration", who + " has " + std::to_string(endpoint.tags.size()) +
                                    " tags; at most " + std::to_string(kMaxTags) + " are allowed");
  }
  for (const auto& tag : endpoint.tags) {
    if (tag.empty() || tag.size() > kMaxTagLength ||
        !std::all_of(tag.begin(), tag.end(), slug_char)) {
      throw Error("registration", "tag " + in_quotes(tag.substr(0, kMaxTagLength)) + " of " + who +
                                      " must be 1 to " + std::to_string(kMaxTagLength) +
                                      " characters from [A-Za-z0-9._-] (it goes into "
                                      "aggregate?tag=)");
    }
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

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Registry

Registry::Registry(About about, RegistryOptions options)
    : engine_(std::make_shared<detail::Engine>(std::move(about), std::move(options))) {}

Registry::~Registry() = default;

Registry& Registry::add(StatusEndpoint endpoint) {
  engine_->add(std::move(endpoint));
  return *this;
}

void Registry::start() {
  engine_->start();
}

Subscription Registry::subscribe(StatusListener listener) {
  if (!listener) throw Error("options", "subscribe: the listener is empty");
  return Subscription(engine_, engine_->subscribe(std::move(listener)));
}

Subscription::Subscription(Subscription&& other) noexcept
    : engine_(std::move(other.engine_)), id_(std::exchange(other.id_, 0)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    engine_ = std::move(other.engine_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

Subscription::~Subscription() {
  reset();
}

void Subscription::reset() noexcept {
  if (id_ == 0) return;
  if (auto engine = engine_.lock()) engine->unsubscribe(id_);
  id_ = 0;
  engine_.reset();
}

void Registry::set_ready(bool ready) noexcept {
  engine_->set_ready(ready);
}

bool Registry::ready() const noexcept {
  return engine_->ready();
}

const About& Registry::about() const noexcept {
  return engine_->about();
}

std::vector<const StatusEndpoint*> Registry::endpoints() const {
  std::vector<const StatusEndpoint*> list;
  for (const auto& state : engine_->endpoints()) list.push_back(&state->endpoint());
  return list;
}

}  // namespace healthchecks
