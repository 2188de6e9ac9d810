# Sourced by cost.sh, memory.sh, jfr.sh, profile.sh and jit.sh: installs what they need (nginx, wrk
# and the tools in NEEDS, through needs.sh) and lays out one nginx backend answering 200 (port BE)
# and a Turnout config routing /svc to it (proxy port TP, admin port TA) in a temporary directory $tmp,
# removed on exit with whatever the caller started there (tpid, nginx).
CONNS=${CONNS:-64}
JAVA=${JAVA:-java}
JAR=${JAR:-web/target/turnout.jar}
[[ -f $JAR ]] || { echo "no jar at $JAR: build it first (mvn -q -DskipTests package)"; exit 2; }
# shellcheck source=engine/bench/needs.sh
source "$(dirname "${BASH_SOURCE[0]}")/needs.sh"
needs nginx wrk "${NEEDS[@]}"

tmp=$(mktemp -d)
tpid=
finish() {
  [[ -n $tpid ]] && kill "$tpid" 2>/dev/null || true
  [[ -f $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$tmp"
}
trap finish EXIT
BE=$(free_port) TP=$(free_port) TA=$(free_port)
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$BE; location / { return 200 "hello from backend\n"; } } }
CONF
cat >"$tmp/turnout.yaml" <<CONF
admin: {ip: 127.0.0.1, port: $TA}
routers:
- protocol: http
  dtab: /svc => /\$/inet/127.0.0.1/$BE;
  servers: [{ip: 127.0.0.1, port: $TP}]
CONF
