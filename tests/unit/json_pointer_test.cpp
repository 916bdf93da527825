#include "util/json_pointer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace healthchecks::detail {
namespace {

using Tokens = std::vector<std::string>;

TEST(JsonPointer, ParsesRfc6901Tokens) {
  EXPECT_EQ(parse_json_pointer(""), Tokens{});
  EXPECT_EQ(parse_json_pointer("/"), Tokens{""});
  EXPECT_EQ(parse_json_pointer("/status"), Tokens{"status"});
  EXPECT_EQ(parse_json_pointer("/nodes/0/status"), (Tokens{"nodes", "0", "status"}));
  // ~01 is "~1", not "/": ~0 is read first.
  EXPECT_EQ(parse_json_pointer("/a~1b/m~0n/~01"), (Tokens{"a/b", "m~n", "~1"}));
  for (const char* bad : {"status", "#/status", "/a~", "/a~2", "/~x"}) {
    EXPECT_EQ(parse_json_pointer(bad), std::nullopt) << bad;
  }
}

// The examples of RFC 6901 section 5.
TEST(JsonPointer, ResolvesTheRfcExamples) {
  const auto document = nlohmann::json::parse(
      R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5,
          "k\"l": 6, " ": 7, "m~n": 8})");
  const auto at = [&document](const char* pointer) {
    return resolve_json_pointer(document, *parse_json_pointer(pointer));
  };
  EXPECT_EQ(at(""), &document);
  EXPECT_EQ(*at("/foo"), nlohmann::json({"bar", "baz"}));
  EXPECT_EQ(*at("/foo/0"), "bar");
  EXPECT_EQ(*at("/"), 0);
  EXPECT_EQ(*at("/a~1b"), 1);
  EXPECT_EQ(*at("/c%d"), 2);
  EXPECT_EQ(*at("/i\\j"), 5);
  EXPECT_EQ(*at("/k\"l"), 6);
  EXPECT_EQ(*at("/ "), 7);
  EXPECT_EQ(*at("/m~0n"), 8);
  for (const char* absent : {"/foo/2", "/foo/-", "/foo/01", "/foo/+1", "/foo/", "/foo/0/x", "/nope",
                             "/foo/99999999999999999999"}) {
    EXPECT_EQ(at(absent), nullptr) << absent;
  }
}

}  // namespace
}  // namespace healthchecks::detail
