// The dashboard route (RouterOptions::dashboard): off by default, one self-contained page whose
// Content-Security-Policy allows exactly its inline script and style, and a start-up error when
// it would hide a dependency.
#include "healthchecks/router.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "healthchecks/registry.hpp"
#include "support/router_get.hpp"

namespace healthchecks {
namespace {

using testing::get;
using ::testing::HasSubstr;
using ::testing::Not;

// SHA-256 (FIPS 180-4), as a Content-Security-Policy hash source needs it; small enough to read,
// so the test does not depend on a crypto library.
std::array<std::uint8_t, 32> sha256(std::string_view text) {
  static constexpr std::uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string message(text);
  const std::uint64_t bits = static_cast<std::uint64_t>(text.size()) * 8;
  message += '\x80';
  while (message.size() % 64 != 56) message += '\0';
  for (int i = 7; i >= 0; --i) message += static_cast<char>((bits >> (i * 8)) & 0xff);
  const auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (std::size_t block = 0; block < message.size(); block += 64) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      w[i] = 0;
      for (int j = 0; j < 4; ++j) {
        w[i] = (w[i] << 8) | static_cast<std::uint8_t>(message[block + i * 4 + j]);
      }
    }
    for (int i = 16; i < 64; ++i) {
      const auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const auto t1 =
          hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const auto t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    const std::uint32_t add[8] = {a, b, c, d, e, f, g, hh};
    for (int i = 0; i < 8; ++i) h[i] += add[i];
  }
  std::array<std::uint8_t, 32> digest{};
  for (int i = 0; i < 32; ++i)
    digest[i] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return digest;
}

std::string base64(const std::array<std::uint8_t, 32>& bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{bytes[i]} << 16) |
                            (i + 1 < bytes.size() ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                            (i + 2 < bytes.size() ? std::uint32_t{bytes[i + 2]} : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

// The text between `<tag>` and `</tag>`, which must appear exactly once.
std::string inline_element(const std::string& page, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  const auto begin = page.find(open);
  const auto end = page.find(close);
  EXPECT_NE(begin, std::string::npos) << tag;
  EXPECT_NE(end, std::string::npos) << tag;
  EXPECT_EQ(page.find("<" + tag, begin + 1), std::string::npos) << "a second <" << tag;
  if (begin == std::string::npos || end == std::string::npos) return {};
  return page.substr(begin + open.size(), end - begin - open.size());
}

Registry& with_checks(Registry& registry) {
  registry.add({"Database", "db", [] { return true; }});
  return registry;
}

RouterOptions dashboard_on() {
  RouterOptions options;
  options.dashboard = true;
  return options;
}

TEST(RouterDashboard, Sha256HelperMatchesTheStandardVectors) {
  EXPECT_EQ(base64(sha256("")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(base64(sha256("abc")), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(base64(sha256(std::string(1000, 'a'))), "Qe3s5C1j6Nm/UVqbppMuHCDLyfWl0TRkWttdsblzfqM=");
}

TEST(RouterDashboard, OffByDefaultIsAnUnknownSlug) {
  Registry registry;
  Router router(with_checks(registry));
  const auto answer = get(router, "/status/dashboard");
  EXPECT_EQ(answer.status, 404);
  EXPECT_THAT(answer.body, HasSubstr("Status endpoint does not exist: /status/dashboard"));
}

TEST(RouterDashboard, ServesOneSelfContainedPage) {
  Registry registry;
  Router router(with_checks(registry), dashboard_on());
  const auto answer = get(router, "/status/dashboard");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(answer.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(answer.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(answer.header("Cache-Control"), "no-store");
  const auto& page = answer.body;
  EXPECT_THAT(page, ::testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(page, HasSubstr("type=\"password\""));
  // Nothing from elsewhere: no script or style file, no font, no remote image.
  EXPECT_THAT(page, Not(HasSubstr("<script src")));
  EXPECT_THAT(page, Not(HasSubstr("stylesheet")));
  EXPECT_THAT(page, Not(HasSubstr("@import")));
  EXPECT_THAT(page, Not(HasSubstr("url(http")));
  EXPECT_THAT(page, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(page, Not(HasSubstr("localStorage")));
  EXPECT_THAT(page, Not(HasSubstr("innerHTML")));
}

TEST(RouterDashboard, PolicyAllowsExactlyTheInlineScriptAndStyle) {
  Registry registry;
  Router router(with_checks(registry), dashboard_on());
  const auto answer = get(router, "/status/dashboard");
  const std::string policy(answer.header("Content-Security-Policy"));
  const std::string script = inline_element(answer.body, "script");
  const std::string style = inline_element(answer.body, "style");
  ASSERT_FALSE(script.empty());
  ASSERT_FALSE(style.empty());
  EXPECT_THAT(policy, HasSubstr("script-src 'sha256-" + base64(sha256(script)) + "';"));
  EXPECT_THAT(policy, HasSubstr("style-src 'sha256-" + base64(sha256(style)) + "';"));
  EXPECT_THAT(policy, ::testing::StartsWith("default-src 'none'; "));
  for (const auto* directive : {"connect-src 'self'", "img-src 'self' data:", "base-uri 'none'",
                                "form-action 'none'", "frame-ancestors 'none'"}) {
    EXPECT_THAT(policy, HasSubstr(directive));
  }
  EXPECT_THAT(policy, Not(HasSubstr("unsafe")));
}

TEST(RouterDashboard, HeadIsAnsweredLikeGet) {
  Registry registry;
  Router router(with_checks(registry), dashboard_on());
  const auto got = get(router, "/status/dashboard");
  const auto head = router.handle("HEAD", "/status/dashboard");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, got.content_type);
  EXPECT_EQ(head.body.size(), got.body.size());  // adapters send its length, not the body
  EXPECT_EQ(head.headers, got.headers);
  EXPECT_EQ(router.handle("POST", "/status/dashboard").status, 405);
}

TEST(RouterDashboard, LivesUnderTheBasePathAndOnlyInV1) {
  Registry registry;
  auto options = dashboard_on();
  options.base_path = "/health";
  Router router(with_checks(registry), options);
  EXPECT_EQ(get(router, "/health/dashboard").status, 200);
  EXPECT_EQ(get(router, "/health/dashboard?from=bookmark").status, 200);
  EXPECT_EQ(get(router, "/health/v2/dashboard").status, 404);
  EXPECT_EQ(get(router, "/health/dashboard/more").status, 404);
  EXPECT_FALSE(router.matches("/status/dashboard"));
  // The API it reads is still there.
  EXPECT_EQ(get(router, "/health/db").status, 200);
}

TEST(RouterDashboard, HidingADependencyIsAStartUpError) {
  Registry registry;
  registry.add({"Dash Board", "dashboard", [] { return true; }});
  try {
    Router router(registry, dashboard_on());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.category(), "options");
    EXPECT_EQ(std::string(e.what()),
              "options: dashboard: the dashboard route /status/dashboard would hide the "
              "dependency \"Dash Board\" (slug \"dashboard\"); rename that slug or leave the "
              "dashboard off");
  }
  // Off, the slug is the dependency's, as always.
  Router router(registry);
  EXPECT_EQ(get(router, "/status/dashboard").body, R"(["OK"])");
}

}  // namespace
}  // namespace healthchecks
