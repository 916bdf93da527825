#!/usr/bin/env bash
# Benchmark of healthchecks-walk: a graph of 50 sidecars on free loopback ports, at most 8 deep,
# with shared dependencies and one cycle, walked with --json a few times. Reports the median wall
# time, the requests made against the graph's traversable edges + 1, and the services expanded
# (each once). Stops every sidecar on exit.
#
#   scripts/walk-bench.sh [BUILD_DIR=build] [RUNS=5]
#
# Needs healthchecks-sidecar and healthchecks-walk built in BUILD_DIR (ninja -C build
# healthchecks-sidecar healthchecks-walk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
runs=${2:-5}
sidecar=$build/bin/healthchecks-sidecar
walker=$build/bin/healthchecks-walk
for binary in "$sidecar" "$walker"; do
  [[ -x $binary ]] || { echo "walk-bench: $binary is not built" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  if ((${#pids[@]})); then kill "${pids[@]}" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the graph: 50 services on 9 levels (0..8), each but the root under one parent of the level
# above; 12 shared dependencies (a second parent one level up); one edge from the deepest level
# back to an ancestor 6 levels up (the cycle). Each service has two static leaves.
python3 - "$work" <<'EOF'
import json, random, socket, sys
work = sys.argv[1]
random.seed(7)
n, depth = 50, 8
level = [0] + [1 + (i - 1) * depth // (n - 1) for i in range(1, n)]
by_level = {}
for i, l in enumerate(level):
    by_level.setdefault(l, []).append(i)
children = {i: [] for i in range(n)}
parent = {}
for i in range(1, n):
    parent[i] = random.choice(by_level[level[i] - 1])
    children[parent[i]].append(i)
shared = 0
while shared < 12:
    l = random.randrange(0, depth)
    a, b = random.choice(by_level[l]), random.choice(by_level[l + 1])
    if b not in children[a]:
        children[a].append(b)
        shared += 1
deep = by_level[depth][0]
ancestor = deep
for _ in range(6):
    ancestor = parent[ancestor]
children[deep].append(ancestor)
ports = []
sockets = []
for _ in range(n):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ports.append(s.getsockname()[1])
    sockets.append(s)
for s in sockets:
    s.close()
edges = 0
for i in range(n):
    checks = [
        {"name": "Database", "slug": "db", "check": "static"},
        {"name": "Cache", "slug": "cache", "check": "static"},
    ]
    for c in children[i]:
        checks.append({"name": f"Service {c}", "slug": f"s{c}", "check": "http",
                       "traversable": True, "url": f"http://127.0.0.1:{ports[c]}"})
        edges += 1
    config = {"listen": f"127.0.0.1:{ports[i]}",
              "about": {"id": f"s{i}", "summary": f"Service {i}"}, "checks": checks}
    with open(f"{work}/s{i}.json", "w") as f:
        json.dump(config, f)
with open(f"{work}/facts", "w") as f:
    f.write(f"{ports[0]} {edges} {n} {ports[deep]} s{deep}\n")
print(f"graph: {n} services, {edges} traversable edges ({shared} shared, 1 back edge: "
      f"s{deep} -> s{ancestor}), {depth} levels deep")
EOF
read -r root_port edges services cycle_port cycle_id <"$work/facts"

for ((i = 0; i < services; i++)); do
  "$sidecar" --config "$work/s$i.json" >"$work/s$i.log" 2>&1 &
  pids+=($!)
done
for ((i = 0; i < services; i++)); do
  for _ in $(seq 100); do
    grep -q serving "$work/s$i.log" 2>/dev/null && break
    sleep 0.05
  done
  grep -q serving "$work/s$i.log" || { echo "walk-bench: s$i did not start" >&2; cat "$work/s$i.log" >&2; exit 1; }
done

times=()
for ((r = 1; r <= runs; r++)); do
  start=$(date +%s.%N)
  code=0
  "$walker" --json "http://127.0.0.1:$root_port" >"$work/walk$r.json" || code=$?
  end=$(date +%s.%N)
  times+=("$(python3 -c "print(f'{$end - $start:.3f}')")")
  python3 - "$work/walk$r.json" "$code" "${times[-1]}" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
walked = [n for n in doc["nodes"] if n["state"] == "walked"]
ids = [n["about"]["id"] for n in walked]
assert len(ids) == len(set(ids)), "a service was expanded twice"
print(f"run: {sys.argv[3]} s, exit {sys.argv[2]}, level {doc['level']}, requests {doc['requests']}, "
      f"traversable edges {doc['traversableEdges']}, services expanded {len(walked)} (each once)")
EOF
done
# What the sidecars' own checks cost on this graph: the root's aggregate runs every http check
# below it, through the shared dependencies and the cycle (the walk reads the About of each).
python3 - "$root_port" "$cycle_port" "$cycle_id" <<'EOF'
import sys, time, urllib.request
for who, port in (("root s0", sys.argv[1]), (f"{sys.argv[3]} (on the cycle)", sys.argv[2])):
    for path in ("/status/aggregate", "/status/about"):
        start = time.monotonic()
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
        print(f"{who} {path}: {time.monotonic() - start:.3f} s, {body[:40]!r}")
EOF
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
python3 - "$work/walk1.json" "$edges" "$services" "$median" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
edges, services, median = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
walked = sum(1 for n in doc["nodes"] if n["state"] == "walked")
print(f"median wall time: {median:.3f} s (limit 2 s)")
print(f"requests: {doc['requests']} for {edges} traversable edges + 1 = {edges + 1}")
print(f"services expanded: {walked} of {services}")
ok = doc["requests"] <= edges + 1 and walked == services and median < 2
sys.exit(0 if ok else 1)
EOF
