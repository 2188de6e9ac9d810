#!/usr/bin/env bash
# HTTP/2 through Turnout's h2 router, nginx and HAProxy, side by side in one interleaved run (the
# method of jvms.sh and tls.sh, with h2load in place of wrk).
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/h2.sh [ROUNDS] [SECONDS]        (defaults 5 and 5)
# Env: CONNS (h2load connections, default 8), TURNOUT (the launcher, default
#   web/target/turnout/bin/turnout: Turnout runs as a user runs it, with conf/jvm.options; JAVA_OPTS
#   are passed on).
#
# All three proxies take HTTP/2 with prior knowledge (h2c) and speak HTTP/2 to one backend: nginx
# (two workers, `listen ... http2`) answering 200 with a short body.
#   nginx    two workers, `grpc_pass` (HTTP/2 upstream; nginx opens one upstream stream per
#            connection and keeps 128 connections alive)
#   haproxy  two threads, `bind ... proto h2`, `server ... proto h2`, http-reuse always
#   turnout  one process, a `protocol: h2` router (one upstream connection per endpoint and IO thread)
# Two modes per proxy: m1 (1 stream at a time per connection) and m100 (100 concurrent streams per
# connection), CONNS connections each, h2load -t1. Each round loads every target for SECONDS in turn,
# so drifts of a shared machine fall on all alike; printed are medians of req/s, p99 (from h2load's
# per-request log) and the proxy's own CPU per request (user + system from /proc), with ratios to
# nginx in the same mode, and the load average per round (what else ran).
# Needs nginx, HAProxy and h2load (nghttp2-client; installed with apt-get when missing and run as root).
set -euo pipefail
ROUNDS=${1:-5} SECS=${2:-5}
CONNS=${CONNS:-8}
TURNOUT=${TURNOUT:-web/target/turnout/bin/turnout}
[[ -x $TURNOUT ]] || { echo "no launcher at $TURNOUT: build it first (mvn -q -DskipTests package)"; exit 2; }
# shellcheck source=engine/bench/needs.sh
source "$(dirname "$0")/needs.sh"
command -v h2load >/dev/null || NEEDS_H2LOAD=1
needs nginx haproxy
if [[ -n ${NEEDS_H2LOAD:-} ]]; then
  [[ $(id -u) == 0 ]] || { echo "install first: nghttp2-client"; exit 2; }
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null
fi

work=$(mktemp -d)
tpid=
finish() {
  [[ -n $tpid ]] && kill "$tpid" 2>/dev/null
  for f in backend nginx haproxy; do [[ -f $work/$f.pid ]] && kill "$(cat "$work/$f.pid")" 2>/dev/null; done
  sleep 0.5
  rm -rf "$work"
}
trap finish EXIT

