#!/usr/bin/env bash
# What one proxied request costs Turnout: system calls, user and system CPU, bytes allocated.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/cost.sh [MODE] [SECONDS]    MODE: plain (java -jar turnout.jar, the default) or
#                                                 proxy (java -jar turnout.jar proxy); 10 s of load
# Env: CONNS (wrk connections under load, default 64), JAVA (java binary), JVM_OPTS (JVM flags), JAR.
#
# Against one nginx backend answering 200 with a small body, after 5 s of warm-up load:
#   syscalls   strace -c -f on the whole JVM while wrk drives one keep-alive connection for 3 s: every
#              call the process made, divided by the requests served (strace slows the process, not
#              the count)
#   CPU        user and system ticks of the JVM from /proc/PID/stat across SECONDS of wrk -c$CONNS load,
#              per request
#   allocated  JFR's per-thread allocation counters (jdk.ThreadAllocationStatistics) at the start and
#              the end of a second SECONDS of the same load, summed over every thread, per request. A
#              window of its own: JFR's start costs CPU for a while (a first recording, thrown away,
#              and 3 s of load go before it), which would count in the CPU figures
# Needs nginx, wrk and strace (installed with apt-get when missing and run as root).
set -euo pipefail
MODE=${1:-plain}
SECS=${2:-10}
NEEDS=(strace)
# shellcheck source=engine/bench/proxy-setup.sh
source "$(dirname "$0")/proxy-setup.sh"
BIN=$(dirname "$(readlink -f "$(command -v "$JAVA")")")
cat >"$tmp/alloc.jfc" <<CONF
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
CONF
nginx -c "$tmp/nginx.conf"
case $MODE in
  plain) args=(--config "$tmp/turnout.yaml" --data "$tmp/data") ;;
  proxy) args=(proxy --config "$tmp/turnout.yaml") ;;
  *) echo "MODE is plain or proxy"; exit 2 ;;
esac
# shellcheck disable=SC2086 # word splitting of the flag lists is wanted
"$JAVA" ${JVM_OPTS:-} -jar "$JAR" "${args[@]}" >"$tmp/turnout.log" 2>&1 &
tpid=$!
URL=http://127.0.0.1:$TP/
for _ in $(seq 1 120); do curl -fsS -o /dev/null "$URL" 2>/dev/null && break; sleep 0.5; done
wrk -t1 -c"$CONNS" -d5s "$URL" >/dev/null

strace -c -f -q -o "$tmp/strace" -p "$tpid" &
spid=$!
sleep 1
n1=$(wrk -t1 -c1 -d3s "$URL" | awk '/requests in/{print $1}')
kill -INT "$spid"; wait "$spid" 2>/dev/null || true

ticks() { sed 's/^.*) //' "/proc/$tpid/stat" | awk '{print $12, $13}'; }
wrk -t1 -c"$CONNS" -d3s "$URL" >/dev/null
read -r u0 s0 < <(ticks)
out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "$URL")
read -r u1 s1 < <(ticks)
n2=$(awk '/requests in/{print $1}' <<<"$out")
# Allocation in a window of its own: starting JFR costs CPU of its own for a while.
"$BIN/jcmd" "$tpid" JFR.start name=alloc settings="$tmp/alloc.jfc" >/dev/null
wrk -t1 -c"$CONNS" -d3s "$URL" >/dev/null
"$BIN/jcmd" "$tpid" JFR.stop name=alloc filename="$tmp/alloc.jfr" >/dev/null
"$BIN/jcmd" "$tpid" JFR.start name=alloc settings="$tmp/alloc.jfc" >/dev/null
n3=$(wrk -t1 -c"$CONNS" -d"${SECS}s" "$URL" | awk '/requests in/{print $1}')
"$BIN/jcmd" "$tpid" JFR.stop name=alloc filename="$tmp/alloc.jfr" >/dev/null
"$BIN/jfr" print --json --events jdk.ThreadAllocationStatistics "$tmp/alloc.jfr" >"$tmp/alloc.json"

python3 - "$tmp/strace" "$n1" "$u0" "$s0" "$u1" "$s1" "$n2" "$(getconf CLK_TCK)" "$tmp/alloc.json" "$out" "$n3" <<'PY'
import sys, json, re
strace, n1, u0, s0, u1, s1, n2, hz, alloc, out, n3 = sys.argv[1:]
n1, n2, n3, hz = int(n1), int(n2), int(n3), int(hz)
calls = {}
for line in open(strace):
    f = line.split()
    if len(f) >= 5 and f[-1] not in ("syscall", "total") and re.match(r"^[\d.]+$", f[0]):
        calls[f[-1]] = int(f[3])
total = sum(calls.values())
top = ", ".join(f"{k} {v / n1:.2f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1])[:6])
print(f"one keep-alive connection: {n1} requests, {total / n1:.2f} syscalls per request ({top})")
first, last = {}, {}
for e in json.load(open(alloc))["recording"]["events"]:
    v = e["values"]
    key = (v["thread"]["javaThreadId"], v["thread"]["javaName"])
    first.setdefault(key, v["allocated"]); last[key] = v["allocated"]
per = sorted(((last[k] - first[k], k[1]) for k in last), reverse=True)
allocated = sum(b for b, _ in per)
rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"under load: {n2} requests, {rps} req/s, non-2xx {bad.group(1) if bad else 0}")
print(f"user CPU per request   {(int(u1) - int(u0)) / hz * 1e6 / n2:8.2f} us")
print(f"system CPU per request {(int(s1) - int(s0)) / hz * 1e6 / n2:8.2f} us")
print(f"allocated per request  {allocated / n3:8.0f} bytes (" + ", ".join(f"{name} {b / n3:.0f}" for b, name in per[:4]) + f"; a second window of {n3} requests)")
PY
