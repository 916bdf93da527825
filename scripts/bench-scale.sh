#!/usr/bin/env bash
# Benchmark at scale (issue 17): the sidecar with many dependencies, many connections, two
# threads, long traverse walks and a hung dependency, each against nginx measured in the same
# round on loopback. Every figure is a ratio to nginx in the same round, or a per-item cost, so
# that it survives a shared, noisy machine. Prints Markdown (scripts/bench.sh appends it to its
# report); progress goes to stderr.
#
#   scripts/bench-scale.sh [SECONDS_PER_RUN=3] [ROUNDS=3]
#
# Uses the Release binaries in build-bench/ (scripts/build-release.sh healthchecks-sidecar).
# Each measured row: ROUNDS rounds, in each nginx first then the sidecar; the figure is the
# median of the per-round ratios, and the rounds are listed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
raise_open_files 8192

seconds=${1:-3}
rounds=${2:-3}
connections=64
sidecar=build-bench/bin/healthchecks-sidecar
if [[ ! -x $sidecar ]]; then
  echo "bench-scale: $sidecar is missing: build it with scripts/build-release.sh healthchecks-sidecar" >&2
  exit 1
fi
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || {
    echo "bench-scale: $tool is missing: scripts/install-deps.sh bench installs it" >&2
    exit 1
  }
done

