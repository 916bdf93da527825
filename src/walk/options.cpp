#include "walk/options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "healthchecks/error.hpp"
#include "healthchecks/http_client.hpp"
#include "healthchecks/router.hpp"
#include "util/text.hpp"

namespace healthchecks::walk {

const char* const kUsage =
    "usage: healthchecks-walk [--json | --dot | --mermaid] [--watch SECONDS] [options] URL\n";

const char* const kHelp =
    "\n"
    "Walks the service graph behind URL (http[s]://host:port, or its .../status URL) through\n"
    "/status/traverse, and prints each dependency with its level, then the likely root causes:\n"
    "the CRIT dependencies whose own dependencies are healthy.\n"
    "\n"
    "  --json              the walked graph as one JSON document\n"
    "  --dot               the graph for Graphviz (dot -Tsvg)\n"
    "  --mermaid           the graph as a Mermaid flowchart\n"
    "  --watch SECONDS     walk again every SECONDS and print what changed, until SIGINT/SIGTERM\n"
    "  --parallel N        requests in flight at most (default 8)\n"
    "  --timeout SECONDS   deadline of the whole walk (default 10)\n"
    "  --depth N           hops from URL at most (default 32, the hop limit)\n"
    "  --max-services N    services expanded at most (default 1000)\n"
    "  --header 'Name: value'   send this header field (repeatable), e.g. a bearer token\n"
    "  --header-file PATH  send the 'Name: value' lines of PATH\n"
    "  --header-env VAR    send the 'Name: value' held by environment variable VAR\n"
    "  --cacert FILE       https: trust the CA certificates of FILE (PEM) instead of the\n"
    "                      system's\n"
    "  --insecure          https: DO NOT VERIFY certificates (any certificate, for any name,\n"
    "                      from anybody); for test setups only\n"
    "  --help              print this text\n"
    "\n"
    "Exit code: 0, 1, 2 for the worst level OK, WARN, CRIT; 3 when URL does not answer an\n"
    "About; 64 for a bad URL or option. Colours only on a terminal, never with NO_COLOR set.\n";

namespace {

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (const char allowed : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == allowed) return true;
  }
  return false;
}

std::string quote_arg(std::string_view text) {
  std::string out = "'";
  detail::append_one_line(out, text.substr(0, 200));
  return out + "'";
}

// "Name: value" into a header field; `where` names its source in messages, which never quote
// the value (it is usually a secret).
std::string add_header(Options& options, std::string_view line, const std::string& where) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return where + ": expected 'Name: value'";
  }
  const auto name = detail::trim_space(line.substr(0, colon));
  const auto value = detail::trim_space(line.substr(colon + 1));
  if (name.empty()) return where + ": the header name is empty";
  for (const char c : name) {
    if (!is_token_char(c))
      return where + ": header name " + quote_arg(name) + " is not an HTTP token";
  }
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return where + ": the value of " + name + " holds a control character";
    }
  }
  for (const char* reserved : {"Host", "Content-Length", "Transfer-Encoding", "Connection"}) {
    if (detail::iequals(name, reserved)) return where + ": " + name + " is set by the walk";
  }
  options.headers.emplace_back(name, value);
  return {};
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() && std::isfinite(out);
}

bool parse_count(const std::string& text, long min, long max, long& out) {
  if (text.empty() || text.size() > 9) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  out = std::strtol(text.c_str(), nullptr, 10);
  return out >= min && out <= max;
}

std::string set_url(Options& options, const std::string& text) {
  HttpUrl url;
  try {
    url = parse_http_url(text);
  } catch (const Error& e) {
    return "bad URL: " + e.message();
  }
  if (!url.query.empty()) return "bad URL " + quote_arg(text) + ": expected no query";
  options.host = url.host;
  options.port = url.port;
  options.https = url.https();
  std::string base = url.base_path;
  const std::string_view suffix = "/status";
  if (base.size() < suffix.size() ||
      base.compare(base.size() - suffix.size(), suffix.size(), suffix.data()) != 0) {
    base += suffix;
  }
  options.status_base = base;
  // url.text is "http://host:port/base" (any password masked).
  std::string shown = url.text;
  if (!url.base_path.empty() && shown.size() >= url.base_path.size()) {
    shown.resize(shown.size() - url.base_path.size());
  }
  options.url = shown + base;
  return {};
}

}  // namespace

OptionSources system_sources() {
  OptionSources sources;
  sources.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  sources.read_file = [](const std::string& path) -> std::optional<std::string> {
    std::string content;
    if (!detail::read_whole_file(path, content)) return std::nullopt;
    return content;
  };
  return sources;
}

