#!/usr/bin/env bash
# Builds the sidecar and starts the demo service graph on loopback, installing what is missing
# first (Debian 12):
#   demo-app  :8080  depends on a database, a real Redis (:6390), service-1 and service-2
#   service-2 :8082  depends on a queue and service-1
#   service-1 :8081  depends on a document store, its disk and its own memory
# Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh demo
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target healthchecks-sidecar

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

# The cache is a real Redis, started for the demo (nothing is saved to disk).
redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --loglevel warning >/dev/null 2>&1 &
pids+=($!)

for service in service-1 service-2 demo-app; do
  build/bin/healthchecks-sidecar --config "examples/demo/$service.json" &
  pids+=($!)
done

# Wait until the front answers (the sidecars print their "serving" lines meanwhile).
for _ in $(seq 50); do
  curl -fs -o /dev/null http://127.0.0.1:8080/status/am-i-up && break
  sleep 0.1
done

cat <<'TXT'

The demo graph is up. Try:
  curl -i localhost:8080/status/am-i-up
  curl -i localhost:8080/status/aggregate
  curl -s localhost:8080/status/about
  curl -s 'localhost:8080/status/traverse?dependencies=service-2,service-1'
  curl -s 'localhost:8080/status/traverse?dependencies=service-2&action=aggregate'
  curl -s localhost:8080/status/v2/about
Break a dependency and watch the answer change:
  pkill -f 'redis-server 127.0.0.1:6390'   # the cache goes CRIT
  pkill -f service-1.json                   # Service 1 goes CRIT, in demo-app and in service-2
  then curl aggregate (or about) again.
Ctrl-C stops the graph.
TXT
wait
