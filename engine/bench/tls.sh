#!/usr/bin/env bash
# The peer benchmark (jvms.sh's method) with TLS: Turnout, nginx and HAProxy side by side, each in
# three modes in front of the same nginx backend, plus new TLS handshakes, in one interleaved run.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/tls.sh [ROUNDS] [SECONDS]        (defaults 5 and 5)
# Env: CONNS (wrk connections, default 64), HS_CONNS (connections of the handshake runs, default 16),
#   KEY (rsa, the default: RSA 2048; or ec: P-256), TURNOUT (the launcher, default
#   web/target/turnout/bin/turnout: Turnout runs as a user runs it, with conf/jvm.options; JAVA_OPTS
#   are passed on).
#
# Modes, each proxy on ports of its own, all routing to one backend nginx (two workers):
#   plain  wrk -> proxy -> backend, plaintext both sides (as jvms.sh)
#   edge   wrk over TLS -> proxy terminating TLS -> the backend's plaintext port
#   both   wrk over TLS -> proxy -> the backend's TLS port (the proxy checks the backend's certificate
#          and name; connections kept alive towards it)
#   hs     edge's ports with `Connection: close`: every request is a new connection and a full
#          handshake (wrk does not resume sessions); printed as handshakes per second and per second
#          of the proxy's own CPU (one core busy for one second)
# nginx: two workers, upstream keep-alive; HAProxy: two threads, http-reuse always; Turnout: one
# process with a router per mode. The certificates (a throwaway CA and a leaf for localhost and
# 127.0.0.1) are made here with openssl. Each round loads every target for SECONDS in turn (wrk -t1),
# so drifts of a shared machine fall on all alike; printed are medians of req/s, p99 and the proxy's
# own CPU per request (user + system from /proc), with ratios to nginx in the same mode, the
# negotiated protocol and cipher of each TLS port, whether it resumes a TLS 1.3 session, and the
# load average per round (what else ran).
# Needs nginx, HAProxy, wrk and openssl (installed with apt-get when missing and run as root).
set -euo pipefail
ROUNDS=${1:-5} SECS=${2:-5}
CONNS=${CONNS:-64} HS_CONNS=${HS_CONNS:-16} KEY=${KEY:-rsa}
TURNOUT=${TURNOUT:-web/target/turnout/bin/turnout}
[[ -x $TURNOUT ]] || { echo "no launcher at $TURNOUT: build it first (mvn -q -DskipTests package)"; exit 2; }
# shellcheck source=engine/bench/needs.sh
source "$(dirname "$0")/needs.sh"
needs nginx haproxy wrk openssl

work=$(mktemp -d)
tpid=
finish() {
  [[ -n $tpid ]] && kill "$tpid" 2>/dev/null
  for f in backend nginx haproxy; do [[ -f $work/$f.pid ]] && kill "$(cat "$work/$f.pid")" 2>/dev/null; done
  sleep 0.5
  rm -rf "$work"
}
trap finish EXIT

# ---- certificates: a CA and one leaf (localhost, 127.0.0.1) for every TLS port, the backend's too
case $KEY in
  rsa) newkey=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
  ec) newkey=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256) ;;
  *) echo "KEY is rsa or ec"; exit 2 ;;
esac
(
  cd "$work"
  openssl genpkey "${newkey[@]}" -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -subj /CN=bench-ca -days 2 -out ca.pem 2>/dev/null
  openssl genpkey "${newkey[@]}" -out leaf.key 2>/dev/null # PKCS#8, as Linkerd asks
  openssl req -new -key leaf.key -subj /CN=localhost -out leaf.csr 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >leaf.ext
  openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile leaf.ext -out leaf.pem 2>/dev/null
  cat leaf.pem leaf.key >leaf.haproxy.pem
)

BE=$(free_port) BES=$(free_port)
declare -A port
for p in nginx haproxy turnout; do for m in plain edge both; do port[$p-$m]=$(free_port); done; done
TA=$(free_port)