ParsedOptions parse_options(const std::vector<std::string>& args, const OptionSources& sources) {
  ParsedOptions parsed;
  Options& options = parsed.options;
  options.depth = RouterOptions{}.max_hops;
  std::vector<std::string> urls;
  int formats = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (arg.rfind("--", 0) == 0) {
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        inline_value = arg.substr(eq + 1);
        arg.resize(eq);
      }
    }
    const auto value = [&](std::string& out) -> bool {
      if (inline_value) {
        out = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    const auto flag = [&](Format format) -> std::string {
      if (inline_value) return arg + " takes no value";
      options.format = format;
      ++formats;
      return {};
    };
    std::string error;
    std::string text;
    if (arg == "--help" || arg == "-h") {
      options.help = true;
    } else if (arg == "--json") {
      error = flag(Format::json);
    } else if (arg == "--dot") {
      error = flag(Format::dot);
    } else if (arg == "--mermaid") {
      error = flag(Format::mermaid);
    } else if (arg == "--watch" || arg == "--timeout") {
      double seconds = 0;
      if (!value(text)) {
        error = arg + " needs a number of seconds";
      } else if (!parse_number(text, seconds) || seconds <= 0 || seconds > 86400) {
        error = arg + ": expected seconds from 0 to 86400 (0 excluded), found " + quote_arg(text);
      } else if (arg == "--watch") {
        options.watch_seconds = seconds;
      } else {
        options.timeout_seconds = seconds;
      }
    } else if (arg == "--parallel" || arg == "--depth" || arg == "--max-services") {
      const long min = arg == "--depth" ? 0 : 1;
      const long max = arg == "--parallel" ? 256 : arg == "--depth" ? options.depth : 100000;
      long count = 0;
      if (!value(text)) {
        error = arg + " needs a number";
      } else if (!parse_count(text, min, max, count)) {
        error = arg + ": expected a whole number from " + std::to_string(min) + " to " +
                std::to_string(max) + ", found " + quote_arg(text);
      } else if (arg == "--parallel") {
        options.parallel = static_cast<int>(count);
      } else if (arg == "--depth") {
        options.depth = static_cast<int>(count);
      } else {
        options.max_services = static_cast<std::size_t>(count);
      }
    } else if (arg == "--header") {
      if (!value(text)) {
        error = "--header needs 'Name: value'";
      } else {
        error = add_header(options, text, "--header");
      }
    } else if (arg == "--header-file") {
      if (!value(text)) {
        error = "--header-file needs a path";
      } else if (const auto content = sources.read_file(text); !content) {
        error = "--header-file " + quote_arg(text) + ": cannot read it";
      } else {
        int line_number = 0;
        for (const auto& line : detail::split(*content, '\n')) {
          ++line_number;
          const auto trimmed = detail::trim_space(line);
          if (trimmed.empty() || trimmed[0] == '#') continue;
          error = add_header(
              options, trimmed,
              "--header-file " + quote_arg(text) + " line " + std::to_string(line_number));
          if (!error.empty()) break;
        }
      }
    } else if (arg == "--header-env") {
      if (!value(text)) {
        error = "--header-env needs the name of an environment variable";
      } else if (const auto held = sources.getenv(text); !held) {
        error = "--header-env: environment variable " + quote_arg(text) + " is not set";
      } else {
        error = add_header(options, *held, "--header-env " + text);
      }
    } else if (arg == "--cacert") {
      if (!value(text)) {
        error = "--cacert needs a file";
      } else if (!sources.read_file(text)) {
        error = "--cacert " + quote_arg(text) + ": cannot read it";
      } else {
        options.tls.ca_file = text;
      }
    } else if (arg == "--insecure") {
      if (inline_value) {
        error = "--insecure takes no value";
      } else {
        options.tls.insecure_skip_verify = true;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      error = "unknown option " + quote_arg(arg);
    } else {
      urls.push_back(arg);
    }
    if (!error.empty()) {
      parsed.error = error;
      return parsed;
    }
  }
  if (options.help) return parsed;
  if (formats > 1) {
    parsed.error = "choose one of --json, --dot and --mermaid";
  } else if (options.watch_seconds && options.format != Format::tree) {
    parsed.error =
        "--watch prints the tree and its changes: it takes no --json, --dot or --mermaid";
  } else if (urls.empty()) {
    parsed.error = "missing URL, e.g. http://127.0.0.1:8080";
  } else if (urls.size() > 1) {
    parsed.error = "one URL only, found " + quote_arg(urls[0]) + " and " + quote_arg(urls[1]);
  } else {
    parsed.error = set_url(options, urls[0]);
    if (parsed.error.empty() && !options.https &&
        (!options.tls.ca_file.empty() || options.tls.insecure_skip_verify)) {
      parsed.error = "--cacert and --insecure are for https:// URLs";
    }
  }
  return parsed;
}

}  // namespace healthchecks::walk
