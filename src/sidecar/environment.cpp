#include "sidecar/environment.hpp"

#include <algorithm>
#include <cctype>

namespace healthchecks::sidecar {
namespace {

bool variable_name(std::string_view name) {
  if (name.empty() || (std::isdigit(static_cast<unsigned char>(name.front())) != 0)) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

// One string value with its references replaced: `$$` is a `$`, and a `$` followed by neither
// `{` nor `$` stays as it is.
std::string expand(const std::string& text, const std::string& key, const Reader& r,
                   Environment& env) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string::npos) {
      r.fail(key, "'${' without a closing '}' (write $$ for a literal $)");
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    if (!variable_name(name)) {
      r.fail(key, "'${" + (name.size() > 40 ? name.substr(0, 37) + "..." : name) +
                      "}' is not an environment variable name (letters, digits and _, not "
                      "starting with a digit; write $$ for a literal $)");
    }
    add_once(env.names, name);
    const char* value = env.options->getenv ? env.options->getenv(name.c_str()) : nullptr;
    if (value == nullptr) {
      if (env.options->require_env) r.fail(key, "environment variable " + name + " is not set");
      add_once(env.missing, name);
      env.unresolved.emplace(key, name);
    } else {
      out += value;
      if (*value != '\0') add_once(env.values, value);
    }
    i = close;
  }
  return out;
}

// Every string value of the document, at any depth; keys are named as the Reader names them.
void expand_all(json& value, const std::string& key, const Reader& r, Environment& env) {
  if (value.is_string()) {
    auto& text = value.get_ref<std::string&>();
    if (text.find('$') != std::string::npos) text = expand(text, key, r, env);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      expand_all(it.value(), Reader::key(key, it.key()), r, env);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      expand_all(value[i], key + "[" + std::to_string(i) + "]", r, env);
    }
  }
}

// A second, event-by-event reading of the document, in the file's order, naming keys as the
// Reader names them ("checks[0].port"). It keeps the JSON text of integers that do not fit a
// long long, and reads the `${NAME}` references of every string value, so that variables are
// listed, and the first mistake reported, in the order of the file (the document's objects
// hold their keys sorted).
class DocumentScan : public nlohmann::json_sax<json> {
 public:
  DocumentScan(const Reader& reader, Environment& env) : reader_(reader), env_(env) {}

  std::map<std::string, std::string> big_numbers;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t number) override {
    const std::string at = next_key();
    if (number > static_cast<number_unsigned_t>(LLONG_MAX))
      big_numbers[at] = std::to_string(number);
    return true;
  }
  bool number_float(number_float_t, const string_t& text) override {
    const std::string at = next_key();
    // Digits alone (an integer literal too large even for 64 bits); 1e3 and 2.5 are not.
    if (text.find_first_not_of("-0123456789") == std::string::npos) big_numbers[at] = text;
    return true;
  }
  bool string(string_t& text) override {
    const std::string at = next_key();
    if (text.find('$') != std::string::npos) (void)expand(text, at, reader_, env_);
    return true;
  }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(false); }
  bool key(string_t& name) override {
    if (!frames_.empty()) frames_.back().name = name;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string path;
    std::string name;
  };

  std::string next_key() {
    if (frames_.empty()) return "";
    auto& top = frames_.back();
    if (top.array) return top.path + "[" + std::to_string(top.index++) + "]";
    return Reader::key(top.path, top.name);
  }
  bool value() {
    (void)next_key();
    return true;
  }
  bool open(bool array) {
    std::string at = next_key();
    frames_.push_back(Frame{array, 0, std::move(at), {}});
    return true;
  }
  bool close() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  const Reader& reader_;
  Environment& env_;
  std::vector<Frame> frames_;
};

}  // namespace

void resolve_environment(json& doc, std::string_view text, Reader& r, Environment& env) {
  DocumentScan scan(r, env);
  (void)json::sax_parse(text, &scan);
  r.set_big_numbers(std::move(scan.big_numbers));
  expand_all(doc, "", r, env);
  r.set_unresolved(env.unresolved);
}

}  // namespace healthchecks::sidecar
