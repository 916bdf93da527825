#!/usr/bin/env bash
# Builds everything and runs every test, installing what is missing first (Debian 12):
#   scripts/test.sh
# Three builds, warnings are errors in each:
#   build/        g++ 12: unit, integration and packaging tests, examples
#   build-asan/   clang 14 with AddressSanitizer + UndefinedBehaviorSanitizer: the tests, then
#                 each libFuzzer target for $FUZZ_SECONDS (default 20) from its seed corpus
#   build-tsan/   clang 14 with ThreadSanitizer, libhealthchecks.so: the tests
# The last line gives the counts of all three.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-20}

summary=()
total_failed=0
run_build() {  # name, build dir, ctest arguments, extra cmake arguments...
  local name=$1 dir=$2 ctest_args=$3
  shift 3
  echo "== $name: configure and build ($dir)"
  # A build directory left by an earlier Makefiles run is configured afresh.
  if [[ -f "$dir/CMakeCache.txt" ]] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt"; then
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  cmake -S . -B "$dir" -G Ninja -DHEALTHCHECKS_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== $name: tests"
  local log="$dir/ctest.log" status=0
  # shellcheck disable=SC2086  # ctest_args is a list of words
  (cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 600 $ctest_args) | tee "$log" || status=$?
  local line total failed
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  [[ -n "$line" ]] || { total=0; failed=1; }
  [[ $status -eq 0 ]] || [[ $failed -gt 0 ]] || failed=1
  total_failed=$((total_failed + failed))
  summary+=("$name: $((total - failed)) passed, $failed failed of $total")
}

# Sanitizer builds: enough optimisation to run quickly, line tables for readable reports.
sanitized=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
           "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only"
           -DHEALTHCHECKS_BUILD_EXAMPLES=OFF)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
# gRPC, Abseil and protobuf come uninstrumented from Debian: tests/tsan.supp names their frames,
# and nothing of ours.
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp

# install-deps.sh installed every optional component's dependency: each leg requires them, so
# that a missing one fails the build instead of leaving its tests out.
components=(-DHEALTHCHECKS_WITH_POSTGRES=ON -DHEALTHCHECKS_WITH_MYSQL=ON -DHEALTHCHECKS_WITH_GRPC=ON)
run_build "g++" build "" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "${components[@]}" -DHEALTHCHECKS_WITH_HTTPLIB=ON -DHEALTHCHECKS_WITH_PROMETHEUS_CPP=ON
# Packaging, the docs' snippets and the compile-only tests run the compiler, not our code, the
# browser tests run Chromium against the sidecar and the walker, and the prometheus tests a real
# Prometheus server and prometheus-cpp's Exposer (threads of an uninstrumented library): the g++
# run covers them.
not_code="-LE packaging|docs|compile|browser|prometheus"
run_build "clang++ ASan+UBSan+fuzz" build-asan "$not_code" "${sanitized[@]}" "${components[@]}" \
  -DHEALTHCHECKS_SANITIZE=address,undefined -DHEALTHCHECKS_FUZZ=ON \
  -DHEALTHCHECKS_FUZZ_SECONDS="$fuzz_seconds"
# The TSan leg also builds the library shared (only its public API exported; the tests link the
# internals statically, PublicLibrary.Consumer the shared library).
# gRPC over TLS runs OpenSSL on gRPC's threads, both uninstrumented: TSan reads its hand-overs
# as races inside OpenSSL alone (tests/grpc/grpc_check_test.cpp), so those tests run in the
# other legs only.
run_build "clang++ TSan, shared" build-tsan "$not_code -E GrpcOverTls" "${sanitized[@]}" "${components[@]}" \
  -DHEALTHCHECKS_SANITIZE=thread -DBUILD_SHARED_LIBS=ON

joined=$(IFS='|'; echo "${summary[*]}")
echo
echo "== tests: ${joined//|/; }"
[[ $total_failed -eq 0 ]]
