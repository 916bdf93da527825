#!/usr/bin/env bash
# Builds everything and runs every test, installing what is missing first (Debian 12).
#   scripts/test.sh
# Two builds, both warning-free or failing: g++ (the test run whose counts end the output) and
# clang++ (its tests run too). Build trees: build/ and build-clang/. The last line is the count.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

jobs=$(nproc)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

summary=()
total_failed=0
run_build() {  # name, build dir, ctest arguments, extra cmake arguments...
  local name=$1 dir=$2 ctest_args=$3
  shift 3
  echo "== $name: configure and build ($dir)"
  cmake -S . -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEALTHCHECKS_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== $name: tests"
  local log="$dir/ctest.log" status=0
  (cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 300 $ctest_args) | tee "$log" || status=$?
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1 || true)
  local total failed
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  [[ -n "$line" ]] || { total=0; failed=1; }
  [[ $status -eq 0 ]] || [[ $failed -gt 0 ]] || failed=1
  total_failed=$((total_failed + failed))
  summary+=("$name: $((total - failed)) passed, $failed failed of $total")
}

run_build "g++" build "" -DCMAKE_CXX_COMPILER=g++
# Packaging is the same whatever the compiler; the g++ run covers it.
run_build "clang++" build-clang "-LE packaging" -DCMAKE_CXX_COMPILER=clang++

joined=$(IFS='|'; echo "${summary[*]}")
echo
echo "== tests: ${joined//|/; }"
[[ $total_failed -eq 0 ]]
