#!/usr/bin/env bash
# What a freshly started Turnout spends besides its IO threads while real load begins: the JIT
# compilers', the collector's and its other threads' CPU per request, window by window from the first
# request, so the warm-up's share of the compiling (docs/benchmarks.md, "The compiler after the
# warm-up") can be judged.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/jit.sh [WINDOWS] [SECONDS]    WINDOWS of wrk load (default 6) of SECONDS each (5)
# Env: CONNS (wrk connections, default 64), LAUNCHER (default web/target/turnout/bin/turnout; another
#   build's launcher for an A/B run), MODE (proxy, the default: `turnout proxy`; plain: the whole
#   process, as peers.sh runs it), JAVA_OPTS (more flags, e.g. -XX:+UnlockDiagnosticVMOptions
#   -XX:+LogCompilation -XX:LogFile=comp.xml to see what is compiled and thrown out, and why).
#
# The proxy routes /svc to one nginx backend (proxy-setup.sh) and is started by the launcher, so its
# warm-up runs as a user's does. Load starts the moment it answers; each window prints req/s and the
# CPU a request of the IO threads, the compilers (C1, C2), the collector and the rest, from the
# threads' ticks in /proc. A warm-up that left nothing to compile would show the compilers near their
# later windows' figure from the first.
set -euo pipefail
WINDOWS=${1:-6}
SECS=${2:-5}
NEEDS=(curl)
# shellcheck source=engine/bench/proxy-setup.sh
source "$(dirname "$0")/proxy-setup.sh"
LAUNCHER=${LAUNCHER:-web/target/turnout/bin/turnout}
[[ -x $LAUNCHER ]] || {
  echo "no launcher at $LAUNCHER: build it first (mvn -q -DskipTests package)"
  exit 2
}
case ${MODE:-proxy} in
  proxy) mode=(proxy) ;;
  plain) mode=(--data "$tmp/data") ;;
  *) echo "MODE is plain or proxy"; exit 2 ;;
esac

nginx -c "$tmp/nginx.conf"
"$LAUNCHER" "${mode[@]}" --config "$tmp/turnout.yaml" >"$tmp/turnout.log" 2>&1 &
tpid=$!
URL=http://127.0.0.1:$TP/
up=
for _ in $(seq 1 240); do
  curl -fsS -o /dev/null "$URL" 2>/dev/null && { up=1; break; }
  kill -0 "$tpid" 2>/dev/null || break
  sleep 0.25
done
[[ -n $up ]] || { echo "Turnout did not answer at $URL:"; tail -20 "$tmp/turnout.log"; exit 1; }
grep -h "warm-up done" "$tmp/turnout.log" || true

# CPU ticks (user + system) of the JVM's threads in four groups: IO, JIT, GC, other
groups() {
  local io=0 jit=0 gc=0 other=0 t name ticks
  for t in /proc/"$tpid"/task/*; do
    name=$(cat "$t/comm" 2>/dev/null) || continue
    # the thread's name may hold spaces: its fields are counted from the closing parenthesis
    ticks=$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}') || continue
    case $name in
      turnout-proxy*) io=$((io + ticks)) ;;
      C1\ * | C2\ *) jit=$((jit + ticks)) ;;
      GC\ *) gc=$((gc + ticks)) ;;
      *) other=$((other + ticks)) ;;
    esac
  done
  echo "$io $jit $gc $other"
}
HZ=$(getconf CLK_TCK)
for w in $(seq 1 "$WINDOWS"); do
  read -r io0 jit0 gc0 other0 < <(groups)
  n=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "$URL" | awk '/requests in/{print $1}')
  [[ ${n:-0} -gt 0 ]] || { echo "window $w: no request answered"; tail -20 "$tmp/turnout.log"; exit 1; }
  read -r io1 jit1 gc1 other1 < <(groups)
  awk -v w="$w" -v n="$n" -v s="$SECS" -v hz="$HZ" -v io=$((io1 - io0)) -v jit=$((jit1 - jit0)) \
    -v gc=$((gc1 - gc0)) -v o=$((other1 - other0)) 'BEGIN{
      f = 1e6 / hz / n
      printf "window %2d: %6.0f req/s   us a request: IO threads %5.2f  JIT %4.2f  GC %4.2f  other %4.2f\n",
        w, n / s, io * f, jit * f, gc * f, o * f }'
done
