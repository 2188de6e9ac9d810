#!/usr/bin/env bash
# Turnout under several JVMs or flag sets at once, beside nginx and HAProxy, in one interleaved run.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/jvms.sh ROUNDS SECONDS 'NAME|JVM FLAGS|MODE|JAVA' ...
#     NAME   a label;  JVM FLAGS  put before -jar (may be empty);  MODE  plain (the whole process, the
#     default) or proxy (`turnout proxy`);  JAVA  the java binary (default: java on the PATH), or
#     Turnout's launcher (any executable not named java, such as web/target/turnout/bin/turnout): then
#     the variant runs as a user runs it, with conf/jvm.options, and JVM FLAGS go in JAVA_OPTS after them
#   e.g. bash engine/bench/jvms.sh 4 5 'g1||' 'parallel|-XX:+UseParallelGC -Xmx128m|' \
#          'jdk25|-XX:+UseParallelGC -Xmx128m|plain|/usr/lib/jvm/temurin-25-jdk-amd64/bin/java' \
#          'launcher|||web/target/turnout/bin/turnout'
# Env: CONNS (wrk connections, default 64), JAR, GCLOG (a directory: each JVM logs its collections there).
#
# The set-up is peers.sh's: a backend nginx of two workers answering 200, an nginx proxy (two workers,
# upstream keep-alive) and HAProxy (two threads) in front of it, and each Turnout variant on ports of
# its own routing /svc to it. All are started first, so every variant is a fresh JVM that sat through
# the same warm-up; then each round loads every target for SECONDS in turn (wrk -t1), so slow drifts of
# the machine fall on all of them alike. Printed per target: the medians of req/s, p99 and its own CPU
# per request (user + system from /proc), as ratios to nginx (throughput, CPU) and HAProxy (p99), and
# each Turnout's resident memory after the last round.
# Needs nginx, HAProxy and wrk (installed with apt-get when missing and run as root).
set -euo pipefail
(($# >= 3)) || { sed -n '2,10p' "$0"; exit 2; }
ROUNDS=$1 SECS=$2
shift 2
CONNS=${CONNS:-64}
JAR=${JAR:-web/target/turnout.jar}
[[ -f $JAR ]] || { echo "no jar at $JAR: build it first (mvn -q -DskipTests package)"; exit 2; }
# shellcheck source=engine/bench/needs.sh
source "$(dirname "$0")/needs.sh"
needs nginx haproxy wrk

work=$(mktemp -d)
jvm_pids=()
finish() {
  ((${#jvm_pids[@]})) && kill "${jvm_pids[@]}" 2>/dev/null
  for f in backend nginx haproxy; do [[ -f $work/$f.pid ]] && kill "$(cat "$work/$f.pid")" 2>/dev/null; done
  sleep 0.5
  rm -rf "$work"
}
trap finish EXIT

BE=$(free_port) NG=$(free_port) HA=$(free_port)
cat >"$work/backend.conf" <<CONF
worker_processes 2; pid $work/backend.pid; error_log $work/backend.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$BE; location / { return 200 "hello from backend\n"; } } }
CONF
cat >"$work/nginx.conf" <<CONF
worker_processes 2; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  upstream be { server 127.0.0.1:$BE; keepalive 128; }
  server { listen 127.0.0.1:$NG; location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; } }
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
  bind 127.0.0.1:$HA
  default_backend be
backend be
  http-reuse always
  server s1 127.0.0.1:$BE
CONF
nginx -c "$work/backend.conf"
nginx -c "$work/nginx.conf"
haproxy -f "$work/haproxy.cfg" -D

declare -A port procs
names=(nginx haproxy)
port[nginx]=$NG port[haproxy]=$HA
for spec in "$@"; do
  IFS='|' read -r name flags mode java <<<"$spec"
  [[ -n $name && -z ${port[$name]:-} ]] || { echo "each variant needs a name of its own: '$spec'"; exit 2; }
  tp=$(free_port) ta=$(free_port)
  mkdir -p "$work/$name"
  cat >"$work/$name/turnout.yaml" <<CONF
admin: {ip: 127.0.0.1, port: $ta}
routers:
- protocol: http
  dtab: /svc => /\$/inet/127.0.0.1/$BE;
  servers: [{ip: 127.0.0.1, port: $tp}]
CONF
  case ${mode:-plain} in
    plain) args=(--config "$work/$name/turnout.yaml" --data "$work/$name/data") ;;
    proxy) args=(proxy --config "$work/$name/turnout.yaml") ;;
    *) echo "MODE is plain or proxy: '$spec'"; exit 2 ;;
  esac
  log=()
  [[ -n ${GCLOG:-} ]] && mkdir -p "$GCLOG" && log=("-Xlog:gc*,gc+heap=debug:file=$GCLOG/$name.log")
  if [[ -n $java && $(basename "$java") != java ]]; then
    # the launcher execs the JVM, so $! is the JVM's pid, as for the java binary below
    JAVA_OPTS="${log[*]} $flags" "$java" "${args[@]}" >"$work/$name/out.log" 2>&1 &
  else
    # shellcheck disable=SC2086 # the flags are split into words on purpose
    "${java:-java}" "${log[@]}" $flags -jar "$JAR" "${args[@]}" >"$work/$name/out.log" 2>&1 &
  fi
  jvm_pids+=($!)
  procs[$name]=$!
  port[$name]=$tp
  names+=("$name")
