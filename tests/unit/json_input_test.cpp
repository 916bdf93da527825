#include "util/json_input.hpp"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace healthchecks::detail {
namespace {

using ::testing::HasSubstr;

std::string validated(std::string text) {
  const auto problem = validate_untrusted_json(text);
  return problem.empty() ? text : "error: " + problem;
}

TEST(ValidateUntrustedJson, AgreesWithTheGrammar) {
  for (const std::string valid :
       {R"({"a":[1,-2.5e3,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"],"b":{}})", "[]", " 0 ", "\"\"",
        R"([{"k":[[]]}])", "-0.0E+1", "\"\xC3\xA9\"", R"("\ud83d\ude00")"}) {
    EXPECT_EQ(validated(valid), valid) << valid;
    EXPECT_TRUE(nlohmann::json::accept(valid)) << valid;
  }
  for (const std::string invalid :
       {"",           "[",      "]",          "{",       "[1,]",      "{\"a\"}", "{\"a\":}",
        "{a:1}",      "[1 2]",  "01",         "1.",      ".5",        "-",       "1e",
        "tru",        "nul",    "[\"\x01\"]", "\"\\x\"", "\"\\u12\"", "{} {}",   "[1]]",
        "{\"a\":1,}", "\"open", "1e400",      "<html>"}) {
    EXPECT_EQ(validated(invalid), "error: not valid JSON") << invalid;
    EXPECT_FALSE(nlohmann::json::accept(invalid)) << invalid;
  }
}

TEST(ValidateUntrustedJson, NestingBeyondTheLimitIsNamed) {
  EXPECT_EQ(validated(std::string(64, '[') + std::string(64, ']')),
            std::string(64, '[') + std::string(64, ']'));
  EXPECT_THAT(validated(std::string(65, '[') + std::string(65, ']')),
              HasSubstr("nested deeper than 64 levels (line 1, column 65)"));
  EXPECT_THAT(validated("{\"a\":" + std::string(100000, '[')), HasSubstr("nested deeper"));
}

TEST(ValidateUntrustedJson, RewritesWhatGoReadsAsReplacementCharacters) {
  EXPECT_EQ(validated(R"(["disk full \ud83d"])"), R"(["disk full \ufffd"])");
  EXPECT_EQ(validated(R"(["\udc00 alone"])"), R"(["\ufffd alone"])");
  EXPECT_EQ(validated("[\"bad \xff byte\"]"), "[\"bad \xEF\xBF\xBD byte\"]");
}

TEST(ParseUntrustedJson, ReadsLenientlyAndNamesFaults) {
  EXPECT_EQ(parse_untrusted_json(R"(["x\ud83d"])").value[0], "x\xEF\xBF\xBD");
  EXPECT_THAT(parse_untrusted_json("[1e400]").error, HasSubstr("number overflow"));
  EXPECT_THAT(parse_untrusted_json(std::string(70, '[')).error,
              HasSubstr("nested deeper than 64 levels"));
  EXPECT_TRUE(parse_untrusted_json(R"({"a":1})").error.empty());
  // nlohmann alone would stop reading at the NUL and take ["OK"].
  EXPECT_EQ(parse_untrusted_json(std::string("[\"OK\"]\0garbage", 15)).error,
            "a NUL byte at offset 6");
  EXPECT_EQ(validated(std::string("[\"OK\"]\0", 7)), "error: not valid JSON");
}

}  // namespace
}  // namespace healthchecks::detail
