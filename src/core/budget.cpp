#include "core/budget.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace healthchecks::detail {

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

Budget read_budget(const Request& request, const std::string& self) {
  Budget budget;
  const auto number = [&](const char* name, long max) -> std::optional<long> {
    const auto text = request.header(name);
    if (!text) return std::nullopt;
    long value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < 0) return std::nullopt;
    return std::min(value, max);
  };
  budget.hops = static_cast<int>(number(kHopsHeader, 1'000'000).value_or(0));
  if (const auto ms = number(kDeadlineHeader, 3'600'000)) {
    budget.deadline = Clock::now() + std::chrono::milliseconds(*ms);
  }
  // An over-long chain keeps its most recent ids: those are the ones a cycle comes back through,
  // and what we send on must stay within what the next service accepts.
  const std::string_view via = recent_ids(request.header(kViaHeader).value_or(""), kMaxViaBytes);
  for (std::size_t start = 0; start < via.size();) {
    const auto end = std::min(via.find(',', start), via.size());
    if (via.substr(start, end - start) == self) budget.cycle = true;
    start = end + 1;
  }
  budget.via = via;  // a view into the request: used before dispatch returns
  return budget;
}

}  // namespace healthchecks::detail
