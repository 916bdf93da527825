# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # variables set here are read by the sourcing scripts, and
#                                   # `work`, `seconds`, `connections` are set by them
# Helpers shared by scripts/bench.sh and scripts/bench-scale.sh (sourced, not run). The caller
# sets `work` (a temporary directory it removes), `seconds` (the length of a wrk run) and
# `connections` (wrk's default -c), and runs with `set -euo pipefail`.

# Open files: the largest connection row holds 4000 connections in wrk and as many in the server.
# Raised to 65536, or to the hard limit where that is lower (a container's); below what the rows
# need, stop rather than measure refused connections.
raise_open_files() {  # needed
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $1 ]]; then
    echo "bench: open files limited to $(ulimit -n), the rows need $1: raise the hard limit (ulimit -Hn)" >&2
    exit 1
  fi
}

# Connections a sidecar accepts at once (its `maxConnections`): above the largest row (4000)
# with headroom, so that no row measures fast 503s.
sidecar_max_connections=8192

# Runs in a process substitution (a subshell): the caller records the pid it prints.
start_server() {  # command... ; prints the port it announced and its pid
  local out="$work/out.$RANDOM"
  "$@" >"$out" 2>&1 &
  for _ in $(seq 100); do
    local port
    port=$(grep -oE '(127\.0\.0\.1:|listening on )[0-9]+' "$out" | grep -oE '[0-9]+$' | head -1 || true)
    if [[ -n "$port" ]]; then echo "$port $!"; return; fi
    sleep 0.05
  done
  echo "failed to start: $*" >&2
  cat "$out" >&2
  exit 1
}

# The yardstick: nginx answering from its config, in a directory of the work directory, on
# loopback. worker_connections covers the largest connection row (4000) plus a proxy's upstream
# connections; worker_rlimit_nofile gives each worker the files for them; the listen backlog is
# the kernel's largest (somaxconn), as the sidecar's, for 4000 connections opened at once.
nginx_conf() {  # dir, port, location body, upstream port, worker processes (1)
  mkdir -p "$1"
  local workers=${5:-1} user=""
  # With a master process started as root, workers would run as nobody: keep them root, as the
  # single-process configuration is, so that they reach the work directory.
  [[ $workers -gt 1 ]] && user="user root;"
  cat >"$1/nginx.conf" <<EOF
$user
worker_processes $workers;
worker_rlimit_nofile 16384;
error_log $1/error.log warn;
pid $1/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  keepalive_requests 1000000;
  upstream origin { server 127.0.0.1:${4:-1}; keepalive 64; }
  server {
    listen 127.0.0.1:$2 backlog=4096;
    location / { $3 }
  }
}
EOF
}
# One process (master_process off: the worker itself) unless told otherwise, e.g. with
# "daemon off;" alone for a master and the configuration's workers.
start_nginx() {  # dir, global directives -> pid, once it answers
  nginx -p "$1" -c "$1/nginx.conf" -g "${2:-daemon off; master_process off;}" >"$1/out" 2>&1 &
  local pid=$! port
  port=$(awk '$1 == "listen" {sub(/.*:/, "", $2); sub(/;/, "", $2); print $2}' "$1/nginx.conf")
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/" && { echo "$pid"; return; }
    sleep 0.05
  done
  echo "nginx did not start: $(cat "$1/out" "$1/error.log" 2>/dev/null)" >&2
  exit 1
}
# A free loopback port below the kernel's ephemeral range: a port from bind(0) is one the kernel
# also hands out as the source port of outgoing connections (wrk opens thousands), which could
# take it between the pick and nginx's listen. Each pick is bound once to see it is free.
free_port() {
  python3 - <<'EOF'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000):
    port = random.randrange(20000, max(low, 20001))  # above bench.sh's fixed callgrind ports (1819x)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("bench: no free loopback port below the ephemeral range")
EOF
}

# wrk's latencies ("812.00us", "1.20ms", "2.00s", "1.50m") in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 1 : (u == "ms") ? 1e3 : (u == "s") ? 1e6 : (u == "m") ? 6e7 : (u == "h") ? 3.6e9 : -1
    if (f < 0) { print "bench: unknown latency unit in " v > "/dev/stderr"; exit 1 }
    printf "%.1f", n * f }'
}

# One wrk run of `seconds` on url, in this shell (so that a failure ends the script): sets
# wrk_rps, wrk_p50, wrk_p99 (as wrk prints them) and wrk_p50_us, wrk_p99_us. The options default
# to one thread and `connections` connections. Any answer that is not 2xx or 3xx, and any socket
# error (connect, read, write, timeout), ends the script naming the URL: a row of refusals or fast
# 503s measures nothing.
wrk_run() {  # url, wrk options...
  local url=$1
  shift
  [[ $# -gt 0 ]] || set -- -t1 -c"$connections"
  local out
  if ! out=$(wrk "$@" -d"${seconds}s" --latency "$url" 2>&1); then
    echo "bench: wrk $* $url failed: $out" >&2
    exit 1
  fi
  if grep -qE 'Non-2xx or 3xx responses|Socket errors' <<<"$out"; then
    echo "bench: wrk $* $url: $(grep -E 'requests in|Non-2xx or 3xx responses|Socket errors' <<<"$out" | tr -s ' ' | paste -sd ';')" >&2
    exit 1
  fi
  wrk_rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  wrk_p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  wrk_p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if [[ -z $wrk_rps || -z $wrk_p50 || -z $wrk_p99 ]]; then
    echo "bench: no figures from wrk $* $url: $out" >&2
    exit 1
  fi
  wrk_p50_us=$(to_us "$wrk_p50")
  wrk_p99_us=$(to_us "$wrk_p99")
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A field of /proc/PID/status in KiB (VmRSS, VmHWM).
proc_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

# Instructions per request of the processes given, under wrk load on url (callgrind).
instructions_per_request() {  # url, commands separated by "--"
  local url=$1
  shift
  local cg_pids=() i=0 files=()
  while [[ $# -gt 0 ]]; do
    local cmd=()
    while [[ $# -gt 0 && $1 != "--" ]]; do cmd+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift
    i=$((i + 1))
    files+=("$work/cg.$i")
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$i" "${cmd[@]}" >"$work/cg.$i.log" 2>&1 &
    cg_pids+=($!)
  done
  sleep 3
  # Warm, at the load measured: first results in memory, and every connection the load needs
  # open (over https a new one costs a handshake of millions of instructions, which a single
  # warming request would leave inside the count).
  wrk -t1 -c4 -d1s "$url" >/dev/null
  for pid in "${cg_pids[@]}"; do callgrind_control -z "$pid" >/dev/null; done  # count from here
  local requests
  requests=$(wrk -t1 -c4 -d4s "$url" | awk '/requests in/ {print $1}')
  for pid in "${cg_pids[@]}"; do callgrind_control -d "$pid" >/dev/null; kill -TERM "$pid"; done
  wait "${cg_pids[@]}" 2>/dev/null || true
  if [[ -z $requests || $requests -eq 0 ]]; then
    # Under callgrind a process is some 50 times slower: on a loaded machine wrk may get no
    # answer in its window. Say so rather than divide by zero.
    echo "bench: no request answered in the callgrind window for $url (machine too loaded?)" >&2
    exit 1
  fi
  local total=0
  for f in "${files[@]}"; do
    total=$((total + $(awk '/^summary:/ {print $2}' "$f.1")))  # the dump taken after the load
  done
  echo $((total / requests))
}