done

for n in "${names[@]}"; do
  for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:${port[$n]}/" 2>/dev/null && break; sleep 0.5; done
  curl -fsS -o /dev/null "http://127.0.0.1:${port[$n]}/" || { echo "$n is not answering"; tail -20 "$work/$n/out.log" 2>/dev/null; exit 1; }
done
m=$(cat "$work/nginx.pid")
procs[nginx]="$m $(ps -o pid= --ppid "$m" | tr '\n' ' ')"
procs[haproxy]=$(cat "$work/haproxy.pid")
for n in "${names[@]}"; do wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:${port[$n]}/" >/dev/null; done

ticks() { # pids: user + system clock ticks, summed
  local sum=0 p
  for p in $1; do sum=$((sum + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}'))); done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
for r in $(seq 1 "$ROUNDS"); do
  for n in "${names[@]}"; do
    c0=$(ticks "${procs[$n]}")
    out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:${port[$n]}/")
    c1=$(ticks "${procs[$n]}")
    reqs=$(awk '/requests in/{print $1}' <<<"$out")
    bad=$(awk '/Non-2xx/{n += $NF} /Socket errors/{n += 1} END{print n + 0}' <<<"$out")
    echo "$n $(awk '/Requests\/sec/{print $2}' <<<"$out") $(awk '$1=="99%"{print $2}' <<<"$out") \
$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$reqs" 'BEGIN{printf "%.2f", d / hz * 1e6 / n}') $bad" >>"$work/runs"
  done
  echo "round $r of $ROUNDS done"
done
for n in "${names[@]:2}"; do echo "$n $(($(ps -o rss= -p "${procs[$n]}") / 1024))" >>"$work/rss"; done

python3 - "$work/runs" "$work/rss" <<'PY'
import collections, statistics, sys
def us(v):  # wrk's latency: 512.00us, 1.23ms, 2.01s
    return float(v[:-2]) if v.endswith("us") else float(v[:-2]) * 1e3 if v.endswith("ms") else float(v[:-1]) * 1e6
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, p99, cpu, bad = line.split()
    runs[name].append((float(rps), us(p99), float(cpu), int(bad)))
rss = dict(line.split() for line in open(sys.argv[2]))
med = {n: [statistics.median(r[i] for r in v) for i in range(3)] + [sum(r[3] for r in v)] for n, v in runs.items()}
ng, ha = med["nginx"], med["haproxy"]
print(f"{'target':10} {'req/s':>8} {'x nginx':>8} {'p99 ms':>7} {'x HAProxy':>9} {'cpu us':>7} {'x nginx':>8} {'RSS MiB':>8} {'bad':>4}")
for n, (rps, p99, cpu, bad) in med.items():
    print(f"{n:10} {rps:8.0f} {rps / ng[0]:8.2f} {p99 / 1e3:7.2f} {p99 / ha[1]:9.2f} {cpu:7.2f} {cpu / ng[2]:8.2f} {rss.get(n, ''):>8} {bad:4}")
PY