work=$(mktemp -d)
pids=()
cleanup() {
  [[ ${#pids[@]} -eq 0 ]] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Servers started through start_server or start_nginx are not this shell's children (they were
# started in a subshell): stop one by its pid and wait until it is gone.
stop() {  # pid
  kill "$1" 2>/dev/null || true
  for _ in $(seq 100); do
    [[ -e /proc/$1 ]] || break
    sleep 0.05
  done
  local kept=() pid
  for pid in "${pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

# A sidecar configuration: N static checks cached for ten minutes (as bench.sh's hundred), and
# any further top-level keys or checks given.
static_config() {  # file, id, N, extra top-level keys (with a trailing comma), extra checks (with a leading comma)
  {
    printf '{"listen": "127.0.0.1:0", "maxConnections": %d, %s "about": {"id": "%s"}, "checks": [' \
      "$sidecar_max_connections" "${4:-}" "$2"
    awk -v n="$3" 'BEGIN {
      for (i = 1; i <= n; i++)
        printf "%s{\"name\": \"Check %d\", \"slug\": \"check-%d\", \"check\": \"static\", \"cacheTtlMs\": 600000}",
          (i > 1 ? ",\n" : ""), i, i }'
    printf '%s]}\n' "${5:-}"
  } >"$1"
}

fetch() { curl -fsS --max-time 30 "$1"; }  # url -> body; fails on a non-2xx answer
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
median_of() { printf '%s\n' "$@" | median; }

ok_body='return 200 "OK";'
proxy_body='proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";'
nginx_ok_port=$(free_port)
nginx_conf "$work/nginx-ok" "$nginx_ok_port" "$ok_body"
nginx_ok_pid=$(start_nginx "$work/nginx-ok")
pids+=("$nginx_ok_pid")
nginx_ok="http://127.0.0.1:$nginx_ok_port/"

# Rounds of nginx then the sidecar: sets row_ratios (per round), row_ratio (their median),
# row_rps and row_base_rps (median req/s of the sidecar and of nginx).
paired() {  # url, nginx url, wrk options...
  local url=$1 base=$2 rpss=() base_rpss=()
  shift 2
  row_ratios=()
  for _ in $(seq "$rounds"); do
    wrk_run "$base" "$@"
    base_rpss+=("$wrk_rps")
    wrk_run "$url" "$@"
    rpss+=("$wrk_rps")
    row_ratios+=("$(ratio "$wrk_rps" "${base_rpss[-1]}")")
  done
  row_ratio=$(median_of "${row_ratios[@]}")
  row_rps=$(median_of "${rpss[@]}")
  row_base_rps=$(median_of "${base_rpss[@]}")
}

# --- a. dependencies -----------------------------------------------------------------------------
# One sidecar per N, stopped after its rows, so that each memory reading is its own.
dep_counts=(10 100 1000 5000)
declare -A dep_rps dep_line
memory_rows=()
declare -A hwm
for n in "${dep_counts[@]}"; do
  static_config "$work/deps-$n.json" "deps-$n" "$n"
  read -r port pid < <(start_server "$sidecar" --config "$work/deps-$n.json")
  pids+=("$pid")
  for endpoint in aggregate about; do
    url="http://127.0.0.1:$port/status/$endpoint"
    fetch "$url" >/dev/null  # fill the cache
    bytes=$(fetch "$url" | wc -c)
    # The server answers 503 to a large answer (over 16 KiB) while others being written hold
    # 32 MiB (ServerOptions::max_buffered_bytes, not a sidecar key): 64 answers of About at 5000
    # checks (780 KB each) would. Fewer connections there (halved until they fit in 28 MiB, room
    # for answers a little larger than the one measured), and the row says so.
    c=64
    while [[ $bytes -gt 16384 && $((c * bytes)) -gt $((28 * 1024 * 1024)) && $c -gt 1 ]]; do c=$((c / 2)); done
    paired "$url" "$nginx_ok" -t1 -c"$c" --timeout 30s
    dep_rps[$endpoint.$n]=$row_rps
    note=""
    [[ $c == 64 ]] || note=" (wrk -c$c, both)"
    dep_line[$endpoint.$n]="$row_rps$note | **$row_ratio** (rounds: ${row_ratios[*]}; nginx $row_base_rps req/s) | $bytes"
    if [[ $endpoint == about && $n == 1000 ]]; then
      about_1000_ratio=$row_ratio
    fi
    echo "dependencies: $endpoint with $n checks: $row_rps req/s, $row_ratio of nginx [${row_ratios[*]}], $bytes bytes" >&2
  done
  hwm[$n]=$(proc_kib "$pid" VmHWM)
  rss_now=$(proc_kib "$pid" VmRSS)
  memory_rows+=("| $n | $(mib "${hwm[$n]}") | $(mib "$rss_now") |")
  echo "dependencies: $n checks: VmHWM $(mib "${hwm[$n]}") MiB, VmRSS $(mib "$rss_now") MiB" >&2
  stop "$pid"
done
dep_rows=()
for endpoint in aggregate about; do
  for n in "${dep_counts[@]}"; do
    if [[ $n == 10 ]]; then
      per="(baseline)"
    else
      per=$(awk -v r="${dep_rps[$endpoint.$n]}" -v r0="${dep_rps[$endpoint.10]}" -v n="$n" \
        'BEGIN {printf "%.2f", (1 / r - 1 / r0) / (n - 10) * 1e6}')
    fi
    target=""
    if [[ $endpoint == about && $n == 1000 ]]; then
      target=">= 0.045 $(awk -v r="$about_1000_ratio" 'BEGIN {print (r >= 0.045) ? "met" : "MISSED"}')"
    fi
    dep_rows+=("| $endpoint | $n | ${dep_line[$endpoint.$n]} | $per | $target |")
  done
done
memory_verdict=$(awk -v a="${hwm[5000]}" -v b="${hwm[1000]}" 'BEGIN {print (a < 3 * b) ? "met" : "MISSED"}')
memory_factor=$(ratio "${hwm[5000]}" "${hwm[1000]}")

# --- b. connections ------------------------------------------------------------------------------
static_config "$work/conns.json" "conns" 4
read -r port pid < <(start_server "$sidecar" --config "$work/conns.json")
pids+=("$pid")
conn_rows=()
for c in 64 1000 4000; do
  paired "http://127.0.0.1:$port/status/am-i-up" "$nginx_ok" -t1 -c"$c"
  conn_rows+=("| am-i-up | $c | $row_rps | $row_base_rps | **$row_ratio** (rounds: ${row_ratios[*]}) |")
  echo "connections: am-i-up with $c: $row_rps req/s, $row_ratio of nginx [${row_ratios[*]}]" >&2
done
stop "$pid"

# Memory per idle keep-alive connection, in fresh processes (the rows above leave freed memory
# that new connections would reuse): K connections each send one request, read its answer and
# stay open while VmRSS is read.
idle=2000
cat >"$work/idle.py" <<'EOF'
import socket, sys, time
port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
held = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("connection closed before an answer")
        answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 2"):
        sys.exit("answer: %r" % head.split(b"\r\n")[0])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += s.recv(65536)
    held.append(s)
print("ready", flush=True)
time.sleep(3600)
EOF
per_idle_connection() {  # server pid, port, path -> KiB per connection
  local before after holder
  fetch "http://127.0.0.1:$2$3" >/dev/null
  sleep 0.2
  before=$(proc_kib "$1" VmRSS)
  python3 "$work/idle.py" "$2" "$3" "$idle" >"$work/idle.out" 2>&1 &
  holder=$!
  for _ in $(seq 600); do
    grep -q ready "$work/idle.out" && break
    if ! kill -0 "$holder" 2>/dev/null; then
      echo "bench-scale: idle connections to port $2 failed: $(cat "$work/idle.out")" >&2
      exit 1
    fi
    sleep 0.05
  done
  grep -q ready "$work/idle.out" || { echo "bench-scale: $idle idle connections took too long" >&2; exit 1; }
  sleep 0.2
  after=$(proc_kib "$1" VmRSS)
  kill "$holder"
  wait "$holder" 2>/dev/null || true
  awk -v a="$after" -v b="$before" -v k="$idle" 'BEGIN {printf "%.2f", (a - b) / k}'
}
read -r port pid < <(start_server "$sidecar" --config "$work/conns.json")
pids+=("$pid")
idle_sidecar=$(per_idle_connection "$pid" "$port" /status/am-i-up)
stop "$pid"
idle_nginx_port=$(free_port)
nginx_conf "$work/nginx-idle" "$idle_nginx_port" "$ok_body"
idle_nginx_pid=$(start_nginx "$work/nginx-idle")
pids+=("$idle_nginx_pid")
idle_nginx=$(per_idle_connection "$idle_nginx_pid" "$idle_nginx_port" /)
stop "$idle_nginx_pid"
echo "connections: per idle connection: sidecar $idle_sidecar KiB, nginx $idle_nginx KiB" >&2

# --- c. threads ----------------------------------------------------------------------------------
static_config "$work/threads.json" "threads" 100 '"threads": 2,'
read -r port pid < <(start_server "$sidecar" --config "$work/threads.json")
pids+=("$pid")
fetch "http://127.0.0.1:$port/status/aggregate" >/dev/null
nginx2_port=$(free_port)
nginx_conf "$work/nginx-2" "$nginx2_port" "$ok_body" "" 2
nginx2_pid=$(start_nginx "$work/nginx-2" "daemon off;")
pids+=("$nginx2_pid")
thread_rows=()
for endpoint in am-i-up aggregate; do
  paired "http://127.0.0.1:$port/status/$endpoint" "http://127.0.0.1:$nginx2_port/" -t2 -c64
  label=$endpoint
  [[ $endpoint == aggregate ]] && label="aggregate, 100 cached checks"
  thread_rows+=("| $label | $row_rps | $row_base_rps | **$row_ratio** (rounds: ${row_ratios[*]}) |")
  echo "threads: $label: $row_rps req/s, $row_ratio of nginx with 2 workers [${row_ratios[*]}]" >&2
done
stop "$pid"
stop "$nginx2_pid"

# --- d. depth ------------------------------------------------------------------------------------
# Hop i (1..16) has one traversable http check "h<i>" to hop i+1; hop 17 has a static check.
# traverse?dependencies=h1,...,h<n>&action=am-i-up from hop 1 walks n hops to hop n+1's am-i-up.
hops=17
cat >"$work/hop-$hops.json" <<EOF
{"listen": "127.0.0.1:0", "maxConnections": $sidecar_max_connections, "about": {"id": "hop-$hops"},
 "checks": [{"name": "Database", "slug": "db", "check": "static"}]}
EOF
read -r next_port pid < <(start_server "$sidecar" --config "$work/hop-$hops.json")
pids+=("$pid")
last_port=$next_port
for i in $(seq $((hops - 1)) -1 1); do
  cat >"$work/hop-$i.json" <<EOF
{"listen": "127.0.0.1:0", "maxConnections": $sidecar_max_connections, "about": {"id": "hop-$i"},
 "checks": [{"name": "Hop $((i + 1))", "slug": "h$i", "check": "http", "url": "http://127.0.0.1:$next_port", "traversable": true}]}
EOF
  read -r next_port pid < <(start_server "$sidecar" --config "$work/hop-$i.json")
  pids+=("$pid")
done
first_port=$next_port
walk() { echo "http://127.0.0.1:$first_port/status/traverse?dependencies=$(seq -s, -f 'h%g' 1 "$1")&action=am-i-up"; }
expected=$(fetch "http://127.0.0.1:$last_port/status/am-i-up")
walked=$(fetch "$(walk 16)") || { echo "bench-scale: the 16-hop walk $(walk 16) failed" >&2; exit 1; }
if [[ $walked != "$expected" ]]; then
  echo "bench-scale: the 16-hop walk answered '$walked', hop $hops's am-i-up '$expected'" >&2
  exit 1
fi
nginx_origin_port=$(free_port)
nginx_proxy_port=$(free_port)
nginx_conf "$work/nginx-origin" "$nginx_origin_port" "$ok_body"
nginx_conf "$work/nginx-proxy" "$nginx_proxy_port" "$proxy_body" "$nginx_origin_port"
nginx_origin_pid=$(start_nginx "$work/nginx-origin")
nginx_proxy_pid=$(start_nginx "$work/nginx-proxy")
pids+=("$nginx_origin_pid" "$nginx_proxy_pid")
proxy_p50s=()
declare -A walk_p50s
for _ in $(seq "$rounds"); do
  wrk_run "http://127.0.0.1:$nginx_proxy_port/" -t1 -c1
  proxy_p50s+=("$wrk_p50_us")
  for n in 1 4 16; do
    wrk_run "$(walk "$n")" -t1 -c1
    walk_p50s[$n]="${walk_p50s[$n]:-} $wrk_p50_us"
  done
done
proxy_p50=$(median_of "${proxy_p50s[@]}")
depth_rows=()
for n in 1 4 16; do
  # shellcheck disable=SC2086  # the list of rounds, split on purpose
  p50=$(median_of ${walk_p50s[$n]})
  per_hop=$(awk -v p="$p50" -v n="$n" 'BEGIN {printf "%.1f", p / n}')
  depth_rows+=("| $n | $p50 | **$per_hop** | $(ratio "$per_hop" "$proxy_p50") | ${walk_p50s[$n]# } |")
  echo "depth: $n hops: p50 $p50 us, $per_hop us per hop (nginx proxy hop $proxy_p50 us)" >&2
done
for pid in "${pids[@]}"; do [[ $pid == "$nginx_ok_pid" ]] || stop "$pid"; done

# --- e. a hung dependency ------------------------------------------------------------------------
# A loopback port that accepts connections and never answers them.
cat >"$work/silent.py" <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1024)
print("listening on %d" % s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
EOF
read -r silent_port silent_pid < <(start_server python3 "$work/silent.py")
pids+=("$silent_pid")
static_config "$work/healthy.json" "healthy" 100
static_config "$work/hung.json" "hung" 100 "" ",
{\"name\": \"Hung\", \"slug\": \"hung\", \"check\": \"http\", \"url\": \"http://127.0.0.1:$silent_port\", \"intervalMs\": 1000, \"timeoutMs\": 2000}"
read -r healthy_port healthy_pid < <(start_server "$sidecar" --config "$work/healthy.json")
read -r hung_port hung_pid < <(start_server "$sidecar" --config "$work/hung.json")
pids+=("$healthy_pid" "$hung_pid")
healthy_url="http://127.0.0.1:$healthy_port/status/aggregate"
hung_url="http://127.0.0.1:$hung_port/status/aggregate"
fetch "$healthy_url" >/dev/null
fetch "$hung_url" >/dev/null
sleep 2.5  # past the hung check's first deadline: from here on it is always hanging or timed out
hung_ratios=() healthy_p99s=() hung_p99s=()
for _ in $(seq "$rounds"); do
  wrk_run "$healthy_url" -t1 -c32
  healthy_p99s+=("$wrk_p99_us")
  wrk_run "$hung_url" -t1 -c32
  hung_p99s+=("$wrk_p99_us")
  hung_ratios+=("$(ratio "${hung_p99s[-1]}" "${healthy_p99s[-1]}")")
done
hung_ratio=$(median_of "${hung_ratios[@]}")
hung_verdict=$(awk -v r="$hung_ratio" 'BEGIN {print (r <= 1.5) ? "met" : "MISSED"}')
hung_answer=$(fetch "$hung_url" | head -c 120)
echo "hung dependency: p99 ratio $hung_ratio [${hung_ratios[*]}]; the hung sidecar's aggregate: $hung_answer" >&2

cat <<EOF
### Scale (issue 17), against nginx in the same rounds

Dependencies: N static checks cached for ten minutes (cache filled first), wrk -t1 -c64; nginx one worker \`return 200 "OK"\`. µs per dependency: (1/rps(N) − 1/rps(10)) / (N − 10), from the medians. A row marked with fewer connections has answers so large that 64 of them in flight pass the server's 32 MiB budget for large answers being written (\`ServerOptions::max_buffered_bytes\`), beyond which it answers 503; both sidecar and nginx run at that count there.

| endpoint | checks | req/s (median) | sidecar / nginx | bytes | µs per dependency | target |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${dep_rows[@]}")

Resident memory of each sidecar after its runs (one process per N; the peak includes the answers being written at once, so it depends on the connections of the rows above):

| checks | VmHWM MiB | VmRSS MiB |
|---|---|---|
$(printf '%s\n' "${memory_rows[@]}")

Target: VmHWM at 5000 checks < 3 × at 1000: ${memory_factor} × — $memory_verdict.

Connections: am-i-up with N concurrent keep-alive connections, wrk -t1 -cN, against nginx (one worker) at each:

| endpoint | connections | sidecar req/s | nginx req/s | sidecar / nginx |
|---|---|---|---|---|
$(printf '%s\n' "${conn_rows[@]}")

Memory per idle keep-alive connection ($idle connections, each after one request, in a fresh process; VmRSS after − before, / $idle): sidecar $idle_sidecar KiB, nginx $idle_nginx KiB.

Threads: the sidecar with \`"threads": 2\` against nginx with 2 worker processes, wrk -t2 -c64:

| measure | sidecar req/s | nginx req/s | sidecar / nginx |
|---|---|---|---|
$(printf '%s\n' "${thread_rows[@]}")

Depth: traverse?action=am-i-up through a chain of sidecars, wrk -t1 -c1 (p50, µs), against one nginx proxy hop (\`proxy_pass\` over a kept-alive upstream to a second nginx) at the same load: p50 $proxy_p50 µs (rounds: ${proxy_p50s[*]}).

| hops | p50 µs | p50 per hop µs | per hop / nginx hop | rounds (p50 µs) |
|---|---|---|---|---|
$(printf '%s\n' "${depth_rows[@]}")

A hung dependency: aggregate of 100 cached checks, wrk -t1 -c32, with and without one more background check (\`intervalMs\` 1000, \`timeoutMs\` 2000) to a port that accepts and never answers:

| measure | p99, hung / healthy | healthy p99 µs | hung p99 µs | target |
|---|---|---|---|---|
| aggregate, 100 cached + 1 hung | **$hung_ratio** (rounds: ${hung_ratios[*]}) | $(median_of "${healthy_p99s[@]}") | $(median_of "${hung_p99s[@]}") | <= 1.5 $hung_verdict |

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(nginx -v 2>&1 | sed 's/.*: //'); scripts/bench-scale.sh $seconds $rounds (wrk -d${seconds}s, $rounds rounds).
EOF
