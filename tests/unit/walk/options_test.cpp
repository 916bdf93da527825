#include "walk/options.hpp"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace healthchecks::walk {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Sources {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;
  OptionSources get() const {
    OptionSources sources;
    sources.getenv = [this](const std::string& name) -> std::optional<std::string> {
      const auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    sources.read_file = [this](const std::string& path) -> std::optional<std::string> {
      const auto it = files.find(path);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
    return sources;
  }
};

ParsedOptions parse(std::vector<std::string> args, const Sources& sources = {}) {
  return parse_options(args, sources.get());
}

TEST(Options, DefaultsAndTheStatusPath) {
  const auto parsed = parse({"http://127.0.0.1:8080"});
  ASSERT_EQ(parsed.error, "");
  const auto& options = parsed.options;
  EXPECT_EQ(options.url, "http://127.0.0.1:8080/status");
  EXPECT_EQ(options.host, "127.0.0.1");
  EXPECT_EQ(options.port, "8080");
  EXPECT_EQ(options.status_base, "/status");
  EXPECT_EQ(options.format, Format::tree);
  EXPECT_EQ(options.parallel, 8);
  EXPECT_EQ(options.timeout_seconds, 10);
  EXPECT_EQ(options.depth, 32);
  EXPECT_EQ(options.max_services, 1000u);
  EXPECT_FALSE(options.watch_seconds);
  EXPECT_EQ(parse({"http://127.0.0.1:8080/status"}).options.status_base, "/status");
  EXPECT_EQ(parse({"http://127.0.0.1:8080/api/status/"}).options.status_base, "/api/status");
  EXPECT_EQ(parse({"http://127.0.0.1:8080/api"}).options.status_base, "/api/status");
  EXPECT_EQ(parse({"http://127.0.0.1:8080/api"}).options.url, "http://127.0.0.1:8080/api/status");
}

TEST(Options, EveryOptionInBothSpellings) {
  const auto parsed = parse({"--json", "--parallel", "3", "--timeout=2.5", "--depth", "4",
                             "--max-services=50", "http://127.0.0.1:1"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.options.format, Format::json);
  EXPECT_EQ(parsed.options.parallel, 3);
  EXPECT_EQ(parsed.options.timeout_seconds, 2.5);
  EXPECT_EQ(parsed.options.depth, 4);
  EXPECT_EQ(parsed.options.max_services, 50u);
  EXPECT_EQ(parse({"--dot", "http://127.0.0.1:1"}).options.format, Format::dot);
  EXPECT_EQ(parse({"--mermaid", "http://127.0.0.1:1"}).options.format, Format::mermaid);
  EXPECT_EQ(parse({"--watch", "0.5", "http://127.0.0.1:1"}).options.watch_seconds, 0.5);
  EXPECT_TRUE(parse({"--help"}).options.help);
}

TEST(Options, BadUrlOrOptionIsOneLineSayingWhat) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "missing URL"},
      {{"ftp://127.0.0.1"}, "bad URL: 'ftp://127.0.0.1': scheme 'ftp' is not supported"},
      {{"127.0.0.1:8080"}, "bad URL: '127.0.0.1:8080'"},
      {{"http://127.0.0.1:99999"}, "port 99999 is out of range"},
      {{"http://127.0.0.1:1/?x=1"}, "expected no query"},
      {{"http://a:1", "http://b:1"}, "one URL only"},
      {{"--parallel", "0", "http://a:1"}, "--parallel: expected a whole number from 1 to 256"},
      {{"--depth", "33", "http://a:1"}, "--depth: expected a whole number from 0 to 32"},
      {{"--timeout", "soon", "http://a:1"}, "--timeout: expected seconds"},
      {{"--timeout", "-1", "http://a:1"}, "--timeout: expected seconds"},
      {{"--watch", "nan", "http://a:1"}, "--watch: expected seconds"},
      {{"http://a:1", "--parallel"}, "--parallel needs a number"},
      {{"--frobnicate", "http://a:1"}, "unknown option '--frobnicate'"},
      {{"--json", "--dot", "http://a:1"}, "choose one of --json, --dot and --mermaid"},
      {{"--json=yes", "http://a:1"}, "--json takes no value"},
      {{"--watch", "5", "--json", "http://a:1"}, "--watch prints the tree"},
      {{"--header", "NoColon", "http://a:1"}, "--header: expected 'Name: value'"},
      {{"--header", "Bad Name: x", "http://a:1"}, "is not an HTTP token"},
      {{"--header", "Host: evil", "http://a:1"}, "Host is set by the walk"},
      {{"--header-file", "/nope", "http://a:1"}, "--header-file '/nope': cannot read it"},
      {{"--header-env", "NOPE", "http://a:1"}, "environment variable 'NOPE' is not set"},
  };
  for (const auto& [args, expected] : cases) {
    const auto error = parse(args).error;
    EXPECT_THAT(error, HasSubstr(expected)) << ::testing::PrintToString(args);
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

TEST(Options, HeadersFromTheCommandLineAFileAndTheEnvironment) {
  Sources sources;
  sources.env["TOKEN_HEADER"] = "Authorization: Bearer from-env-0123456789";
  sources.files["/h"] = "# tokens\nX-One: 1\n\nX-Two:  two words  \n";
  const auto parsed = parse({"--header", "X-Cli: cli", "--header-file", "/h", "--header-env",
                             "TOKEN_HEADER", "http://127.0.0.1:1"},
                            sources);
  ASSERT_EQ(parsed.error, "");
  using Header = std::pair<std::string, std::string>;
  EXPECT_EQ(parsed.options.headers,
            (std::vector<Header>{{"X-Cli", "cli"},
                                 {"X-One", "1"},
                                 {"X-Two", "two words"},
                                 {"Authorization", "Bearer from-env-0123456789"}}));
}

TEST(Options, HeaderValuesNeverAppearInErrors) {
  Sources sources;
  sources.env["T"] = "Authorization: Bearer secret-token\x01";
  sources.files["/h"] = "Authorization: Bearer secret-token\x7f\n";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--header-env", "T", "http://a:1"},
           {"--header-file", "/h", "http://a:1"},
           {"--header", "Authorization: Bearer secret-token\r\nX: y", "http://a:1"}}) {
    const auto error = parse(args, sources).error;
    EXPECT_THAT(error, HasSubstr("control character"));
    EXPECT_THAT(error, Not(HasSubstr("secret-token")));
  }
  EXPECT_THAT(parse({"--header-file", "/h", "http://a:1"}, sources).error,
              StartsWith("--header-file '/h' line 1:"));
}

