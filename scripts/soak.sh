#!/usr/bin/env bash
# Soak test (a script, not a CI test), in two phases. Installs what is missing (Debian 12),
# builds in Release (build-bench/), prints a Markdown report (also written to
# build-bench/reliability.md); exits non-zero when a target is missed.
#
# 1. Misbehaving checks: SECONDS of wrk with CONNECTIONS connections against a sidecar whose
#    checks throw, hang past their deadline, flap between levels, and point at a dependency that
#    is down. Reports requests served, error answers, crashes (must be 0), and resident memory
#    after a warm-up and at the end (growth must stay under 5 %).
# 2. Hostile callers and a hostile peer, for HOSTILE_SECONDS. The target is a sidecar with
#    healthy internal checks (one cached), a healthy peer sidecar (the mirror, which checks the
#    target back: a cycle), and a hostile peer (Python, loopback) that answers its aggregate with
#    ~4 MB of CRIT details, a path with ~900 KB of them, and traversals with a ~900 KB About.
#    Probes without hop headers poll the healthy checks while attackers send
#    X-Healthchecks-Deadline-Ms 1, Hops 32 and a 4,090-byte Via, 100 slow readers traverse into
#    the hostile peer, and pollers read the aggregate that holds its details. Then, for 15 s,
#    wrk floods the target with requests that each carry a Via of their own while the probes go
#    on; last, 200 keep-alive connections each read one traversal and stay open, idle. Reports
#    crashes (must be 0), the share of probes that read OK (must be 100 %), and the target's
#    resident memory, sampled every 0.5 s during the attack (the peak, the larger of the sampled
#    one and the kernel's VmHWM, which sees what falls between samples, must stay within the
#    budget: before + 32 traversals x 1 MiB + 32 MiB of answers waiting on slow readers; so must
#    VmHWM at the end of the phase, the flood and the idle holders included).
#
#   scripts/soak.sh [SECONDS=60] [CONNECTIONS=256] [HOSTILE_SECONDS=45]   # 0 skips a phase
#
# About 2.5 minutes plus the build with the defaults. Loopback only; every process it starts is
# stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
connections=${2:-256}
hostile_seconds=${3:-45}
warmup=5

scripts/build-release.sh healthchecks-sidecar

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
forget() {  # pid: waited for, no longer ours to stop
  local kept=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts a sidecar on a config file; sets sidecar_pid and sidecar_port.
start_sidecar() {  # name config
  build-bench/bin/healthchecks-sidecar --config "$2" >"$work/$1.out" 2>"$work/$1.err" &
  sidecar_pid=$!
  pids+=("$sidecar_pid")
  sidecar_port=""
  for _ in $(seq 100); do
    sidecar_port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$work/$1.out" | head -1 | cut -d: -f2 || true)
    [[ -n "$sidecar_port" ]] && return
    sleep 0.05
  done
  echo "the sidecar '$1' did not start" >&2
  cat "$work/$1.err" >&2
  exit 1
}

# Stops a sidecar with SIGTERM; sets stopped_alive (yes/no) and stopped_code (its exit code).
stop_sidecar() {  # pid
  stopped_alive="yes"
  kill -0 "$1" 2>/dev/null || stopped_alive="no"
  kill -TERM "$1" 2>/dev/null || true
  stopped_code=0
  wait "$1" || stopped_code=$?
  forget "$1"
}

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }

# Phase 2's hostile peer and clients, one mode each, and its report.
cat >"$work/hostile.py" <<'PY'
"""Phase 2 of scripts/soak.sh: the hostile peer, probes, attackers, slow readers, an observer,
pollers, idle holders and an RSS sampler, each a mode of this file (`python3 hostile.py MODE
ARGS...`); `report` prints the Markdown. Loopback only; every client mode stops by itself after
the seconds it is given, the peer when the script stops it."""
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"


def write_json(path, value):
    with open(path + ".tmp", "w") as f:
        json.dump(value, f)
    os.replace(path + ".tmp", path)


