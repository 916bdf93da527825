// Reading what a service answered to the walk: untrusted input, read within fixed limits (nesting
// by util/json_input.hpp, text lengths and list sizes here), never trusted to be an About.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "walk/graph.hpp"

namespace healthchecks::walk {

/// Largest answer the walk reads (HttpRequest::body_limit).
inline constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
/// Dependencies read from one About; more are counted, not kept.
inline constexpr std::size_t kMaxDependencies = 1000;
/// Longest details kept; longer ones are cut and say so.
inline constexpr std::size_t kMaxDetails = 2048;
/// Longest name, slug, id or other About string kept.
inline constexpr std::size_t kMaxField = 256;

/// The outcome of one HTTP request of the walk.
struct Fetched {
  std::string error;  ///< non-empty when no answer came ("connect: Connection refused")
  int status = 0;
  std::string body;
};

/// What an answer to `about` (or `traverse?...&action=about`) says.
struct Answer {
  bool has_about = false;
  ServiceAbout about;
  std::vector<DependencyEntry> dependencies;
  std::size_t dependencies_dropped = 0;  ///< beyond kMaxDependencies
  /// Without an About: why ("details need a token (--header)", "connect: ...", "answered CRIT
  /// instead of an About: ...").
  std::string problem;
  bool needs_token = false;  ///< 401 or 403
};

/// Reads an answer. Never throws for its content.
Answer read_answer(const Fetched& fetched);

/// `text` cut to `limit` bytes at a UTF-8 boundary, marked "..." when it was cut.
std::string cut_text(std::string text, std::size_t limit);

}  // namespace healthchecks::walk
