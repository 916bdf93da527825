#!/usr/bin/env bash
# Installs the Debian 12 packages a task needs, only those missing. Usage:
#   scripts/install-deps.sh build|test|demo|bench
# Runs apt-get as root (or through sudo); prints what it installs.
set -euo pipefail

task=${1:-build}
packages=(cmake make g++ pkg-config libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev)
# The checks' tests start real servers (redis-server, PostgreSQL as the postgres user via
# setpriv from util-linux); the services the packages would start are not needed and not used.
# Ninja builds: make would do, at about 1.7 times the time.
case "$task" in
  build) ;;
  test) packages+=(ninja-build clang libclang-rt-14-dev llvm-14 libgtest-dev libgmock-dev
                   libpq-dev redis-server postgresql util-linux) ;;
  demo) packages+=(ninja-build curl libpq-dev redis-server) ;;
  bench) packages+=(ninja-build curl wrk valgrind python3) ;;  # python3: the soak's hostile peer and clients
  *) echo "usage: $0 build|test|demo|bench" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

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
