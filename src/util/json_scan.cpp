// validate_untrusted_json: the one-pass scanner behind traversal's relayed answers.
#include "util/json_input.hpp"
#include "util/utf8.hpp"

namespace healthchecks::detail {

namespace {

// One pass over JSON text, checking RFC 8259's grammar with an explicit stack: what a traversal
// relays is checked on every request, and nlohmann's accept() cost ten times more (callgrind,
// docs/benchmarks.md). It reports where nesting passes the limit, and whether the text is valid
// only once rewritten (a lone surrogate escape, bytes that are not UTF-8).
// Bytes that need no attention inside a JSON string: printable ASCII but the quote and the
// backslash.
struct PlainBytes {
  bool table[256] = {};
  constexpr PlainBytes() {
    for (int c = 0x20; c < 0x80; ++c) table[c] = c != '"' && c != '\\';
  }
  constexpr bool operator[](unsigned char c) const { return table[c]; }
};
constexpr PlainBytes kPlain;

class Scanner {
 public:
  enum class Verdict { valid, rewrite, invalid, too_deep };

  explicit Scanner(std::string_view text) : s_(text) {}

  Verdict run() {
    enum class Expect { value, value_or_end, key_or_end, key, colon, comma_or_end, nothing };
    Expect expect = Expect::value;
    const auto after_value = [this] {
      return depth_ == 0 ? Expect::nothing : Expect::comma_or_end;
    };
    for (;;) {
      skip_space();
      if (i_ == s_.size()) return expect == Expect::nothing ? verdict() : Verdict::invalid;
      const char c = s_[i_];
      switch (expect) {
        case Expect::value_or_end:
          if (c == ']') {
            --depth_;
            ++i_;
            expect = after_value();
            break;
          }
          [[fallthrough]];
        case Expect::value:
          if (c == '[' || c == '{') {
            if (depth_ == kMaxJsonDepth) return Verdict::too_deep;
            open_[depth_++] = c;
            ++i_;
            expect = c == '[' ? Expect::value_or_end : Expect::key_or_end;
          } else if (!scalar()) {
            return Verdict::invalid;
          } else {
            expect = after_value();
          }
          break;
        case Expect::key_or_end:
          if (c == '}') {
            --depth_;
            ++i_;
            expect = after_value();
            break;
          }
          [[fallthrough]];
        case Expect::key:
          if (c != '"' || !string()) return Verdict::invalid;
          expect = Expect::colon;
          break;
        case Expect::colon:
          if (c != ':') return Verdict::invalid;
          ++i_;
          expect = Expect::value;
          break;
        case Expect::comma_or_end: {
          const bool array = open_[depth_ - 1] == '[';
          if (c == ',') {
            expect = array ? Expect::value : Expect::key;
          } else if (c == (array ? ']' : '}')) {
            --depth_;
            expect = after_value();
          } else {
            return Verdict::invalid;
          }
          ++i_;
          break;
        }
        case Expect::nothing:
          return Verdict::invalid;
      }
    }
  }

  std::size_t offset() const noexcept { return i_; }

 private:
  Verdict verdict() const { return rewrite_ ? Verdict::rewrite : Verdict::valid; }

  void skip_space() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) {
      ++i_;
    }
  }

  bool scalar() {
    const char c = s_[i_];
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    for (const std::string_view literal : {"true", "false", "null"}) {
      if (s_.compare(i_, literal.size(), literal) == 0) {
        i_ += literal.size();
        return true;
      }
    }
    return false;
  }

  bool string() {
    ++i_;  // the opening quote
    const char* data = s_.data();
    const std::size_t size = s_.size();
    while (i_ < size) {
      // Most of a body is plain text inside strings: skip it with one table look-up a byte.
      while (i_ < size && kPlain[static_cast<unsigned char>(data[i_])]) ++i_;
      if (i_ == size) break;
      const auto c = static_cast<unsigned char>(data[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!escape()) return false;
      } else if (c < 0x80) {
        ++i_;
      } else if (const std::size_t n = utf8_length(s_, i_); n != 0) {
        i_ += n;
      } else {
        rewrite_ = true;  // Go reads it as U+FFFD; rewrite_lenient() does the same
        ++i_;
      }
    }
    return false;
  }

  bool escape() {
    if (i_ + 1 >= s_.size()) return false;
    const char e = s_[i_ + 1];
    if (e != 'u') {
      i_ += 2;
      return e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
             e == 't';
    }
    const long unit = escaped_unit(s_, i_);
    if (unit < 0) return false;
    i_ += 6;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const long low = escaped_unit(s_, i_);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        i_ += 6;
      } else {
        rewrite_ = true;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      rewrite_ = true;
    }
    return true;
  }

  bool number() {
    const std::size_t start = i_;
    const auto digits = [this] {
      const std::size_t from = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ - from;
    };
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (digits() == 0) {
      return false;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (digits() == 0) return false;
    }
    bool exponent = false;
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      exponent = true;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (digits() == 0) return false;
    }
    // A number no double holds is refused, as Go and nlohmann refuse it; only long numbers
    // and exponents can be one, so only they are converted.
    if (exponent || i_ - start > 300) {
      const std::string token(s_.substr(start, i_ - start));
      return std::isfinite(std::strtod(token.c_str(), nullptr));
    }
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int depth_ = 0;
  char open_[kMaxJsonDepth] = {};
  bool rewrite_ = false;
};

}  // namespace

std::string validate_untrusted_json(std::string& text) {
  Scanner scanner(text);
  switch (scanner.run()) {
    case Scanner::Verdict::valid:
      return {};
    case Scanner::Verdict::too_deep:
      return too_deep_message(text, scanner.offset());
    case Scanner::Verdict::invalid:
      return "not valid JSON";
    case Scanner::Verdict::rewrite:
      break;
  }
  std::string rewritten;
  if (rewrite_lenient(text, rewritten)) text = std::move(rewritten);
  return {};
}

}  // namespace healthchecks::detail
