#!/usr/bin/env bash
# Benchmark: the sidecar against a bare Beast server answering "OK" (the ceiling of this stack),
# measured in the same run on loopback, so that the ratios mean something on a shared, noisy
# machine. Installs what is missing (Debian 12), builds in Release (build-bench/), prints a
# Markdown report (also written to build-bench/benchmarks.md).
#
#   scripts/bench.sh [SECONDS_PER_RUN=3] [ROUNDS=5]
#
# Then the scale rows (dependencies, connections, threads, depth, a hung dependency) of
# scripts/bench-scale.sh, with the same seconds and rounds, appended to the report.
#
# Each measure is also set against nginx (one process, one worker: `return 200 "OK"` for the
# endpoints, and a second nginx proxying to it over a kept-alive upstream for a traverse hop), the
# fastest thing a team could put in front of a health endpoint (issue 17's yardstick).
#
# Two figures per measure, both as bare / sidecar cost (higher is better, 1.0 = as fast as bare):
# - throughput: the median over ROUNDS of (sidecar req/s) / (bare req/s) with wrk, 1 thread,
#   32 keep-alive connections, the two runs back to back; servers on 1 thread each;
# - instructions: (bare instructions per request) / (sidecar instructions per request), counted
#   by callgrind under the same load. Instruction counts do not depend on what else the machine
#   is doing, so this one repeats to within a percent where throughput varies by tens.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
raise_open_files 8192

seconds=${1:-3}
rounds=${2:-5}
connections=32

scripts/build-release.sh healthchecks-sidecar bare_server coalescing

work=$(mktemp -d)
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- configurations --------------------------------------------------------------------------
instant_checks='{"name": "Database", "slug": "db", "check": "static"},
  {"name": "Cache", "slug": "cache", "check": "static"},
  {"name": "Queue", "slug": "queue", "check": "static"},
  {"name": "Search", "slug": "search", "check": "static"}'
cat >"$work/four.json" <<EOF
{"listen": "127.0.0.1:0", "maxConnections": $sidecar_max_connections, "about": {"id": "four"}, "checks": [$instant_checks]}
EOF
{
  printf '{"listen": "127.0.0.1:0", "maxConnections": %d, "about": {"id": "hundred"}, "checks": [' "$sidecar_max_connections"
  for i in $(seq 1 100); do
    [[ $i -gt 1 ]] && printf ','
    printf '{"name": "Check %d", "slug": "check-%d", "check": "static", "cacheTtlMs": 600000}' "$i" "$i"
  done
  printf ']}\n'
} >"$work/hundred.json"

read -r bare_port bare_pid < <(start_server build-bench/bin/bare_server 0)
read -r four_port four_pid < <(start_server build-bench/bin/healthchecks-sidecar --config "$work/four.json")
read -r hundred_port hundred_pid < <(start_server build-bench/bin/healthchecks-sidecar --config "$work/hundred.json")
# The same hundred checks serving /status/metrics, apart: its large answers stay out of the
# other rows and of the hundred's resident memory.
sed 's/"about": {"id": "hundred"}/"about": {"id": "scraped"}, "metrics": true/' "$work/hundred.json" >"$work/scraped.json"
read -r scraped_port scraped_pid < <(start_server build-bench/bin/healthchecks-sidecar --config "$work/scraped.json")
pids+=("$bare_pid" "$four_pid" "$hundred_pid" "$scraped_pid")
cat >"$work/front.json" <<EOF
{"listen": "127.0.0.1:0", "maxConnections": $sidecar_max_connections, "about": {"id": "front"}, "checks": [
  {"name": "Four", "slug": "four", "check": "http", "url": "http://127.0.0.1:$four_port", "traversable": true}]}
EOF
read -r front_port front_pid < <(start_server build-bench/bin/healthchecks-sidecar --config "$work/front.json")
pids+=("$front_pid")

