#!/usr/bin/env bash
# Installs the Debian 12 packages a task needs, only those missing. Usage:
#   scripts/install-deps.sh build|test|demo|bench
# Runs apt-get as root (or through sudo); prints what it installs.
set -euo pipefail

task=${1:-build}
packages=(cmake make g++ pkg-config libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libssl-dev)
# The checks' tests start real servers (redis-server, PostgreSQL as the postgres user via
# setpriv from util-linux, nginx over TLS with certificates made by openssl, curl and openssl as
# clients of the https server); the services the
# packages would start are not needed and not used. The walker's progress-line test runs it on
# a pseudo-terminal with script(1) from bsdutils. The metrics are checked by promtool and scraped
# by a real Prometheus (package prometheus), and served to prometheus-cpp (an optional component);
# the deployment snippets are checked by nginx -t and haproxy -c; the cpp-httplib adapter is an
# optional component. The Debian package's test runs cpack, whose Depends come from dpkg-shlibdeps
# (dpkg-dev). The gRPC component needs gRPC's headers, protoc and its gRPC plugin; the mysql and
# memcached checks are tested against a real MariaDB (run as an unprivileged user) and memcached.
# Ninja builds: make would do, at about 1.7 times the time.
case "$task" in
  build) ;;
  test) packages+=(ninja-build clang libclang-rt-14-dev llvm-14 libgtest-dev libgmock-dev
                   libpq-dev redis-server postgresql util-linux bsdutils chromium graphviz
                   openssl nginx curl dpkg-dev prometheus prometheus-cpp-dev haproxy libcpp-httplib-dev
                   libgrpc++-dev protobuf-compiler protobuf-compiler-grpc libmariadb-dev
                   mariadb-server memcached)
        # The browser tests drive Chromium with Node (any Node 18+ will do, so one
        # installed another way is kept).
        command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm) ;;
  demo) packages+=(ninja-build curl libpq-dev redis-server graphviz openssl) ;;  # graphviz: dot, to draw the walked graph
  bench) packages+=(ninja-build curl wrk valgrind python3 openssl nginx libgrpc++-dev protobuf-compiler protobuf-compiler-grpc) ;;  # python3: the soak's hostile peer and clients; openssl: the https row's certificates; nginx: the yardstick; gRPC: scripts/grpc-bench.sh
  *) echo "usage: $0 build|test|demo|bench" >&2; exit 2 ;;
esac

# The browser tests' playwright-core and mermaid, as package-lock.json pins them (from the npm registry; it
# downloads no browser: the test uses Debian's Chromium).
browser_modules() {
  [[ $task == test ]] || return 0
  local dir
  dir="$(dirname "$0")/../tests/browser"
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
    echo "install-deps: npm ci in tests/browser"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
}

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  browser_modules
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
apt=(apt-get)
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    apt=(sudo apt-get)
  else
    echo "install-deps: missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
browser_modules
