#!/usr/bin/env bash
# Soak test (a script, not a CI test): SECONDS of wrk with 256 connections against a sidecar
# whose checks throw, hang past their deadline, flap between levels, and point at a dependency
# that is down. Reports requests served, error answers, crashes (must be 0), and resident memory
# after a warm-up and at the end (growth must stay under 5 %). Installs what is missing
# (Debian 12), builds in Release (build-bench/), prints a Markdown report (also written to
# build-bench/reliability.md).
#
#   scripts/soak.sh [SECONDS=60] [CONNECTIONS=256]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
connections=${2:-256}
warmup=5

scripts/build-release.sh healthchecks-sidecar

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A port nobody listens on: the dependency that is down.
down_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
            echo 1)
cat >"$work/soak.json" <<EOF
{"listen": "127.0.0.1:0", "threads": 2,
 "about": {"id": "soak", "summary": "Soak test"},
 "statusCodes": {"CRIT": 503, "WARN": 429},
 "history": {"size": 50, "key": "statusChanges"},
 "checks": [
   {"name": "Throws", "slug": "throws", "check": "static", "throws": "connection pool exhausted"},
   {"name": "Hangs", "slug": "hangs", "check": "static", "blocking": true, "delayMs": 600000,
    "timeoutMs": 200},
   {"name": "Flaps", "slug": "flaps", "check": "static", "cycle": ["OK", "CRIT", "OK", "WARN"],
    "failuresBeforeCrit": 2},
   {"name": "Down", "slug": "down", "check": "http", "url": "http://127.0.0.1:$down_port",
    "traversable": true, "timeoutMs": 300},
   {"name": "Cached", "slug": "cached", "check": "static", "cacheTtlMs": 1000},
   {"name": "Background", "slug": "background", "check": "static", "intervalMs": 100,
    "cycle": ["OK", "WARN"]},
   {"name": "Self", "slug": "self", "check": "self"}
 ]}
EOF

build-bench/bin/healthchecks-sidecar --config "$work/soak.json" >"$work/sidecar.out" 2>"$work/sidecar.err" &
pid=$!
for _ in $(seq 100); do
  port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/sidecar.out" | head -1 | cut -d: -f2 || true)
  [[ -n "$port" ]] && break
  sleep 0.05
done
[[ -n "$port" ]] || { echo "the sidecar did not start" >&2; cat "$work/sidecar.err" >&2; exit 1; }

# Every kind of answer, in turn: aggregate, About, each check, traversal into the dead peer,
# unknown paths, and am-i-up.
cat >"$work/mix.lua" <<'EOF'
local paths = {
  "/status/aggregate", "/status/about", "/status/throws", "/status/hangs",
  "/status/v2/flaps", "/status/down", "/status/cached", "/status/background",
  "/status/traverse?dependencies=down", "/status/nope", "/status/am-i-up",
  "/status/v2/about?checkStatus=false", "/status/aggregate?type=external", "/status/self",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[i % #paths + 1])
end
EOF

rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/mix.lua" "http://127.0.0.1:$port" >"$work/wrk.out" &
wrk_pid=$!
sleep "$warmup"
rss_start=$(rss)
wait "$wrk_pid"
rss_end=$(rss)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

alive="yes"
kill -0 "$pid" 2>/dev/null || alive="no"
kill -TERM "$pid"
exit_code=0
wait "$pid" || exit_code=$?
pid=""
crashes=0
[[ $alive == "yes" && $exit_code -eq 0 ]] || crashes=1

requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
non_2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$work/wrk.out")
socket_errors=$(awk '/Socket errors/ {print}' "$work/wrk.out")
rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
growth=$(awk -v a="$rss_start" -v b="$rss_end" 'BEGIN {printf "%.1f", 100 * (b - a) / a}')
verdict=$(awk -v g="$growth" -v c="$crashes" 'BEGIN {print (g < 5 && c == 0) ? "met" : "MISSED"}')

report=$(cat <<EOF
| measure | value |
|---|---|
| load | wrk -t2 -c$connections -d${seconds}s, 14 paths in turn |
| requests served | $requests ($rps req/s; p50 $p50, p99 $p99) |
| error answers (non-2xx: 503 CRIT, 429 WARN, 404 unknown path, all by design) | ${non_2xx:-0} |
| socket errors | ${socket_errors:-none} |
| crashes (process gone, or exit code after SIGTERM not 0) | $crashes (exit code $exit_code) |
| resident memory after ${warmup} s of load / at the end / peak | $((rss_start / 1024)).$(((rss_start % 1024) * 10 / 1024)) MiB / $((rss_end / 1024)).$(((rss_end % 1024) * 10 / 1024)) MiB / $((hwm / 1024)).$(((hwm % 1024) * 10 / 1024)) MiB |
| growth from warm to end | $growth % (target: under 5 %, crashes 0: $verdict) |
| sidecar stderr lines | $(wc -l <"$work/sidecar.err") |

Machine: $(nproc) cores, $(uname -sr), $(g++ --version | head -1).
EOF
)
echo "$report"
echo "$report" >build-bench/reliability.md
[[ $verdict == "met" ]]
