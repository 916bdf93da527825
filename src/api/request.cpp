// Fields: header fields held by value, for requests that do not come from an adapter.
#include "healthchecks/request.hpp"

#include "util/text.hpp"

namespace healthchecks {

Fields::Fields(std::initializer_list<std::pair<std::string, std::string>> fields)
    : fields_(fields) {}

void Fields::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> Fields::find(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (detail::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace healthchecks
