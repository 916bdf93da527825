#include "healthchecks/version.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace healthchecks {
namespace {

// The parts are plain integers, usable in #if.
#if HEALTHCHECKS_VERSION_MAJOR < 0 || HEALTHCHECKS_VERSION_MINOR < 0 || \
    HEALTHCHECKS_VERSION_PATCH < 0
#error "version parts must be non-negative integers"
#endif

TEST(Version, StringIsMajorMinorPatch) {
  EXPECT_EQ(HEALTHCHECKS_VERSION_STRING, std::to_string(HEALTHCHECKS_VERSION_MAJOR) + "." +
                                             std::to_string(HEALTHCHECKS_VERSION_MINOR) + "." +
                                             std::to_string(HEALTHCHECKS_VERSION_PATCH));
}

TEST(Version, IsTheProjectVersionInCMakeLists) {
  std::ifstream file(HEALTHCHECKS_SOURCE_DIR "/CMakeLists.txt");
  ASSERT_TRUE(file) << "cannot read CMakeLists.txt";
  std::stringstream text;
  text << file.rdbuf();
  const std::string cmake = text.str();
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(cmake, match, std::regex(R"(project\(healthchecks\s+VERSION\s+(\S+))")));
  EXPECT_EQ(match[1].str(), HEALTHCHECKS_VERSION_STRING);
}

}  // namespace
}  // namespace healthchecks
