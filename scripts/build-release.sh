#!/usr/bin/env bash
# The Release build the benchmark and the soak test measure (build-bench/): installs what is
# missing (Debian 12), configures with the benchmark programs and without tests or examples, and
# builds only the given targets.
#
#   scripts/build-release.sh TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh bench
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build-bench "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DHEALTHCHECKS_BUILD_BENCH=ON -DHEALTHCHECKS_BUILD_TESTS=OFF \
  -DHEALTHCHECKS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target "$@" >/dev/null
