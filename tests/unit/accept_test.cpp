// Which Accept fields ask for application/health+json rather than the Health Checks API answer.
#include "api/accept.hpp"

#include <string>

#include <gtest/gtest.h>

namespace healthchecks::detail {
namespace {

TEST(Accept, BrowsersAndCurlKeepTodaysAnswer) {
  // Firefox, Chrome, Safari, curl, and no field at all.
  EXPECT_FALSE(prefers_health_json(
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"));
  EXPECT_FALSE(prefers_health_json(
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
      "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"));
  EXPECT_FALSE(
      prefers_health_json("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
  EXPECT_FALSE(prefers_health_json("*/*"));
  EXPECT_FALSE(prefers_health_json(""));
  EXPECT_FALSE(prefers_health_json("application/json"));
  EXPECT_FALSE(prefers_health_json("application/*"));
}

TEST(Accept, HealthJsonAloneOrPreferredAsksForIt) {
  EXPECT_TRUE(prefers_health_json("application/health+json"));
  EXPECT_TRUE(prefers_health_json("application/health+json, application/json;q=0.9"));
  EXPECT_TRUE(prefers_health_json("application/json;q=0.5, application/health+json"));
  EXPECT_TRUE(prefers_health_json("application/health+json, */*;q=0.1"));
  EXPECT_TRUE(prefers_health_json("application/health+json;q=0.9, application/*;q=0.8"));
  EXPECT_TRUE(prefers_health_json("application/health+json;q=0.001"));
}

TEST(Accept, EqualQualitiesKeepTodaysAnswer) {
  // Strictly greater, as the issue asks: a tie is no preference.
  EXPECT_FALSE(prefers_health_json("application/health+json, application/json"));
  EXPECT_FALSE(prefers_health_json("application/json, application/health+json"));
  EXPECT_FALSE(prefers_health_json("application/health+json, */*"));
  EXPECT_FALSE(prefers_health_json("application/health+json, application/*"));
  EXPECT_FALSE(prefers_health_json("application/health+json;q=0.5, application/json;q=0.5"));
  EXPECT_FALSE(prefers_health_json("application/health+json;q=0.4, application/json;q=0.5"));
}

TEST(Accept, TheMostSpecificRangeDecides) {
  // application/json at q=1 through */*, but its own range says 0.2.
  EXPECT_TRUE(prefers_health_json("*/*, application/json;q=0.2, application/health+json;q=0.5"));
  // health+json's own q=0 beats application/*: not acceptable at all.
  EXPECT_FALSE(prefers_health_json("application/*, application/health+json;q=0"));
  // A range with parameters is more specific than the same range without.
  EXPECT_TRUE(prefers_health_json(
      "application/health+json;q=0.9, application/json;charset=utf-8;q=0.1, application/json"));
  // The first of two equally specific ranges counts.
  EXPECT_TRUE(prefers_health_json(
      "application/health+json;q=0.9, application/json;q=0.5, application/json;q=1"));
  const auto q = parse_json_qualities("application/*;q=0.3, */*;q=0.7, application/health+json");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->health_json, 1000);
  EXPECT_EQ(q->json, 300);
}

TEST(Accept, QValuesAreReadExactly) {
  const auto q = [](const std::string& value) {
    const auto qualities = parse_json_qualities("application/health+json;q=" + value);
    return qualities ? qualities->health_json : -1;
  };
  EXPECT_EQ(q("1"), 1000);
  EXPECT_EQ(q("1."), 1000);
  EXPECT_EQ(q("1.000"), 1000);
  EXPECT_EQ(q("0"), 0);
  EXPECT_EQ(q("0.5"), 500);
  EXPECT_EQ(q("0.25"), 250);
  EXPECT_EQ(q("0.125"), 125);
  EXPECT_EQ(q("0.001"), 1);
  // Not qvalues: the field is malformed.
  EXPECT_EQ(q("1.001"), -1);
  EXPECT_EQ(q("2"), -1);
  EXPECT_EQ(q("0.1234"), -1);
  EXPECT_EQ(q("-0.5"), -1);
  EXPECT_EQ(q(".5"), -1);
  EXPECT_EQ(q("0,5"), -1);
  EXPECT_EQ(q("abc"), -1);
  EXPECT_EQ(q("\"0.5\""), -1);
  EXPECT_EQ(q(""), -1);
}

TEST(Accept, CaseAndWhitespaceDoNotMatter) {
  EXPECT_TRUE(prefers_health_json("Application/Health+JSON"));
  EXPECT_TRUE(prefers_health_json("application/health+json ; Q=0.9 ,\tapplication/json;q=0.8"));
  EXPECT_TRUE(prefers_health_json(" ,, application/health+json, ,"));  // empty elements
  EXPECT_FALSE(prefers_health_json("APPLICATION/JSON, application/HEALTH+json"));
}

TEST(Accept, ParametersAndExtensionsAreRead) {
  EXPECT_TRUE(
      prefers_health_json("application/health+json;profile=\"a;b,c\\\"d\";q=0.9, "
                          "application/json;q=0.8"));
  EXPECT_TRUE(prefers_health_json("application/health+json;q=0.9;ext=\"x\";other=1, */*;q=0.1"));
  EXPECT_TRUE(prefers_health_json("application/health+json;;q=1;, application/json;q=0.1"));
  // Other types never match either format.
  const auto q = parse_json_qualities("text/json, application/jsonx, application/health+jsonx");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->health_json, 0);
  EXPECT_EQ(q->json, 0);
}

TEST(Accept, MalformedFieldsKeepTodaysAnswer) {
  const char* malformed[] = {
      "application/health+json, application/json;q=2",
      "application/health+json, text",
      "application/health+json, /json",
      "application/health+json, application/",
      "application/health+json, */json",
      "application/health+json junk",
      "application/health+json;profile",
      "application/health+json;profile=",
      "application/health+json;profile=\"unterminated",
      "application/health+json;profile=\"ctl\x01\"",
      "application/health+json;q=0.5;q",
      "application / health+json",
      "application/health+json\x80",
      "application/health+json, application/json;q=0.5 junk",
  };
  for (const char* accept : malformed) {
    EXPECT_FALSE(parse_json_qualities(accept)) << accept;
    EXPECT_FALSE(prefers_health_json(accept)) << accept;
  }
}

TEST(Accept, LongFieldsAreReadOnlySoFar) {
  std::string accept;
  for (std::size_t i = 0; i < kMaxAcceptRanges - 1; ++i)
    accept += "text/x-" + std::to_string(i) + ",";
  EXPECT_TRUE(prefers_health_json(accept + "application/health+json"));
  // One range more than the bound: today's answer, whatever it asks for.
  EXPECT_FALSE(prefers_health_json(accept + "text/plain,application/health+json"));
  // Many ranges: refused at the bound, not read to the end.
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "a/b,";
  EXPECT_FALSE(prefers_health_json(many + "application/health+json"));
  // Empty list elements and empty parameters are no ranges: read in one pass, and honoured.
  const std::string commas(1 << 20, ',');
  EXPECT_TRUE(prefers_health_json(commas + "application/health+json"));
  const std::string semicolons(100000, ';');
  EXPECT_TRUE(
      prefers_health_json("application/json" + semicolons + "q=0, application/health+json"));
}

}  // namespace
}  // namespace healthchecks::detail
