// The walked graph as people and tools read it: a tree with a summary of the likely root causes,
// and one JSON document (diagram.hpp draws it). Services write the text shown here, so
// every renderer escapes it for its medium: no terminal control sequence, no broken quoting.
#pragma once

#include <string>
#include <string_view>

#include "walk/findings.hpp"
#include "walk/graph.hpp"

namespace healthchecks::walk {

/// One line per dependency under its service (a service reached again is shown once and
/// referred to afterwards), then the summary. `colour` adds ANSI colours to the levels.
std::string render_tree(const Graph& graph, const Findings& findings, bool colour);

/// The summary alone: likely root causes, degraded, unreachable, notes, and one closing line.
std::string render_summary(const Graph& graph, const Findings& findings, bool colour);

/// One JSON document: url, level, requests, nodes, edges, rootCauses, degraded, unreachable,
/// notes, and the exit code.
std::string render_json(const Graph& graph, const Findings& findings);

/// `text` safe to print on a terminal on one line: control characters (C0, DEL and C1) escaped
/// as \n, \xNN, \u{NN}; bytes that are not UTF-8 as U+FFFD.
std::string terminal_text(std::string_view text);

/// "0.42 ms", "12.3 ms", "1.25 s".
std::string format_seconds(double seconds);

}  // namespace healthchecks::walk
