#!/usr/bin/env bash
# Benchmark of GrpcHealthService: grpc.health.v1.Health/Check calls per second against it and
# against a bare gRPC server whose Check answers SERVING at once (a trivial unary method), in
# the same run, rounds alternating (tests/bench/grpc_health.cpp). Prints one Markdown row, the
# median of (ours / bare) over the rounds for calls per second, and for the servers' CPU time per
# call (bare / ours, from /proc: steadier on a shared machine); target at least 0.7. Called by
# scripts/bench.sh.
#
#   scripts/grpc-bench.sh [SECONDS_PER_RUN=3] [ROUNDS=5] [CONCURRENCY=32]
#
# Builds build-bench/bin/grpc_health in Release (scripts/build-release.sh) unless GRPC_HEALTH
# names a grpc_health binary already built. Client and both servers share the machine's cores:
# each server has at most two threads of gRPC's sync pool and the executor gRPC sizes itself;
# the client keeps CONCURRENCY calls in flight on one connection.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-3}
rounds=${2:-5}
concurrency=${3:-32}

bin=${GRPC_HEALTH:-}
if [[ -z $bin ]]; then
  if ! scripts/build-release.sh grpc_health; then
    echo "grpc-bench: grpc_health did not build; it needs gRPC: apt-get install libgrpc++-dev" \
      "protobuf-compiler protobuf-compiler-grpc" >&2
    exit 1
  fi
  bin=build-bench/bin/grpc_health
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

start() {  # bare|ours -> sets port and pid
  "$bin" serve "$1" >"$work/$1.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/$1.out" | grep -oE '[0-9]+$' | head -1 || true)
    [[ -n $port ]] && return
    sleep 0.05
  done
  echo "grpc-bench: the $1 server did not start: $(cat "$work/$1.out")" >&2
  exit 1
}
start bare
bare_port=$port bare_pid=$pid
start ours
ours_port=$port ours_pid=$pid
"$bin" client "$bare_port" "$ours_port" "$seconds" "$rounds" "$concurrency" "$bare_pid" "$ours_pid"