def text_of(size, phrase):
    return (phrase * (size // len(phrase) + 1))[:size]


# --- the hostile peer ---------------------------------------------------------------------------
# /status/aggregate: CRIT with ~4 MB of details (over the 1 MiB a check reads);
# /medium (a check on a URL with a path reads it as a status array): CRIT with ~900 KB of details
# (under the 1 MiB, so they reach the 4 KiB cut); .../status/traverse: a ~900 KB valid About.
def peer(port_file):
    def crit(size, phrase):
        return json.dumps(["CRIT", {"description": "Hostile", "result": "CRIT",
                                    "details": text_of(size, phrase)}]).encode()
    huge = crit(4_000_000, "disk full on /var/lib/data; ")
    medium = crit(900_000, "replica lagging by 42 s; ")
    dependencies, size, i = [], 0, 0
    while size < 900_000:
        i += 1
        entry = {"name": f"Dependency {i}", "slug": f"dependency-{i}", "type": "internal",
                 "isTraversable": False, "status": ["OK"]}
        dependencies.append(entry)
        size += len(json.dumps(entry)) + 1
    about = json.dumps({"id": "hostile", "name": "Hostile peer", "description": "N/A",
                        "owners": [], "version": "N/A", "host": "N/A", "projectRepo": "N/A",
                        "projectHome": "N/A", "logsLinks": [], "statsLinks": [],
                        "dependencies": dependencies}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path = self.path.split("?")[0]
            body = {"/status/aggregate": huge, "/medium": medium}.get(path)
            if path.endswith("/status/traverse"):
                body = about
            self.send_response(200 if body is not None else 404)
            body = b"Not Found" if body is None else body
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the sidecar stops reading at its cap and closes: as it should
                self.close_connection = True

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

        def handle_error(self, request, client_address):
            pass

    server = Server((HOST, 0), Handler)
    write_json(port_file, {"port": server.server_address[1], "aggregate": len(huge),
                           "medium": len(medium), "about": len(about)})
    server.serve_forever()


# --- clients ------------------------------------------------------------------------------------
def random_id():
    return "%016x" % random.getrandbits(64)


def long_via(size):
    """Instance ids (16 hex digits, as services make them) joined by commas, `size` bytes."""
    via = ""
    while len(via) < size:
        via += ("," if via else "") + random_id()
    return via[:size]


class Keeper:
    """One keep-alive connection; a new one after an error or a close."""

    def __init__(self, port, timeout):
        self.port, self.timeout, self.conn = port, timeout, None

    def get(self, path, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            self.conn.request("GET", path, headers=headers or {})
            response = self.conn.getresponse()
            body = response.read()
            if response.will_close:
                self.close()
            return response.status, body
        except Exception:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def run_threads(count, target, *args):
    threads = [threading.Thread(target=target, args=(i,) + args, daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


# Probes: what a load balancer does, one request every `interval` seconds per path, no hop
# headers. An answer reads OK when it is 200 with a body that starts ["OK".
def probe(port, seconds, out, interval, *paths):
    end = time.monotonic() + float(seconds)
    stats = {p: {"sent": 0, "ok": 0, "latencies": [], "not_ok": {}} for p in paths}
    lock = threading.Lock()

    def run(i, path):
        keeper = Keeper(int(port), 10)
        s = stats[path]
        while time.monotonic() < end:
            start = time.monotonic()
            try:
                status, body = keeper.get(path)
                ok = status == 200 and body.startswith(b'["OK"')
                seen = f"{status} {body[:240].decode('utf-8', 'replace')}"
            except Exception as e:
                ok, seen = False, f"error: {e!r}"
            took = time.monotonic() - start
            with lock:
                s["sent"] += 1
                s["latencies"].append(took)
                if ok:
                    s["ok"] += 1
                else:
                    s["not_ok"][seen] = s["not_ok"].get(seen, 0) + 1
            time.sleep(max(0.0, float(interval) - took))
        keeper.close()

    threads = [threading.Thread(target=run, args=(i, p), daemon=True) for i, p in enumerate(paths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = {}
    for path, s in stats.items():
        lat = s.pop("latencies")
        s.update(p50_ms=1000 * percentile(lat, 50), p99_ms=1000 * percentile(lat, 99),
                 max_ms=1000 * max(lat, default=0))
        result[path] = s
    write_json(out, result)


# Attackers: anonymous requests carrying the hop headers, as fast as they are answered.
def attack(port, seconds, out, threads):
    end = time.monotonic() + float(seconds)
    via = long_via(4090)
    kinds = [
        ("Deadline-Ms 1", "/status/cached", lambda: {"X-Healthchecks-Deadline-Ms": "1"}),
        ("Deadline-Ms 1", "/status/aggregate", lambda: {"X-Healthchecks-Deadline-Ms": "1"}),
        ("Deadline-Ms 1", "/status/aggregate?type=internal",
         lambda: {"X-Healthchecks-Deadline-Ms": "1"}),
        ("Hops 32", "/status/mirror", lambda: {"X-Healthchecks-Hops": "32"}),
        ("Hops 32", "/status/aggregate?type=internal", lambda: {"X-Healthchecks-Hops": "32"}),
        ("Via of 4,090 bytes", "/status/mirror", lambda: {"X-Healthchecks-Via": via}),
        ("Via of 4,090 bytes", "/status/aggregate?type=internal",
         lambda: {"X-Healthchecks-Via": via}),
        ("all three", "/status/mirror", lambda: {"X-Healthchecks-Deadline-Ms": "1",
                                                 "X-Healthchecks-Hops": "32",
                                                 "X-Healthchecks-Via": via}),
        ("a new Via each time", "/status/cached",
         lambda: {"X-Healthchecks-Via": random_id() + "," + random_id()}),
        ("a new Via each time", "/status/mirror",
         lambda: {"X-Healthchecks-Via": random_id() + "," + random_id()}),
    ]
    stats = {f"{k} {p}": {} for k, p, _ in kinds}
    lock = threading.Lock()

    def run(i):
        keeper = Keeper(int(port), 10)
        n = i
        while time.monotonic() < end:
            kind, path, headers = kinds[n % len(kinds)]
            n += 1
            try:
                status, body = keeper.get(path, headers())
                seen = f"{status} OK" if body.startswith(b'["OK"') else f"{status} not OK"
            except Exception as e:
                seen = f"error {type(e).__name__}"
            with lock:
                s = stats[f"{kind} {path}"]
                s[seen] = s.get(seen, 0) + 1
        keeper.close()

    run_threads(int(threads), run)
    write_json(out, stats)


# Slow readers: a receive window of a few KiB, `chunk` bytes read every `pause` seconds. Each
# connection asks `pipelined` times at once (HTTP/1.1 pipelining): on loopback the kernel takes
# up to ~4 MB of answers into a socket's send buffer, so only the answers beyond that wait in the
# server, where its answer byte budget applies. A reader hangs up after `hold` seconds (past the
# server's 10 s write time-out) and connects again.
def slow(port, seconds, out, count, path, pipelined, chunk, pause, hold):
    end = time.monotonic() + float(seconds)
    one = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
    last = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n"
    request = (one * (int(pipelined) - 1) + last).encode()
    stats = {"connections": 0, "bytes": 0, "first": {}}
    lock = threading.Lock()

    def run(i):
        time.sleep(random.random() * 0.5)
        while time.monotonic() < end:
            head, received = b"", 0
            stop = min(end, time.monotonic() + float(hold))
            s = socket.socket()
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                s.settimeout(max(0.1, stop - time.monotonic()))
                s.connect((HOST, int(port)))
                s.sendall(request)
                while time.monotonic() < stop:
                    data = s.recv(int(chunk))
                    if not data:
                        break
                    received += len(data)
                    if len(head) < 256:
                        head += data
                    time.sleep(float(pause))
            except OSError:
                pass
            finally:
                s.close()
            first = head[9:12].decode("ascii", "replace") if head.startswith(b"HTTP/") else "none"
            with lock:
                stats["connections"] += 1
                stats["bytes"] += received
                stats["first"][first] = stats["first"].get(first, 0) + 1

    run_threads(int(count), run)
    write_json(out, stats)


# An observer: one request at a time, read at full speed, every `interval` seconds; what a
# normal caller of the same path gets while the attack goes on.
def observe(port, seconds, out, path, interval):
    end = time.monotonic() + float(seconds)
    stats = {}
    keeper = Keeper(int(port), 10)
    while time.monotonic() < end:
        try:
            status, body = keeper.get(path)
            if b"too many traversals" in body:
                seen = "503 too many traversals in flight"
            elif b"too many large answers" in body:
                seen = "503 answer byte budget spent"
            else:
                seen = f"{status} ({len(body):,} B)"
        except Exception as e:
            seen = f"error {type(e).__name__}"
        stats[seen] = stats.get(seen, 0) + 1
        time.sleep(float(interval))
    write_json(out, stats)


# Idle holders: keep-alive connections that each read one answer of `path` at full speed (again
# after a 503, up to 50 times) and then stay open, idle, for `seconds`. `ready` is written once
# every connection has its answer.
def idle(port, count, path, seconds, ready, out):
    got, lock, conns = [0], threading.Lock(), []

    def run(i):
        keeper = Keeper(int(port), 30)
        for _ in range(50):
            try:
                status, body = keeper.get(path)
                if status == 200 and len(body) > 16384:
                    with lock:
                        got[0] += 1
                    break
            except Exception:
                pass
            time.sleep(0.2)
        with lock:
            conns.append(keeper)

    run_threads(int(count), run)
    write_json(ready, {"connections": int(count), "answered": got[0]})
    time.sleep(float(seconds))
    for keeper in conns:
        keeper.close()
    write_json(out, {"connections": int(count), "answered": got[0]})


# Pollers: keep-alive connections asking as fast as they are answered; the largest answer seen.
def poll(port, seconds, out, count, path):
    end = time.monotonic() + float(seconds)
    stats = {"answers": {}, "largest": 0}
    lock = threading.Lock()

    def run(i):
        keeper = Keeper(int(port), 10)
        while time.monotonic() < end:
            try:
                status, body = keeper.get(path)
                seen, size = str(status), len(body)
            except Exception as e:
                seen, size = f"error {type(e).__name__}", 0
            with lock:
                stats["answers"][seen] = stats["answers"].get(seen, 0) + 1
                stats["largest"] = max(stats["largest"], size)
        keeper.close()

    run_threads(int(count), run)
    write_json(out, stats)


# Every 0.5 s: the resident memory of a process, and the bytes waiting in the kernel's send
# queues of the sockets serving `port` (answers the server handed over but nobody read yet):
# "seconds rss_kib send_queue_bytes" lines.
def rss(pid, port, seconds, out):
    start = time.monotonic()
    local = ":%04X" % int(port)
    with open(out, "w") as f:
        while time.monotonic() - start < float(seconds):
            try:
                with open(f"/proc/{pid}/status") as status:
                    kib = next(line.split()[1] for line in status if line.startswith("VmRSS:"))
                queued = 0
                with open("/proc/net/tcp") as tcp:
                    for line in tcp:
                        fields = line.split()
                        if fields[1].endswith(local) and fields[3] == "01":  # ESTABLISHED
                            queued += int(fields[4].split(":")[0], 16)
                f.write(f"{time.monotonic() - start:.1f} {kib} {queued}\n")
                f.flush()
            except (OSError, StopIteration):
                return
            time.sleep(0.5)

# The Markdown report of the phase, from what the other modes wrote into `work`.
def report(work):
    facts = json.load(open(f"{work}/facts.json"))
    peer = json.load(open(f"{work}/peer.json"))
    huge = open(f"{work}/huge.body", "rb").read()
    details = open(f"{work}/details.body", "rb").read()
    crit = b'["CRIT",{'
    huge_excerpt = json.loads(huge)[1]["details"][:100] if huge.startswith(crit) else huge[:100]
    cut = json.loads(details)[1]["details"] if details.startswith(crit) else ""
    stderr = [sum(1 for _ in open(f"{work}/{name}.err")) for name in ("target", "mirror")]
    mib = lambda kib: f"{kib / 1024:.1f} MiB"
    samples = [tuple(map(float, line.split())) for line in open(f"{work}/rss.txt") if line.strip()]
    peak_t, peak, _ = max(samples, key=lambda s: s[1]) if samples else (0.0, 0.0, 0.0)
    queued_t, _, queued = max(samples, key=lambda s: s[2]) if samples else (0.0, 0.0, 0.0)
    before = facts["rss_before"]
    budget = before + 64 * 1024
    probes = json.load(open(f"{work}/probe.json"))
    sent = sum(p["sent"] for p in probes.values())
    ok = sum(p["ok"] for p in probes.values())
    crashes = facts["crashes"]
    # Samples every 0.5 s can miss the true peak; VmHWM (read at the end of the attack) cannot.
    top = max(peak, facts["hwm"])
    met = crashes == 0 and sent > 0 and ok == sent and top <= budget
    rows = [
        ("crashes (target or mirror gone, or exit code after SIGTERM not 0)",
         f"**{crashes}** (exit codes {facts['exit_target']} and {facts['exit_mirror']})"),
        ("probes that read OK (200, body `[\"OK\"`), every 10 ms per path, no hop headers",
         f"**{ok:,} of {sent:,}** ({100 * ok / max(sent, 1):.2f} %)"),
    ]
    for path, p in probes.items():
        worst = "; ".join(f"{n} x `{seen[:160]}`" for seen, n in
                          sorted(p["not_ok"].items(), key=lambda kv: -kv[1])[:3])
        rows.append((f"- `{path}`", f"{p['ok']:,} of {p['sent']:,}; p50 {p['p50_ms']:.1f} ms, p99 "
                     f"{p['p99_ms']:.1f} ms, max {p['max_ms']:.0f} ms" +
                     (f"; not OK: {worst}" if worst else "")))
    rows += [
        ("status changes of the probed checks in the history (size 50)", str(facts["history_probed"])),
        ("resident memory of the target: before / peak / end of the attack / 3 s later",
         f"{mib(before)} / **{mib(peak)}** (at {peak_t:.1f} s) / {mib(facts['rss_end'])} / "
         f"{mib(facts['rss_after'])} (VmHWM {mib(facts['hwm'])})"),
        ("budget: before + 32 traversals x 1 MiB + 32 MiB of answers waiting",
         f"{mib(budget)}: peak ({'VmHWM' if facts['hwm'] >= peak else 'sampled'}, "
         f"{mib(top)}) {'within, by' if top <= budget else 'OVER, by'} {mib(abs(budget - top))}"),
        ("answers in the kernel's send queues of the target's sockets (not resident memory), peak",
         f"{queued / 1048576:.1f} MiB (at {queued_t:.1f} s)"),
        ("what the hostile peer sends", f"aggregate {peer['aggregate']:,} B; `/medium` "
         f"{peer['medium']:,} B; traverse {peer['about']:,} B"),
        ("what the target makes of it, before the attack",
         f"`/status/huge` {len(huge):,} B: `{huge_excerpt}`; `/status/details` {len(details):,} B, "
         f"details cut to {len(cut):,} characters ending `{cut[-36:]}`; `/status/aggregate` "
         f"{facts['aggregate_size']:,} B; the traversal relays {facts['traverse_size']:,} B"),
        ("lines on stderr: target / mirror", f"{stderr[0]} / {stderr[1]}"),
    ]
    print("| measure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")

    def dist(d):
        return ", ".join(f"{k} {v:,}" for k, v in sorted(d.items(), key=lambda kv: -kv[1]))

    print("\n| who | what they sent | answers |\n|---|---|---|")
    attack = json.load(open(f"{work}/attack.json"))
    for what, answers in attack.items():
        print(f"| attackers ({facts['attackers']} keep-alive connections, in turn) | {what} | "
              f"{dist(answers)} |")
    for name, path in (("slow-traverse", "`/status/traverse?dependencies=huge`"),
                       ("slow-aggregate", "`/status/aggregate`")):
        slow = json.load(open(f"{work}/{name}.json"))
        print(f"| {facts[name.replace('-', '_')]} slow readers (4 KiB receive window, 64 B per "
              f"100 ms, {facts['pipelined']} requests pipelined, new connection every "
              f"{facts['hold']} s) | {path} | {slow['connections']:,} connections, "
              f"{slow['bytes'] / 1048576:.1f} MiB read in all; first answer: {dist(slow['first'])} |")
    polls = json.load(open(f"{work}/poll.json"))
    print(f"| {facts['pollers']} pollers (keep-alive, as fast as answered) | `/status/aggregate` | "
          f"{dist(polls['answers'])}; largest answer {polls['largest']:,} B |")
    seen = json.load(open(f"{work}/observe.json"))
    print(f"| an observer (one request every 0.25 s, read at full speed) | "
          f"`/status/traverse?dependencies=huge` | {dist(seen)} |")

    flood = json.load(open(f"{work}/probe-flood.json"))
    flood_sent = sum(p["sent"] for p in flood.values())
    flood_ok = sum(p["ok"] for p in flood.values())
    print(f"\nThen {facts['flood_seconds']} s of chains: wrk -t1 -c{facts['flood_connections']}, "
          f"`GET /status/steady` (a 5 ms check) with a new `X-Healthchecks-Via` (two random ids) "
          f"each time: {facts['flood_requests']:,} requests, {facts['flood_non_2xx']:,} answered "
          f"non-2xx; meanwhile the same probes:\n")
    print("| probes during the flood of chains | read OK |\n|---|---|")
    print(f"| all | **{flood_ok:,} of {flood_sent:,}** ({100 * flood_ok / max(flood_sent, 1):.2f} %) |")
    for path, p in flood.items():
        worst = "; ".join(f"{n} x `{seen[:300]}`" for seen, n in
                          sorted(p["not_ok"].items(), key=lambda kv: -kv[1])[:2])
        print(f"| `{path}` | {p['ok']:,} of {p['sent']:,}; p99 {p['p99_ms']:.1f} ms" +
              (f"; not OK: {worst}" if worst else "") + " |")
    met = met and flood_sent > 0 and flood_ok == flood_sent

    held = json.load(open(f"{work}/idle.json"))
    idle_budget = budget  # the same: the process's, from the fresh start of this phase
    print(f"\nLast, {held['connections']} keep-alive connections each read one traversal "
          f"(`/status/traverse?dependencies=huge`, {facts['traverse_size']:,} B) at full speed "
          f"({held['answered']} got one) and stay open, idle, for 5 s: resident memory "
          f"{mib(facts['rss_idle_before'])} before, **{mib(facts['rss_idle'])}** while they are "
          f"open ({'within' if facts['rss_idle'] <= idle_budget else 'OVER'} the budget of "
          f"{mib(idle_budget)}), {mib(facts['rss_idle_after'])} 1 s after they closed. VmHWM at "
          f"the end of the phase (the flood and the idle holders included): "
          f"{mib(facts['hwm_end'])} ({'within' if facts['hwm_end'] <= idle_budget else 'OVER'} "
          f"the budget).")
    met = met and facts["rss_idle"] <= idle_budget and facts["hwm_end"] <= idle_budget
    print(f"\nVerdict (crashes 0, every probe OK throughout, resident memory within budget): "
          f"**{'met' if met else 'MISSED'}**")
    with open(f"{work}/verdict.2", "w") as f:
        print("met" if met else "MISSED", file=f)

if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
PY

verdicts=()

# --- phase 1: misbehaving checks -------------------------------------------------------------
misbehaving() {
  # A port nobody listens on: the dependency that is down.
  local down_port
  down_port=$(free_port 2>/dev/null || echo 1)
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
  start_sidecar soak "$work/soak.json"
  local pid=$sidecar_pid port=$sidecar_port

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

  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/mix.lua" \
    "http://127.0.0.1:$port" >"$work/wrk.out" &
  local wrk_pid=$!
  pids+=("$wrk_pid")
  sleep "$warmup"
  local rss_start rss_end hwm
  rss_start=$(rss "$pid")
  wait "$wrk_pid"
  forget "$wrk_pid"
  rss_end=$(rss "$pid")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

  stop_sidecar "$pid"
  local crashes=0
  [[ $stopped_alive == "yes" && $stopped_code -eq 0 ]] || crashes=1

  local requests non_2xx socket_errors rps p50 p99 growth verdict
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  non_2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$work/wrk.out")
  socket_errors=$(awk '/Socket errors/ {print}' "$work/wrk.out")
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  growth=$(awk -v a="$rss_start" -v b="$rss_end" 'BEGIN {printf "%.1f", 100 * (b - a) / a}')
  verdict=$(awk -v g="$growth" -v c="$crashes" 'BEGIN {print (g < 5 && c == 0) ? "met" : "MISSED"}')
  echo "$verdict" >"$work/verdict.1"

  cat <<EOF
### Phase 1: misbehaving checks

| measure | value |
|---|---|
| load | wrk -t2 -c$connections -d${seconds}s, 14 paths in turn |
| requests served | $requests ($rps req/s; p50 $p50, p99 $p99) |
| error answers (non-2xx: 503 CRIT, 429 WARN, 404 unknown path, all by design) | ${non_2xx:-0} |
| socket errors | ${socket_errors:-none} |
| crashes (process gone, or exit code after SIGTERM not 0) | $crashes (exit code $stopped_code) |
| resident memory after ${warmup} s of load / at the end / peak | $(mib "$rss_start") / $(mib "$rss_end") / $(mib "$hwm") |
| growth from warm to end | $growth % (target: under 5 %, crashes 0: $verdict) |
| sidecar stderr lines | $(wc -l <"$work/soak.err") |
EOF
}

# --- phase 2: hostile callers and a hostile peer ---------------------------------------------
hostile() {
  local py="$work/hostile.py" flood_seconds=15
  python3 "$py" peer "$work/peer.json" 2>"$work/peer.err" &
  pids+=("$!")
  for _ in $(seq 200); do [[ -s "$work/peer.json" ]] && break; sleep 0.05; done
  if [[ ! -s "$work/peer.json" ]]; then
    echo "the hostile peer did not start" >&2
    cat "$work/peer.err" >&2
    exit 1
  fi
  local peer_port
  peer_port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' \
    "$work/peer.json")

  # The mirror checks the target back (a cycle, which the hop protocol's Via must cut), so the
  # target's port is chosen first.
  local port
  port=$(free_port)
  cat >"$work/mirror.json" <<EOF
{"listen": "127.0.0.1:0", "about": {"id": "mirror", "summary": "Healthy peer"},
 "checks": [
   {"name": "Back", "slug": "back", "check": "http", "url": "http://127.0.0.1:$port",
    "traversable": true},
   {"name": "Local", "slug": "local", "check": "static"}
 ]}
EOF
  start_sidecar mirror "$work/mirror.json"
  local mirror_pid=$sidecar_pid mirror_port=$sidecar_port
  cat >"$work/target.json" <<EOF
{"listen": "127.0.0.1:$port", "threads": 2,
 "about": {"id": "target", "summary": "Soak test, hostile phase"},
 "statusCodes": {"CRIT": 503, "WARN": 429},
 "history": {"size": 50, "key": "statusChanges"},
 "checks": [
   {"name": "Cached", "slug": "cached", "check": "static", "delayMs": 20, "cacheTtlMs": 1000},
   {"name": "Steady", "slug": "steady", "check": "static", "delayMs": 5},
   {"name": "Mirror", "slug": "mirror", "check": "http", "url": "http://127.0.0.1:$mirror_port",
    "type": "internal", "traversable": true, "cacheTtlMs": 1000},
   {"name": "Huge", "slug": "huge", "check": "http", "url": "http://127.0.0.1:$peer_port",
    "traversable": true, "cacheTtlMs": 500},
   {"name": "Details", "slug": "details", "check": "http",
    "url": "http://127.0.0.1:$peer_port/medium", "traversable": true, "cacheTtlMs": 500}
 ]}
EOF
  start_sidecar target "$work/target.json"
  local pid=$sidecar_pid
  [[ $sidecar_port == "$port" ]] || { echo "the target did not get port $port" >&2; exit 1; }
  local base="http://127.0.0.1:$port"

  # Before the attack: every probed path reads OK; what the hostile peer's answers become.
  local path body
  for path in /status/cached /status/mirror "/status/aggregate?type=internal"; do
    body=$(curl -s "$base$path")
    [[ $body == '["OK"'* ]] || { echo "before the attack, $path read: ${body:0:300}" >&2; exit 1; }
  done
  curl -s "$base/status/huge" >"$work/huge.body"
  curl -s "$base/status/details" >"$work/details.body"
  local aggregate_size traverse_size
  aggregate_size=$(curl -s "$base/status/aggregate" | wc -c)
  traverse_size=$(curl -s "$base/status/traverse?dependencies=huge" | wc -c)
  sleep 1
  local rss_before
  rss_before=$(rss "$pid")

  local attackers=4 slow_traverse=100 slow_aggregate=16 pipelined=6 hold=12 pollers=8 clients=()
  python3 "$py" rss "$pid" "$port" $((hostile_seconds + 4)) "$work/rss.txt" &
  local sampler=$!
  pids+=("$sampler")
  python3 "$py" probe "$port" "$hostile_seconds" "$work/probe.json" 0.01 \
    /status/cached /status/mirror "/status/aggregate?type=internal" &
  clients+=("$!")
  python3 "$py" attack "$port" "$hostile_seconds" "$work/attack.json" "$attackers" &
  clients+=("$!")
  python3 "$py" slow "$port" "$hostile_seconds" "$work/slow-traverse.json" "$slow_traverse" \
    "/status/traverse?dependencies=huge" "$pipelined" 64 0.1 "$hold" &
  clients+=("$!")
  python3 "$py" slow "$port" "$hostile_seconds" "$work/slow-aggregate.json" "$slow_aggregate" \
    /status/aggregate "$pipelined" 64 0.1 "$hold" &
  clients+=("$!")
  python3 "$py" poll "$port" "$hostile_seconds" "$work/poll.json" "$pollers" /status/aggregate &
  clients+=("$!")
  python3 "$py" observe "$port" "$hostile_seconds" "$work/observe.json" \
    "/status/traverse?dependencies=huge" 0.25 &
  clients+=("$!")
  pids+=("${clients[@]}")
  local client
  for client in "${clients[@]}"; do
    wait "$client" || true
    forget "$client"
  done
  local rss_end rss_after hwm
  rss_end=$(rss "$pid")
  sleep 3
  rss_after=$(rss "$pid")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  wait "$sampler" || true
  forget "$sampler"
  # The probed checks never changed level, so the history must hold none of them: a poisoned
  # result that reached the history would show here.
  local history_probed
  history_probed=$(curl -s "$base/status/about" | python3 -c '
import json, sys
about = json.load(sys.stdin)
changes = about.get("customData", {}).get("statusChanges", [])
print(sum(1 for c in changes if c.get("slug") in ("cached", "steady", "mirror")))')

  # Then a flood of chains: anonymous requests, each with a Via of its own, on a check that takes
  # 5 ms, from more connections than RegistryOptions::max_caller_executions (128) lets run at
  # once, while the same probes go on. (The mirror's check of the target carries a chain too.)
  cat >"$work/flood.lua" <<'LUA'
math.randomseed(os.time())
request = function()
  local via = string.format("%08x%08x,%08x%08x", math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
  return wrk.format("GET", "/status/steady", {["X-Healthchecks-Via"] = via})
end
LUA
  local flood_connections=160
  python3 "$py" probe "$port" "$flood_seconds" "$work/probe-flood.json" 0.01 \
    /status/cached /status/mirror "/status/aggregate?type=internal" &
  clients=("$!")
  wrk -t1 -c"$flood_connections" -d"${flood_seconds}s" -s "$work/flood.lua" "$base" \
    >"$work/flood.out" &
  clients+=("$!")
  pids+=("${clients[@]}")
  for client in "${clients[@]}"; do
    wait "$client" || true
    forget "$client"
  done
  local flood_requests flood_non_2xx
  flood_requests=$(awk '/requests in/ {print $1}' "$work/flood.out")
  flood_non_2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$work/flood.out")

  # Last, idle holders: keep-alive connections that each read one traversal at full speed (no
  # slow reading at all) and then stay open, as a pooling client or an attacker may leave them.
  local holders=200 rss_idle_before rss_idle rss_idle_after
  rss_idle_before=$(rss "$pid")
  python3 "$py" idle "$port" "$holders" "/status/traverse?dependencies=huge" 5 \
    "$work/idle.ready" "$work/idle.json" &
  client=$!
  pids+=("$client")
  for _ in $(seq 600); do [[ -s "$work/idle.ready" ]] && break; sleep 0.1; done
  sleep 2
  rss_idle=$(rss "$pid")
  wait "$client" || true
  forget "$client"
  sleep 1
  rss_idle_after=$(rss "$pid")
  local hwm_end
  hwm_end=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")

  stop_sidecar "$pid"
  local alive_target=$stopped_alive exit_target=$stopped_code
  stop_sidecar "$mirror_pid"
  local crashes=0
  [[ $alive_target == "yes" && $exit_target -eq 0 ]] || crashes=$((crashes + 1))
  [[ $stopped_alive == "yes" && $stopped_code -eq 0 ]] || crashes=$((crashes + 1))

  cat >"$work/facts.json" <<EOF
{"seconds": $hostile_seconds, "crashes": $crashes, "exit_target": $exit_target,
 "exit_mirror": $stopped_code, "rss_before": $rss_before, "rss_end": $rss_end,
 "rss_after": $rss_after, "hwm": $hwm, "history_probed": $history_probed,
 "aggregate_size": $aggregate_size, "traverse_size": $traverse_size,
 "attackers": $attackers, "slow_traverse": $slow_traverse, "slow_aggregate": $slow_aggregate,
 "pipelined": $pipelined, "hold": $hold, "pollers": $pollers,
 "flood_seconds": $flood_seconds, "flood_connections": $flood_connections,
 "flood_requests": ${flood_requests:-0}, "flood_non_2xx": ${flood_non_2xx:-0},
 "rss_idle_before": $rss_idle_before, "rss_idle": $rss_idle, "rss_idle_after": $rss_idle_after,
 "hwm_end": $hwm_end}
EOF
  echo "### Phase 2: hostile callers and a hostile peer"
  echo
  python3 "$py" report "$work"
}

# Each phase writes its part of the report (not in a subshell: the trap must see every pid).
: >"$work/report.md"
if [[ $seconds -gt 0 ]]; then
  misbehaving >"$work/phase1.md"
  { cat "$work/phase1.md"; echo; } >>"$work/report.md"
fi
if [[ $hostile_seconds -gt 0 ]]; then
  hostile >"$work/phase2.md"
  { cat "$work/phase2.md"; echo; } >>"$work/report.md"
fi
echo "Machine: $(nproc) cores, $(uname -sr), $(g++ --version | head -1)." >>"$work/report.md"
echo
cat "$work/report.md"
cp "$work/report.md" build-bench/reliability.md
! grep -qx MISSED "$work"/verdict.* 2>/dev/null
