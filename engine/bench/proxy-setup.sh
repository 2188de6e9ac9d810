# Sourced by cost.sh and memory.sh: installs what they need (nginx, wrk and the tools in NEEDS) when
# missing and run as root, and lays out one nginx backend answering 200 (port BE) and a Turnout config
# routing /svc to it (proxy port TP, admin port TA) in a temporary directory $tmp, removed on exit
# with whatever the caller started there (tpid, nginx).
CONNS=${CONNS:-64}
JAVA=${JAVA:-java}
JAR=${JAR:-web/target/turnout.jar}
[[ -f $JAR ]] || { echo "no jar at $JAR: build it first (mvn -q -DskipTests package)"; exit 2; }
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
for tool in "${NEEDS[@]}"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  [[ $(id -u) == 0 ]] || { echo "install first: ${missing[*]}"; exit 2; }
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PATH=$PATH:/usr/sbin

tmp=$(mktemp -d)
tpid=
finish() {
  [[ -n $tpid ]] && kill "$tpid" 2>/dev/null || true
  [[ -f $tmp/nginx.pid ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$tmp"
}
trap finish EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BE=$(port) TP=$(port) TA=$(port)
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