# The yardstick: nginx answering 200 "OK" from its config, and a second nginx that proxies to it
# over kept-alive upstream connections (one request in, one out: what a traverse hop does). One
# process each (master_process off: the worker itself), files in the work directory. Callgrind
# runs the same configurations on ports of their own.
ok_body='return 200 "OK";'
proxy_body='proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";'
nginx_ok_port=$(free_port)
nginx_proxy_port=$(free_port)
nginx_conf "$work/nginx-ok" "$nginx_ok_port" "$ok_body"
nginx_conf "$work/nginx-proxy" "$nginx_proxy_port" "$proxy_body" "$nginx_ok_port"
nginx_ok_pid=$(start_nginx "$work/nginx-ok")
nginx_proxy_pid=$(start_nginx "$work/nginx-proxy")
pids+=("$nginx_ok_pid" "$nginx_proxy_pid")
nginx_conf "$work/nginx-ok-cg" 18197 "$ok_body"
nginx_conf "$work/nginx-proxy-cg" 18198 "$proxy_body" 18197

# The same hop to an https peer: a CA made for the run, the peer serving a certificate it signed,
# the front trusting that CA.
(
  cd "$work"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=bench CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout peer.key -out peer.csr -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
  openssl x509 -req -in peer.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out peer.crt 2>/dev/null
)
sed 's|"listen": "127.0.0.1:0",|"listen": "127.0.0.1:0", "tls": {"certFile": "peer.crt", "keyFile": "peer.key"},|' \
  "$work/four.json" >"$work/four-tls.json"
read -r four_tls_port four_tls_pid < <(start_server build-bench/bin/healthchecks-sidecar --config "$work/four-tls.json")
cat >"$work/front-tls.json" <<EOF
{"listen": "127.0.0.1:0", "maxConnections": $sidecar_max_connections, "about": {"id": "front-tls"}, "checks": [
  {"name": "Four", "slug": "four", "check": "http", "url": "https://127.0.0.1:$four_tls_port", "traversable": true,
   "tls": {"caFile": "ca.crt"}}]}
EOF
read -r front_tls_port front_tls_pid < <(start_server build-bench/bin/healthchecks-sidecar --config "$work/front-tls.json")
pids+=("$four_tls_pid" "$front_tls_pid")

# --- measuring -------------------------------------------------------------------------------
# One URL against another in the same rounds, the baseline first in each: sets pair_ratios (one
# per round), pair_ratio (their median) and pair_last (the last round's figures).
paired_rounds() {  # url, baseline url, baseline's name
  local rps base_rps p50 p99 errors
  pair_ratios=()
  for _ in $(seq "$rounds"); do
    wrk_run "$2"
    base_rps=$wrk_rps
    wrk_run "$1"
    rps=$wrk_rps p50=$wrk_p50 p99=$wrk_p99 errors=0
    pair_ratios+=("$(awk -v a="$rps" -v b="$base_rps" 'BEGIN {printf "%.2f", a / b}')")
    pair_last="$rps req/s ($3 $base_rps), p50 $p50, p99 $p99, errors $errors"
  done
  pair_ratio=$(printf '%s\n' "${pair_ratios[@]}" | median)
}

