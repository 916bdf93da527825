#include "api/accept.hpp"

#include "util/text.hpp"

namespace healthchecks::detail {
namespace {

bool is_tchar(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// A cursor over the field value; every step moves forward, so the work is linear in its size.
struct Scanner {
  std::string_view text;
  std::size_t at = 0;

  bool done() const noexcept { return at >= text.size(); }
  char peek() const noexcept { return done() ? '\0' : text[at]; }
  void skip_ows() noexcept {
    while (!done() && (text[at] == ' ' || text[at] == '\t')) ++at;
  }
  std::string_view token() noexcept {
    const std::size_t start = at;
    while (!done() && is_tchar(text[at])) ++at;
    return text.substr(start, at - start);
  }
  // A quoted-string, opening quote at `at`: false when it never closes or holds a control byte.
  bool quoted_string() noexcept {
    for (++at; !done(); ++at) {
      const auto c = static_cast<unsigned char>(text[at]);
      if (c == '"') {
        ++at;
        return true;
      }
      if (c == '\\') {
        if (++at == text.size()) return false;
        continue;
      }
      if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return false;
  }
};

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; -1 if not one.
int parse_qvalue(std::string_view q) noexcept {
  if (q.empty() || q.size() > 5 || (q[0] != '0' && q[0] != '1')) return -1;
  int value = (q[0] - '0') * 1000;
  if (q.size() == 1) return value;
  if (q[1] != '.') return -1;
  int scale = 100;
  for (std::size_t i = 2; i < q.size(); ++i, scale /= 10) {
    if (q[i] < '0' || q[i] > '9') return -1;
    value += (q[i] - '0') * scale;
  }
  return value > 1000 ? -1 : value;
}

// How well a range matches a format: higher is more specific; -1 when it does not match.
int specificity(std::string_view type, std::string_view subtype, std::string_view wanted,
                bool parameters) noexcept {
  if (type == "*") return 0;  // */* (*/subtype is refused before this)
  if (!iequals(type, "application")) return -1;
  if (subtype == "*") return 1;
  if (!iequals(subtype, wanted)) return -1;
  return parameters ? 3 : 2;
}

struct Best {
  int specificity = -1;
  int quality = 0;
  void offer(int s, int q) noexcept {
    if (s > specificity) {
      specificity = s;
      quality = q;
    }
  }
};

}  // namespace

std::optional<JsonQualities> parse_json_qualities(std::string_view accept) {
  Scanner s{accept};
  Best health_json;
  Best json;
  std::size_t ranges = 0;
  for (;;) {
    // #rule: empty elements (", ,") are allowed and ignored.
    while (!s.done() && (s.peek() == ',' || s.peek() == ' ' || s.peek() == '\t')) ++s.at;
    if (s.done()) break;
    if (++ranges > kMaxAcceptRanges) return std::nullopt;
    const auto type = s.token();
    if (type.empty() || s.peek() != '/') return std::nullopt;
    ++s.at;
    const auto subtype = s.token();
    if (subtype.empty() || (type == "*" && subtype != "*")) return std::nullopt;
    // parameters = *( OWS ";" OWS [ parameter ] ); after q come accept-ext, which do not narrow
    // the range.
    int quality = 1000;
    bool parameters = false;
    bool weighted = false;
    s.skip_ows();
    while (s.peek() == ';') {
      ++s.at;
      s.skip_ows();
      if (s.done() || s.peek() == ';' || s.peek() == ',') continue;
      const auto name = s.token();
      if (name.empty() || s.peek() != '=') return std::nullopt;
      ++s.at;
      if (s.peek() == '"') {
        // A weight is never quoted; an accept-ext after it may be.
        if ((!weighted && iequals(name, "q")) || !s.quoted_string()) return std::nullopt;
        if (!weighted) parameters = true;
      } else {
        const auto value = s.token();
        if (value.empty()) return std::nullopt;
        if (!weighted && iequals(name, "q")) {
          quality = parse_qvalue(value);
          if (quality < 0) return std::nullopt;
          weighted = true;
        } else if (!weighted) {
          parameters = true;
        }
      }
      s.skip_ows();
    }
    if (!s.done() && s.peek() != ',') return std::nullopt;
    health_json.offer(specificity(type, subtype, "health+json", parameters), quality);
    json.offer(specificity(type, subtype, "json", parameters), quality);
  }
  JsonQualities qualities;
  qualities.health_json = health_json.quality;
  qualities.json = json.quality;
  return qualities;
}

bool prefers_health_json(std::string_view accept) {
  const auto qualities = parse_json_qualities(accept);
  return qualities && qualities->health_json > qualities->json;
}

}  // namespace healthchecks::detail
