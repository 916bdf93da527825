#include "util/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace healthchecks::detail {
namespace {

std::string str(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string num(double value) {
  std::string out;
  append_json_number(out, value);
  return out;
}

TEST(JsonWriter, EscapesLikeGo) {
  EXPECT_EQ(str("plain"), "\"plain\"");
  EXPECT_EQ(str("say \"hi\"\\"), R"("say \"hi\"\\")");
  EXPECT_EQ(str("a\nb\tc\r"), R"("a\nb\tc\r")");
  EXPECT_EQ(str(std::string("\x01", 1)), R"("\u0001")");
  EXPECT_EQ(str("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(str("line\xE2\x80\xA8sep"), R"("line\u2028sep")");
}

TEST(JsonWriter, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(str("caf\xC3\xA9 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
  EXPECT_EQ(str("bad\xFF"), R"("bad\ufffd")");
  EXPECT_EQ(str("\xC3"), R"("\ufffd")");                      // truncated sequence
  EXPECT_EQ(str("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
  // Whatever the bytes, the result parses.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_NO_THROW({
    const auto parsed = nlohmann::json::parse(str(all));
    EXPECT_TRUE(parsed.is_string());
  });
}

TEST(JsonWriter, NumbersAsGoWritesFloat64) {
  EXPECT_EQ(num(0), "0");
  EXPECT_EQ(num(0.000447465), "0.000447465");
  EXPECT_EQ(num(6.33e-7), "6.33e-7");
  EXPECT_EQ(num(1.5), "1.5");
  EXPECT_EQ(num(2), "2");
  EXPECT_EQ(num(1e21), "1e+21");
}

TEST(JsonWriter, StatusShapes) {
  std::string v1;
  append_status_v1(v1, Status::ok("MySQL", "fine"));
  EXPECT_EQ(v1, R"(["OK"])");
  v1.clear();
  append_status_v1(v1, Status::crit("Memcached", "Could not connect to memcache server"));
  EXPECT_EQ(
      v1,
      R"(["CRIT",{"description":"Memcached","result":"CRIT","details":"Could not connect to memcache server"}])");
  std::string v2;
  append_status_object(v2, Status::ok("MySQL", {}));
  EXPECT_EQ(v2, R"({"description":"MySQL","result":"OK","details":""})");
}

TEST(JsonWriter, AnyValueWithSortedKeys) {
  std::string out;
  append_json(out, nlohmann::json::parse(R"({"b":[1,-2,3.5,true,null],"a":{"x":"<"}})"));
  EXPECT_EQ(out, R"({"a":{"x":"\u003c"},"b":[1,-2,3.5,true,null]})");
}

}  // namespace
}  // namespace healthchecks::detail

namespace healthchecks::detail {
namespace {

TEST(JsonWriter, SecondsExactlyFromNanoseconds) {
  const auto seconds = [](long long ns) {
    std::string out;
    append_json_seconds(out, std::chrono::nanoseconds(ns));
    return out;
  };
  EXPECT_EQ(seconds(447465), "0.000447465");
  EXPECT_EQ(seconds(0), "0");
  EXPECT_EQ(seconds(1'500'000'000), "1.5");
  EXPECT_EQ(seconds(2'000'000'000), "2");
  EXPECT_EQ(seconds(633), "0.000000633");
  EXPECT_EQ(seconds(-5), "0");
}

TEST(JsonWriter, WritesAnyDepthWithoutRecursion) {
  // Built and written without recursion: 100,000 levels would overflow a recursive writer.
  nlohmann::json value = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) value = nlohmann::json::array({std::move(value)});
  std::string out;
  append_json(out, value);
  EXPECT_EQ(out, std::string(100001, '[') + std::string(100001, ']'));
  std::string object;
  append_json(object, nlohmann::json{{"b", {{"c", 1}}}, {"a", nlohmann::json::array({1, "x"})}});
  EXPECT_EQ(object, R"({"a":[1,"x"],"b":{"c":1}})");
}

}  // namespace
}  // namespace healthchecks::detail
