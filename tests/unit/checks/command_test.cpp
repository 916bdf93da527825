#include "healthchecks/checks/command.hpp"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "healthchecks/error.hpp"
#include "support/check_runner.hpp"
#include "support/matchers.hpp"
#include "support/temp_dir.hpp"

namespace healthchecks::checks {
namespace {

using testing::IsStatus;
using testing::run_check;
using namespace std::chrono_literals;

Status shell(const std::string& script, std::chrono::milliseconds timeout = 5s) {
  return run_check(command({"/bin/sh", "-c", script}), timeout);
}

TEST(CommandCheck, ExitCodesAreNagiosLevels) {
  EXPECT_EQ(shell("echo 'DISK OK - 56% free'; exit 0"),
            Status::ok("Checked", "DISK OK - 56% free"));
  EXPECT_EQ(shell("echo 'DISK WARNING - 9% free'; exit 1"),
            Status::warn("Checked", "DISK WARNING - 9% free"));
  EXPECT_EQ(shell("echo 'DISK CRITICAL - 2% free'; exit 2"),
            Status::crit("Checked", "DISK CRITICAL - 2% free"));
  EXPECT_THAT(shell("echo 'UNKNOWN - no such disk'; exit 3"), IsStatus(Level::crit, "UNKNOWN"));
}

TEST(CommandCheck, FirstLineWithoutPerformanceData) {
  EXPECT_EQ(shell("echo 'LOAD OK - 0.5 | load1=0.5;5;10'; echo second line").details,
            "LOAD OK - 0.5");
  EXPECT_EQ(shell("echo 'to stderr' >&2; exit 1").details, "to stderr");
  EXPECT_EQ(shell("exit 2").details, "exit status 2");
}

TEST(CommandCheck, RunsWithoutAShell) {
  // The arguments reach the program as they are: nothing is expanded.
  EXPECT_EQ(run_check(command({"echo", "$HOME", "*", ";", "exit", "1"})).details,
            "$HOME * ; exit 1");
}

TEST(CommandCheck, AProgramThatCannotRunIsCrit) {
  EXPECT_THAT(run_check(command({"/no/such/plugin", "-w", "1"})),
              IsStatus(Level::crit, "cannot run '/no/such/plugin': No such file or directory"));
  EXPECT_THROW(command({}), Error);
}

TEST(CommandCheck, IsKilledAtItsDeadline) {
  testing::TempDir dir;
  const auto pid_file = dir.path() + "/pid";
  const auto start = std::chrono::steady_clock::now();
  const auto status = shell("echo $$ > " + pid_file + "; sleep 30 & wait", 300ms);
  EXPECT_THAT(status, IsStatus(Level::crit, "timed out after 300 ms (killed)"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  std::ifstream in(pid_file);
  pid_t pid = 0;
  in >> pid;
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(100ms);
  EXPECT_NE(::kill(pid, 0), 0) << "the program and its children are gone";
}

}  // namespace
}  // namespace healthchecks::checks