results=()
nginx_results=()
# label, url, url of the callgrind run, target ratio to bare, nginx url, nginx's instructions per
# request, target ratio to nginx, the sidecar commands...
measure() {
  local label=$1 url=$2 cg_url=$3 target=$4 nginx_url=$5 nginx_instructions=$6 nginx_target=$7
  local ratios=() nginx_ratios=() last=""
  shift 7
  for _ in $(seq "$rounds"); do
    wrk_run "http://127.0.0.1:$bare_port/"
    bare_rps=$wrk_rps
    wrk_run "$nginx_url"
    nginx_rps=$wrk_rps
    wrk_run "$url"
    rps=$wrk_rps p50=$wrk_p50 p99=$wrk_p99 errors=0  # wrk_run ends the script on any error
    ratios+=("$(awk -v a="$rps" -v b="$bare_rps" 'BEGIN {printf "%.2f", a / b}')")
    nginx_ratios+=("$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.2f", a / b}')")
    last="$rps req/s (bare $bare_rps, nginx $nginx_rps), p50 $p50, p99 $p99, errors $errors"
  done
  local ratio nginx_ratio
  ratio=$(printf '%s\n' "${ratios[@]}" | median)
  nginx_ratio=$(printf '%s\n' "${nginx_ratios[@]}" | median)
  local instructions instruction_ratio
  instructions=$(instructions_per_request "$cg_url" "$@")
  instruction_ratio=$(awk -v a="$bare_instructions" -v b="$instructions" 'BEGIN {printf "%.2f", a / b}')
  local verdict
  verdict=$(awk -v r="$ratio" -v i="$instruction_ratio" -v t="$target" \
    'BEGIN {print (r >= t && i >= t) ? "met" : "MISSED"}')
  results+=("| $label | **$ratio** (rounds: ${ratios[*]}) | **$instruction_ratio** ($instructions per request) | >= $target $verdict | $last |")
  local nginx_instruction_ratio nginx_verdict
  nginx_instruction_ratio=$(awk -v a="$nginx_instructions" -v b="$instructions" 'BEGIN {printf "%.2f", a / b}')
  nginx_verdict=$(awk -v r="$nginx_ratio" -v t="$nginx_target" 'BEGIN {print (r >= t) ? "met" : "MISSED"}')
  nginx_results+=("| $label | **$nginx_ratio** (rounds: ${nginx_ratios[*]}) | **$nginx_instruction_ratio** (nginx $nginx_instructions per request) | >= $nginx_target $nginx_verdict |")
  echo "$label: throughput ratio $ratio [${ratios[*]}], instruction ratio $instruction_ratio; against nginx $nginx_ratio [${nginx_ratios[*]}], instructions $nginx_instruction_ratio; last round: $last" >&2
}

(curl -fs "http://127.0.0.1:$hundred_port/status/aggregate" >/dev/null)  # fill the cache
(curl -fs "http://127.0.0.1:$scraped_port/status/aggregate" >/dev/null)

# Callgrind runs use fixed ports of their own.
sed 's/127.0.0.1:0/127.0.0.1:18190/' "$work/four.json" >"$work/four-cg.json"
sed 's/127.0.0.1:0/127.0.0.1:18191/' "$work/hundred.json" >"$work/hundred-cg.json"
sed -e 's/127.0.0.1:0/127.0.0.1:18192/' -e "s/:$four_port/:18190/" "$work/front.json" >"$work/front-cg.json"
sidecar=build-bench/bin/healthchecks-sidecar
bare_instructions=$(instructions_per_request "http://127.0.0.1:18193/" build-bench/bin/bare_server 18193)
echo "bare server: $bare_instructions instructions per request" >&2
nginx_ok_instructions=$(instructions_per_request "http://127.0.0.1:18197/" \
  nginx -p "$work/nginx-ok-cg" -c "$work/nginx-ok-cg/nginx.conf" -g "daemon off; master_process off;")
nginx_proxy_instructions=$(instructions_per_request "http://127.0.0.1:18198/" \
  nginx -p "$work/nginx-ok-cg" -c "$work/nginx-ok-cg/nginx.conf" -g "daemon off; master_process off;" -- \
  nginx -p "$work/nginx-proxy-cg" -c "$work/nginx-proxy-cg/nginx.conf" -g "daemon off; master_process off;")
echo "nginx: $nginx_ok_instructions instructions per request; proxy hop (both): $nginx_proxy_instructions" >&2
nginx_ok="http://127.0.0.1:$nginx_ok_port/"
nginx_proxy="http://127.0.0.1:$nginx_proxy_port/"

measure "am-i-up" "http://127.0.0.1:$four_port/status/am-i-up" \
  "http://127.0.0.1:18190/status/am-i-up" 0.9 "$nginx_ok" "$nginx_ok_instructions" 0.9 \
  $sidecar --config "$work/four-cg.json"