TEST(Options, HttpsWithItsCaFileOrLoudlyWithoutVerification) {
  Sources sources;
  sources.files["/etc/ca.pem"] = "-----BEGIN CERTIFICATE-----";
  auto parsed = parse({"--cacert", "/etc/ca.pem", "https://127.0.0.1:8443"}, sources);
  ASSERT_EQ(parsed.error, "");
  EXPECT_TRUE(parsed.options.https);
  EXPECT_EQ(parsed.options.port, "8443");
  EXPECT_EQ(parsed.options.url, "https://127.0.0.1:8443/status");
  EXPECT_EQ(parsed.options.tls.ca_file, "/etc/ca.pem");
  EXPECT_FALSE(parsed.options.tls.insecure_skip_verify);
  parsed = parse({"--insecure", "https://billing"});
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.options.port, "443");
  EXPECT_TRUE(parsed.options.tls.insecure_skip_verify);
  EXPECT_FALSE(parse({"http://billing"}).options.https);

  EXPECT_EQ(parse({"--cacert", "/nope.pem", "https://billing"}).error,
            "--cacert '/nope.pem': cannot read it");
  EXPECT_EQ(parse({"https://billing", "--cacert"}).error, "--cacert needs a file");
  EXPECT_EQ(parse({"--insecure=yes", "https://billing"}).error, "--insecure takes no value");
  EXPECT_EQ(parse({"--insecure", "http://billing"}).error,
            "--cacert and --insecure are for https:// URLs");
  EXPECT_EQ(parse({"--cacert=/etc/ca.pem", "http://billing"}, sources).error,
            "--cacert and --insecure are for https:// URLs");
}

}  // namespace
}  // namespace healthchecks::walk
