#!/usr/bin/env bash
# Builds the sidecar and the walker and starts the demo service graph on loopback, installing
# what is missing first (Debian 12):
#   demo-app  :8080  depends on a database, a real Redis (:6390), service-1 and service-2
#   service-2 :8082  depends on a queue and service-1
#   service-1 :8081  depends on a document store, its disk and its own memory
# Ctrl-C stops them all.
#
#   scripts/demo.sh            the graph open to everybody
#   scripts/demo.sh --tokens   every service protected by its own token (examples/demo/tokens/):
#                              callers without it see levels only; each service authenticates to
#                              the next with that one's token, read from the environment
#   scripts/demo.sh --tls      every service serves https, and calls the next over https
#                              (examples/demo/tls/), with a throw-away CA made for the run
set -euo pipefail
cd "$(dirname "$0")/.."

configs=examples/demo
case "${1:-}" in
  "") ;;
  --tokens)
    configs=examples/demo/tokens
    # Made up for the demo; in production they come from your secret store.
    export DEMO_APP_TOKEN=${DEMO_APP_TOKEN:-demo-app-token-0123456789}
    export SERVICE_1_TOKEN=${SERVICE_1_TOKEN:-service-1-token-0123456789}
    export SERVICE_2_TOKEN=${SERVICE_2_TOKEN:-service-2-token-0123456789}
    ;;
  --tls) configs=examples/demo/tls ;;
  *) echo "usage: $0 [--tokens | --tls]" >&2; exit 2 ;;
esac

scripts/install-deps.sh demo
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target healthchecks-sidecar healthchecks-walk

pids=()
tls_dir=
stop() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  [[ -z $tls_dir ]] || rm -rf "$tls_dir"
}
trap stop INT TERM EXIT

if [[ $configs == examples/demo/tls ]]; then
  # A CA made for this run, and one certificate for 127.0.0.1 and localhost that every service
  # serves; the services trust that CA (caFile), nothing else.
  tls_dir=$(mktemp -d /tmp/healthchecks-demo-tls.XXXXXX)
  export DEMO_TLS_DIR=$tls_dir
  (
    cd "$tls_dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 \
      -subj "/CN=healthchecks demo CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
      -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > san.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
      -extfile san.ext -out server.crt 2>/dev/null
  )
fi

# The cache is a real Redis, started for the demo (nothing is saved to disk).
redis-server --port 6390 --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --loglevel warning >/dev/null 2>&1 &
pids+=($!)

for service in service-1 service-2 demo-app; do
  build/bin/healthchecks-sidecar --config "$configs/$service.json" &
  pids+=($!)
done

# Wait until the front answers (the sidecars print their "serving" lines meanwhile).
for _ in $(seq 50); do
  if [[ -n $tls_dir ]]; then
    curl -fs -o /dev/null --cacert "$tls_dir/ca.crt" https://127.0.0.1:8080/status/am-i-up && break
  else
    curl -fs -o /dev/null http://127.0.0.1:8080/status/am-i-up && break
  fi
  sleep 0.1
done

if [[ $configs == examples/demo/tls ]]; then
  cat <<TXT

The demo graph is up over https, its CA in $tls_dir/ca.crt (gone when the demo stops):
  curl --cacert $tls_dir/ca.crt https://127.0.0.1:8080/status/aggregate
  curl --cacert $tls_dir/ca.crt 'https://127.0.0.1:8080/status/traverse?dependencies=service-2,service-1'
  curl --cacert $tls_dir/ca.crt https://127.0.0.1:8080/status/service-1-cert    # WARN 14 days before Service 1's certificate ends
  build/bin/healthchecks-walk --cacert $tls_dir/ca.crt https://127.0.0.1:8080
In a browser (it will not know the CA): https://127.0.0.1:8080/status/dashboard
Ctrl-C stops the graph.
TXT
  wait
  exit
fi

if [[ $configs == examples/demo/tokens ]]; then
  cat <<TXT

The demo graph is up, every service behind its own token. In a browser:
  http://127.0.0.1:8080/status/dashboard    (type $DEMO_APP_TOKEN into its token field)
Without it, levels only:
  curl -s localhost:8080/status/aggregate
  curl -s 'localhost:8080/status/traverse?dependencies=service-2,service-1'    # 403
  build/bin/healthchecks-walk http://127.0.0.1:8080    # walks on: "details need a token (--header)"
With demo-app's token, details two levels down (each hop presents the next one's token):
  curl -s -H 'Authorization: Bearer $DEMO_APP_TOKEN' localhost:8080/status/aggregate
  curl -s -H 'Authorization: Bearer $DEMO_APP_TOKEN' 'localhost:8080/status/traverse?dependencies=service-2,service-1'
  WALK_AUTH='Authorization: Bearer $DEMO_APP_TOKEN' build/bin/healthchecks-walk --header-env WALK_AUTH http://127.0.0.1:8080
Ctrl-C stops the graph.
TXT
  wait
  exit
fi

cat <<'TXT'

The demo graph is up. In a browser: http://127.0.0.1:8080/status/dashboard
Walk it, draw it:
  build/bin/healthchecks-walk http://127.0.0.1:8080
  build/bin/healthchecks-walk --dot http://127.0.0.1:8080 | dot -Tsvg > graph.svg
  build/bin/healthchecks-walk --mermaid http://127.0.0.1:8080
Or try:
  curl -i localhost:8080/status/am-i-up
  curl -i localhost:8080/status/aggregate
  curl -s localhost:8080/status/about
  curl -s 'localhost:8080/status/traverse?dependencies=service-2,service-1'
  curl -s 'localhost:8080/status/traverse?dependencies=service-2&action=aggregate'
  curl -s localhost:8080/status/v2/about
  curl -s -H 'Accept: application/health+json' localhost:8080/status/aggregate   # IETF health+json
  curl -i 'localhost:8080/status/aggregate?tag=readiness'   # only the checks tagged "readiness"
  curl -s localhost:8080/status/metrics                     # for Prometheus
Break a dependency and watch the answer change:
  pkill -f 'redis-server 127.0.0.1:6390'   # the cache goes CRIT
  pkill -f service-1.json                   # Service 1 goes CRIT, in demo-app and in service-2
  then walk it (or curl aggregate) again: the walker names the cache as the likely root cause.
Ctrl-C stops the graph.
TXT
wait