measure "aggregate, 100 cached checks" "http://127.0.0.1:$hundred_port/status/aggregate" \
  "http://127.0.0.1:18191/status/aggregate" 0.7 "$nginx_ok" "$nginx_ok_instructions" 0.8 \
  $sidecar --config "$work/hundred-cg.json"
measure "about, 4 instant checks" "http://127.0.0.1:$four_port/status/about" \
  "http://127.0.0.1:18190/status/about" 0.5 "$nginx_ok" "$nginx_ok_instructions" 0.6 \
  $sidecar --config "$work/four-cg.json"
measure "traverse, one hop across two sidecars" \
  "http://127.0.0.1:$front_port/status/traverse?dependencies=four" \
  "http://127.0.0.1:18192/status/traverse?dependencies=four" 0.25 \
  "$nginx_proxy" "$nginx_proxy_instructions" 0.6 \
  $sidecar --config "$work/four-cg.json" -- $sidecar --config "$work/front-cg.json"
measure "traverse?action=am-i-up, one hop across two sidecars" \
  "http://127.0.0.1:$front_port/status/traverse?dependencies=four&action=am-i-up" \
  "http://127.0.0.1:18192/status/traverse?dependencies=four&action=am-i-up" 0.25 \
  "$nginx_proxy" "$nginx_proxy_instructions" 0.6 \
  $sidecar --config "$work/four-cg.json" -- $sidecar --config "$work/front-cg.json"

# The https hop against the plain one, in the same rounds: TLS must cost a handshake per
# connection, not per request.
sed -e 's/127.0.0.1:0/127.0.0.1:18194/' "$work/four-tls.json" >"$work/four-tls-cg.json"
sed -e 's/127.0.0.1:0/127.0.0.1:18195/' -e "s/:$four_tls_port/:18194/" "$work/front-tls.json" >"$work/front-tls-cg.json"
paired_rounds "http://127.0.0.1:$front_tls_port/status/traverse?dependencies=four" \
  "http://127.0.0.1:$front_port/status/traverse?dependencies=four" "plain hop"
tls_ratios=("${pair_ratios[@]}") tls_ratio=$pair_ratio tls_last=$pair_last
plain_hop=$(instructions_per_request "http://127.0.0.1:18192/status/traverse?dependencies=four" \
  $sidecar --config "$work/four-cg.json" -- $sidecar --config "$work/front-cg.json")
tls_hop=$(instructions_per_request "http://127.0.0.1:18195/status/traverse?dependencies=four" \
  $sidecar --config "$work/four-tls-cg.json" -- $sidecar --config "$work/front-tls-cg.json")
tls_instruction_ratio=$(awk -v a="$plain_hop" -v b="$tls_hop" 'BEGIN {printf "%.2f", a / b}')
tls_verdict=$(awk -v r="$tls_ratio" -v i="$tls_instruction_ratio" \
  'BEGIN {print (r >= 0.8 && i >= 0.8) ? "met" : "MISSED"}')
echo "traverse over https: throughput ratio to the plain hop $tls_ratio [${tls_ratios[*]}], instruction ratio $tls_instruction_ratio ($plain_hop / $tls_hop)" >&2

# A metrics scrape of the hundred checks against am-i-up of the same sidecar, in the same rounds:
# a scrape reads the latest results and must cost no more than about two am-i-ups. The callgrind
# runs refresh in the background (from start-up), so that the scrape they count has results.
paired_rounds "http://127.0.0.1:$scraped_port/status/metrics" \
  "http://127.0.0.1:$scraped_port/status/am-i-up" "am-i-up"
metrics_ratios=("${pair_ratios[@]}") metrics_ratio=$pair_ratio metrics_last=$pair_last
sed -e 's/"cacheTtlMs"/"intervalMs"/g' -e 's/127.0.0.1:0/127.0.0.1:18196/' "$work/scraped.json" \
  >"$work/scraped-cg.json"
up_instructions=$(instructions_per_request "http://127.0.0.1:18196/status/am-i-up" \
  $sidecar --config "$work/scraped-cg.json")