cat >"$work/backend.conf" <<CONF
worker_processes 2; pid $work/backend.pid; error_log $work/backend.err;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BE; location / { return 200 "hello from backend\n"; } }
  server {
    listen 127.0.0.1:$BES ssl; ssl_certificate $work/leaf.pem; ssl_certificate_key $work/leaf.key;
    location / { return 200 "hello from backend\n"; }
  }
}
CONF
cat >"$work/nginx.conf" <<CONF
worker_processes 2; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_certificate $work/leaf.pem; ssl_certificate_key $work/leaf.key;
  upstream be { server 127.0.0.1:$BE; keepalive 128; }
  upstream bes { server 127.0.0.1:$BES; keepalive 128; }
  proxy_http_version 1.1; proxy_set_header Connection "";
  server { listen 127.0.0.1:${port[nginx-plain]}; location / { proxy_pass http://be; } }
  server { listen 127.0.0.1:${port[nginx-edge]} ssl; location / { proxy_pass http://be; } }
  server {
    listen 127.0.0.1:${port[nginx-both]} ssl;
    location / {
      proxy_pass https://bes; proxy_ssl_verify on; proxy_ssl_trusted_certificate $work/ca.pem;
      proxy_ssl_name localhost; proxy_ssl_server_name on; proxy_ssl_session_reuse on;
    }
  }
}
CONF
cat >"$work/haproxy.cfg" <<CONF
global
  nbthread 2
  pidfile $work/haproxy.pid
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend plain
  bind 127.0.0.1:${port[haproxy-plain]}
  default_backend be
frontend edge
  bind 127.0.0.1:${port[haproxy-edge]} ssl crt $work/leaf.haproxy.pem
  default_backend be
frontend both
  bind 127.0.0.1:${port[haproxy-both]} ssl crt $work/leaf.haproxy.pem
  default_backend bes
backend be
  http-reuse always
  server s1 127.0.0.1:$BE
backend bes
  http-reuse always
  server s1 127.0.0.1:$BES ssl verify required ca-file $work/ca.pem verifyhost localhost sni str(localhost)
CONF
tls="tls: {certPath: $work/leaf.pem, keyPath: $work/leaf.key}"
cat >"$work/turnout.yaml" <<CONF
admin: {ip: 127.0.0.1, port: $TA}
routers:
- protocol: http
  label: plain
  dtab: /svc => /\$/inet/127.0.0.1/$BE;
  servers: [{ip: 127.0.0.1, port: ${port[turnout-plain]}}]
- protocol: http
  label: edge
  dtab: /svc => /\$/inet/127.0.0.1/$BE;
  servers: [{ip: 127.0.0.1, port: ${port[turnout-edge]}, $tls}]
- protocol: http
  label: both
  dtab: /svc => /\$/inet/127.0.0.1/$BES;
  servers: [{ip: 127.0.0.1, port: ${port[turnout-both]}, $tls}]
  client: {tls: {commonName: localhost, trustCertsBundle: $work/ca.pem}}
CONF

nginx -c "$work/backend.conf"
nginx -c "$work/nginx.conf"
haproxy -f "$work/haproxy.cfg" -D
# the launcher execs the JVM, so $! is the JVM's pid
"$TURNOUT" --config "$work/turnout.yaml" --data "$work/data" >"$work/turnout.log" 2>&1 &
tpid=$!

url() { # proxy-mode
  case $1 in *-plain) echo "http://127.0.0.1:${port[$1]}/" ;; *) echo "https://localhost:${port[$1]}/" ;; esac
}
targets=()
for m in plain edge both; do for p in nginx haproxy turnout; do targets+=("$p-$m"); done; done
for t in "${targets[@]}"; do
  for _ in $(seq 1 120); do curl -fsS --cacert "$work/ca.pem" -o /dev/null "$(url "$t")" 2>/dev/null && break; sleep 0.5; done
  curl -fsS --cacert "$work/ca.pem" -o /dev/null "$(url "$t")" || { echo "$t is not answering"; tail -20 "$work/turnout.log"; exit 1; }
done
m=$(cat "$work/nginx.pid")
declare -A procs=([nginx]="$m $(ps -o pid= --ppid "$m" | tr '\n' ' ')" [haproxy]=$(cat "$work/haproxy.pid") [turnout]=$tpid)

echo "key: $KEY; what each TLS port negotiates with OpenSSL's client, and whether a second connection resumes:"
for t in "${targets[@]}"; do
  [[ $t == *-plain ]] && continue
  hello() { # s_client args...: "New, TLSv1.3, Cipher is X" of one request over a new connection
    printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' |
      openssl s_client -connect "127.0.0.1:${port[$t]}" -servername localhost -CAfile "$work/ca.pem" -ign_eof "$@" 2>/dev/null |
      grep -Eo '^(New|Reused), TLSv[0-9.]+, Cipher is [A-Z0-9_-]+' | head -1
  }
  first=$(hello -sess_out "$work/sess")
  again=$(hello -sess_in "$work/sess")
  echo "  $t: ${first#New, }; second connection: ${again%%,*}"
done

# warm-up: the JIT compiles the TLS paths too, and the handshakes' own
for t in "${targets[@]}"; do wrk -t1 -c"$CONNS" -d5s "$(url "$t")" >/dev/null; done
for p in nginx haproxy turnout; do wrk -t1 -c"$HS_CONNS" -d5s -H 'Connection: close' "$(url "$p-edge")" >/dev/null; done

ticks() { # pids: user + system clock ticks, summed
  local sum=0 p
  for p in $1; do sum=$((sum + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'))); done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
run() { # name proxy url wrk-args...
  local name=$1 proxy=$2 u=$3 c0 c1 out reqs bad
  shift 3
  c0=$(ticks "${procs[$proxy]}")
  out=$(wrk -t1 -d"${SECS}s" --latency "$@" "$u")
  c1=$(ticks "${procs[$proxy]}")
  reqs=$(awk '/requests in/{print $1}' <<<"$out")
  bad=$(awk '/Non-2xx/{n += $NF} /Socket errors/{n += 1} END{print n + 0}' <<<"$out")
  echo "$name $(awk '/Requests\/sec/{print $2}' <<<"$out") $(awk '$1=="99%"{print $2}' <<<"$out") \
$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$reqs" 'BEGIN{printf "%.2f", d / hz * 1e6 / n}') $bad" >>"$work/runs"
}
for r in $(seq 1 "$ROUNDS"); do
  for t in "${targets[@]}"; do run "$t" "${t%-*}" "$(url "$t")" -c"$CONNS"; done
  for p in nginx haproxy turnout; do run "$p-hs" "$p" "$(url "$p-edge")" -c"$HS_CONNS" -H 'Connection: close'; done
  echo "round $r of $ROUNDS done; load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "turnout RSS after the load: $(($(ps -o rss= -p "$tpid") / 1024)) MiB"

python3 - "$work/runs" <<'PY'
import collections, statistics, sys
def us(v):  # wrk's latency: 512.00us, 1.23ms, 2.01s
    return float(v[:-2]) if v.endswith("us") else float(v[:-2]) * 1e3 if v.endswith("ms") else float(v[:-1]) * 1e6
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, p99, cpu, bad = line.split()
    runs[name].append((float(rps), us(p99), float(cpu), int(bad)))
med = {n: [statistics.median(r[i] for r in v) for i in range(3)] + [sum(r[3] for r in v)] for n, v in runs.items()}
rounds = len(runs["nginx-plain"])
print(f"medians of {rounds} rounds")
print(f"{'target':15} {'req/s':>8} {'x nginx':>8} {'p99 ms':>7} {'cpu us':>7} {'x nginx':>8} {'bad':>4}")
for mode in ("plain", "edge", "both"):
    ng = med[f"nginx-{mode}"]
    for p in ("nginx", "haproxy", "turnout"):
        rps, p99, cpu, bad = med[f"{p}-{mode}"]
        print(f"{p + '-' + mode:15} {rps:8.0f} {rps / ng[0]:8.2f} {p99 / 1e3:7.2f} {cpu:7.2f} {cpu / ng[2]:8.2f} {bad:4}")
print(f"{'new handshakes':15} {'per s':>8} {'p99 ms':>7} {'cpu us':>7} {'x nginx':>8} {'per core-s':>10} {'bad':>4}")
ng = med["nginx-hs"]
for p in ("nginx", "haproxy", "turnout"):
    rps, p99, cpu, bad = med[f"{p}-hs"]
    print(f"{p:15} {rps:8.0f} {p99 / 1e3:7.2f} {cpu:7.1f} {cpu / ng[2]:8.2f} {1e6 / cpu:10.0f} {bad:4}")
PY
