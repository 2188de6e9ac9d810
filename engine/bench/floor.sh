#!/usr/bin/env bash
# What Undertow itself costs on this machine, set beside nginx and Turnout in one interleaved run.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/floor.sh [ROUNDS] [SECONDS]      defaults: 3 rounds of 5 s per target
# Env: CONNS (wrk connections, default 64), JAVA (java binary), JAR (Turnout's jar; default
#   web/target/turnout.jar, skipped when missing).
#
# Every target is measured with wrk -t1 -c$CONNS against the same 19-byte answer:
#   nginx-reply      nginx answering itself (2 workers)
#   undertow-reply   Undertow answering itself (UndertowFloor reply): Undertow's server side alone
#   nginx-proxy      nginx proxy_pass to the nginx backend, upstream keep-alive
#   undertow-proxy   Undertow's own ProxyHandler to the same backend (UndertowFloor proxy), no routing
#   turnout          Turnout to the same backend (dtab /svc => /$/inet/127.0.0.1/<backend>)
# The two *-reply rows compare the servers with nothing forwarded; the proxy rows show how much of
# Turnout's figure is Undertow's own forwarding. Medians over the rounds; non-2xx answers and socket
# errors are counted together ("bad") and must be 0 for a row to mean anything.
# Needs nginx and wrk (installed with apt-get when missing and run as root).
set -euo pipefail
ROUNDS=${1:-3}
SECS=${2:-5}
CONNS=${CONNS:-64}
JAVA=${JAVA:-java}
JAR=${JAR:-web/target/turnout.jar}
[[ -f engine/pom.xml ]] || { echo "run from the project's root"; exit 2; }

# shellcheck source=engine/bench/needs.sh
source "$(dirname "$0")/needs.sh"
needs nginx wrk

tmp=$(mktemp -d)
children=()
finish() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap finish EXIT

# The engine's test classpath holds UndertowFloor and the exact Undertow the proxy is built on.
mvn -q -pl engine test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=echo \
  "-Dexec.args=%classpath" "-Dexec.outputFile=$tmp/classpath"

BACKEND=$(free_port) NGINX=$(free_port) UREPLY=$(free_port) UPROXY=$(free_port) TPROXY=$(free_port) TADMIN=$(free_port)

cat >"$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  upstream backend { server 127.0.0.1:$BACKEND; keepalive 128; }
  server { listen 127.0.0.1:$BACKEND; location / { return 200 "hello from backend\n"; } }
  server {
    listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$tmp/nginx.conf"

cp=$(cat "$tmp/classpath")
"$JAVA" -cp "$cp" dev.turnout.bench.UndertowFloor reply "$UREPLY" >"$tmp/reply.log" 2>&1 &
children+=($!)
"$JAVA" -cp "$cp" dev.turnout.bench.UndertowFloor proxy "$UPROXY" "$BACKEND" >"$tmp/proxy.log" 2>&1 &
children+=($!)

declare -A url=(
  [nginx-reply]=http://127.0.0.1:$BACKEND/ [undertow-reply]=http://127.0.0.1:$UREPLY/
  [nginx-proxy]=http://127.0.0.1:$NGINX/ [undertow-proxy]=http://127.0.0.1:$UPROXY/
)
targets=(nginx-reply undertow-reply nginx-proxy undertow-proxy)
if [[ -f $JAR ]]; then
  cat >"$tmp/turnout.yaml" <<CONF
admin: {ip: 127.0.0.1, port: $TADMIN}
routers:
- protocol: http
  dtab: /svc => /\$/inet/127.0.0.1/$BACKEND;
  servers: [{ip: 127.0.0.1, port: $TPROXY}]
CONF
  "$JAVA" -jar "$JAR" --config "$tmp/turnout.yaml" --data "$tmp/data" >"$tmp/turnout.log" 2>&1 &
  children+=($!)
  url[turnout]=http://127.0.0.1:$TPROXY/
  targets+=(turnout)
else
  echo "no jar at $JAR: Turnout is left out (build it with mvn -q -DskipTests package)"
fi

for t in "${targets[@]}"; do
  up=0
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "${url[$t]}" 2>/dev/null; then up=1; break; fi
    sleep 0.5
  done
  ((up)) || { echo "$t is not answering at ${url[$t]}"; tail -5 "$tmp"/*.log; exit 1; }
done
for t in "${targets[@]}"; do wrk -t1 -c"$CONNS" -d3s "${url[$t]}" >/dev/null; done # compile before measuring

for _ in $(seq 1 "$ROUNDS"); do
  for t in "${targets[@]}"; do
    out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "${url[$t]}")
    awk -v t="$t" '
      function us(v) { n = v + 0; if (v ~ /us$/) return n; if (v ~ /ms$/) return n * 1000; return n * 1000000 }
      /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
      /Non-2xx/ { bad += $NF }
      /Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i + 0 }
      END { printf "%s %s %s %s %d\n", t, rps, p50, p99, bad }' <<<"$out" >>"$tmp/runs"
  done
done

python3 - "$tmp/runs" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    t, rps, p50, p99, bad = line.split()
    runs.setdefault(t, []).append((float(rps), float(p50), float(p99), int(bad)))
med = {t: [statistics.median(r[i] for r in rs) for i in range(3)] + [sum(r[3] for r in rs)]
       for t, rs in runs.items()}
print(f"{'target':15} {'req/s':>9} {'p50 us':>8} {'p99 us':>8} {'bad':>8}   medians of {len(runs['nginx-reply'])} rounds")
for t, (rps, p50, p99, bad) in med.items():
    print(f"{t:15} {rps:9.0f} {p50:8.0f} {p99:8.0f} {bad:8d}")
def ratio(a, b):
    if a in med and b in med:
        print(f"{a}/{b}: throughput {med[a][0] / med[b][0]:.2f}x, p99 {med[a][2] / med[b][2]:.2f}x")
ratio("undertow-reply", "nginx-reply")
ratio("undertow-proxy", "nginx-proxy")
ratio("turnout", "nginx-proxy")
ratio("turnout", "undertow-proxy")
PY