metrics_instructions=$(instructions_per_request "http://127.0.0.1:18196/status/metrics" \
  $sidecar --config "$work/scraped-cg.json")
metrics_instruction_ratio=$(awk -v a="$up_instructions" -v b="$metrics_instructions" 'BEGIN {printf "%.2f", a / b}')
metrics_verdict=$(awk -v r="$metrics_ratio" -v i="$metrics_instruction_ratio" \
  'BEGIN {print (r >= 0.5 && i >= 0.5) ? "met" : "MISSED"}')
metrics_bytes=$(curl -fs "http://127.0.0.1:$scraped_port/status/metrics" | wc -c)
echo "metrics, 100 checks: throughput ratio to am-i-up $metrics_ratio [${metrics_ratios[*]}], instruction ratio $metrics_instruction_ratio ($up_instructions / $metrics_instructions), $metrics_bytes bytes" >&2

# gRPC: GrpcHealthService against a bare gRPC server, rounds of its own (scripts/grpc-bench.sh).
grpc_row=$(scripts/grpc-bench.sh "$seconds" "$rounds") ||
  grpc_row="| grpc.health.v1 Check | not measured: scripts/grpc-bench.sh failed (see above) | | | |"

rss() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
coalescing=$(build-bench/bin/coalescing 1000 100)
echo "$coalescing" >&2

report=$(cat <<EOF
| measure | throughput, sidecar / bare | instructions, bare / sidecar | target | last wrk round |
|---|---|---|---|---|
$(printf '%s\n' "${results[@]}")

Against nginx 1.22, one process (\`return 200 "OK"\`; for the hops a second nginx proxying to it over kept-alive upstream connections), in the same rounds:

| measure | throughput, sidecar / nginx | instructions, nginx / sidecar | target (issue 17) |
|---|---|---|---|
$(printf '%s\n' "${nginx_results[@]}")

| measure | throughput, https hop / plain hop | instructions, plain hop / https hop | target | last wrk round |
|---|---|---|---|---|
| traverse, one hop to an https peer (kept-alive) | **$tls_ratio** (rounds: ${tls_ratios[*]}) | **$tls_instruction_ratio** ($tls_hop per request; plain hop $plain_hop) | >= 0.8 $tls_verdict | $tls_last |

| measure | throughput, scrape / am-i-up | instructions, am-i-up / scrape | target | last wrk round |
|---|---|---|---|---|
| /status/metrics, 100 checks ($metrics_bytes bytes), against am-i-up of the same sidecar | **$metrics_ratio** (rounds: ${metrics_ratios[*]}) | **$metrics_instruction_ratio** ($metrics_instructions per request; am-i-up $up_instructions) | >= 0.5 $metrics_verdict | $metrics_last |

| measure | Check calls/s, GrpcHealthService / bare gRPC server | server CPU per call, bare / ours | target | last round |
|---|---|---|---|---|
$grpc_row

Peak RSS (VmHWM) after the runs: four checks $(rss "$four_pid") MiB, hundred checks $(rss "$hundred_pid") MiB, traverse front $(rss "$front_pid") MiB (target: below 10 MiB); hundred checks scraped for metrics $(rss "$scraped_pid") MiB.

${coalescing}

Bare server: $bare_instructions instructions per request; nginx: $nginx_ok_instructions, and a proxied hop (both nginx processes) $nginx_proxy_instructions (callgrind).

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(g++ --version | head -1); wrk -t1 -c$connections -d${seconds}s, $rounds rounds.
EOF
)
# The scale rows, their own servers and rounds, after the others have stopped.
cleanup
trap - EXIT
scale_failed=0
scale=$(scripts/bench-scale.sh "$seconds" "$rounds") || {
  scale_failed=1
  scale="Scale rows: not measured: scripts/bench-scale.sh failed (see above)."
}
report="$report

$scale"
echo
echo "$report"
echo "$report" >build-bench/benchmarks.md
exit "$scale_failed"