BE=$(free_port) NG=$(free_port) HA=$(free_port) TP=$(free_port) TA=$(free_port)
cat >"$work/backend.conf" <<CONF
worker_processes 2; pid $work/backend.pid; error_log $work/backend.err;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 100000000; http2_max_concurrent_streams 1000;
  server { listen 127.0.0.1:$BE http2; location / { return 200 "hello from backend\n"; } }
}
CONF
cat >"$work/nginx.conf" <<CONF
worker_processes 2; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 100000000; http2_max_concurrent_streams 1000;
  upstream be { server 127.0.0.1:$BE; keepalive 128; keepalive_requests 100000000; }
  server { listen 127.0.0.1:$NG http2; location / { grpc_pass grpc://be; } }
}
CONF
cat >"$work/haproxy.cfg" <<CONF
global
  nbthread 2
  pidfile $work/haproxy.pid
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind 127.0.0.1:$HA proto h2
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:$BE proto h2
CONF
cat >"$work/turnout.yaml" <<CONF
admin: {ip: 127.0.0.1, port: $TA}
routers:
- protocol: h2
  label: h2
  dtab: /svc => /\$/inet/127.0.0.1/$BE;
  servers: [{ip: 127.0.0.1, port: $TP}]
CONF

nginx -c "$work/backend.conf"
nginx -c "$work/nginx.conf"
haproxy -f "$work/haproxy.cfg" -D
# the launcher execs the JVM, so $! is the JVM's pid
"$TURNOUT" --config "$work/turnout.yaml" --data "$work/data" >"$work/turnout.log" 2>&1 &
tpid=$!

declare -A port=([nginx]=$NG [haproxy]=$HA [turnout]=$TP)
for p in nginx haproxy turnout; do
  for _ in $(seq 1 120); do curl -fsS --http2-prior-knowledge -o /dev/null "http://127.0.0.1:${port[$p]}/" 2>/dev/null && break; sleep 0.5; done
  curl -fsS --http2-prior-knowledge -o /dev/null "http://127.0.0.1:${port[$p]}/" || { echo "$p is not answering"; tail -20 "$work/turnout.log"; exit 1; }
done
m=$(cat "$work/nginx.pid")
declare -A procs=([nginx]="$m $(ps -o pid= --ppid "$m" | tr '\n' ' ')" [haproxy]=$(cat "$work/haproxy.pid") [turnout]=$tpid)

# warm-up: the JIT compiles the h2 paths, at both stream counts
for p in nginx haproxy turnout; do for s in 1 100; do
  h2load -t1 -c"$CONNS" -m"$s" -D5 "http://127.0.0.1:${port[$p]}/" >/dev/null
done; done

ticks() { # pids: user + system clock ticks, summed
  local sum=0 p
  for p in $1; do sum=$((sum + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'))); done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
run() { # proxy streams
  local p=$1 s=$2 c0 c1 out reqs bad p99
  rm -f "$work/reqs.log" # h2load appends to its log
  c0=$(ticks "${procs[$p]}")
  out=$(h2load -t1 -c"$CONNS" -m"$s" -D"$SECS" --log-file="$work/reqs.log" "http://127.0.0.1:${port[$p]}/")
  c1=$(ticks "${procs[$p]}")
  reqs=$(awk '/^requests:/{print $8}' <<<"$out")
  # not succeeded, plus answers that are not 2xx
  bad=$(awk '/^requests:/{n += $2 - $8} /^status codes:/{n += $5 + $7 + $9} END{print n + 0}' <<<"$out")
  p99=$(awk '{print $3}' "$work/reqs.log" | sort -n | awk '{v[NR] = $1} END{i = int(NR * 0.99); if (i < 1) i = 1; print v[i]}')
  echo "$p-m$s $(awk '/^finished in/{print $4}' <<<"$out") $p99 \
$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$reqs" 'BEGIN{printf "%.2f", d / hz * 1e6 / n}') $bad" >>"$work/runs"
}
for r in $(seq 1 "$ROUNDS"); do
  for s in 1 100; do for p in nginx haproxy turnout; do run "$p" "$s"; done; done
  echo "round $r of $ROUNDS done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "turnout RSS after the load: $(($(ps -o rss= -p "$tpid") / 1024)) MiB"

python3 - "$work/runs" "$CONNS" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, p99, cpu, bad = line.split()
    runs[name].append((float(rps), float(p99), float(cpu), int(bad)))
med = {n: [statistics.median(r[i] for r in v) for i in range(3)] + [sum(r[3] for r in v)] for n, v in runs.items()}
print(f"medians of {len(runs['nginx-m1'])} rounds; {sys.argv[2]} connections, h2load -t1")
print(f"{'target':15} {'req/s':>8} {'x nginx':>8} {'p99 ms':>7} {'cpu us':>7} {'x nginx':>8} {'bad':>4}")
for mode in ("m1", "m100"):
    ng = med[f"nginx-{mode}"]
    for p in ("nginx", "haproxy", "turnout"):
        rps, p99, cpu, bad = med[f"{p}-{mode}"]
        print(f"{p + '-' + mode:15} {rps:8.0f} {rps / ng[0]:8.2f} {p99 / 1e3:7.2f} {cpu:7.2f} {cpu / ng[2]:8.2f} {bad:4}")
PY
