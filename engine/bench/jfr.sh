#!/usr/bin/env bash
# What stops or loads the IO threads of `turnout proxy` under load, from one JFR recording: bytes
# allocated per request (every thread, and the IO threads alone) and by allocation site, collections
# (count, pause p50/p99/max), safepoints (count, p99, max) and the IO threads' waits on locks and parks.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/jfr.sh [SECONDS] [TOP]    SECONDS of recorded load (default 10), TOP sites (25)
# Env: CONNS (wrk connections, default 64), LAUNCHER (default web/target/turnout/bin/turnout, so the JVM
#   runs with conf/jvm.options as a user's does), JAVA_OPTS (more flags, after jvm.options), KEEP (a
#   path: the recording is copied there).
#
# The proxy routes /svc to one nginx backend (proxy-setup.sh). After 5 s of warm-up load and a 3 s
# throwaway recording (JFR's own start-up allocates), JFR records SECONDS of `wrk -t1 -c$CONNS` with
# allocation samples (jdk.ObjectAllocationSample, weighted: each sample stands for the bytes allocated
# since the thread's last one, so sums by site estimate real bytes), per-thread allocation counters,
# GC pauses, safepoints, and monitor waits and parks over 100 us. Prints the load average too: on a
# loaded machine, pauses and waits say more about the neighbours than about Turnout.
set -euo pipefail
SECS=${1:-10}
TOP=${2:-25}
NEEDS=()
# shellcheck source=engine/bench/proxy-setup.sh
source "$(dirname "$0")/proxy-setup.sh"
LAUNCHER=${LAUNCHER:-web/target/turnout/bin/turnout}
[[ -x $LAUNCHER ]] || { echo "no launcher at $LAUNCHER: build it first (mvn -q -DskipTests package)"; exit 2; }
BIN=$(dirname "$(readlink -f "$(command -v "$JAVA")")")
cat >"$tmp/cost.jfc" <<CONF
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ObjectAllocationSample"><setting name="enabled">true</setting><setting name="throttle">1000/s</setting><setting name="stackTrace">true</setting></event>
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
  <event name="jdk.GarbageCollection"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
  <event name="jdk.SafepointBegin"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
  <event name="jdk.SafepointEnd"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
  <event name="jdk.JavaMonitorEnter"><setting name="enabled">true</setting><setting name="threshold">100 us</setting><setting name="stackTrace">true</setting></event>
  <event name="jdk.ThreadPark"><setting name="enabled">true</setting><setting name="threshold">100 us</setting><setting name="stackTrace">true</setting></event>
</configuration>
CONF
nginx -c "$tmp/nginx.conf"
JAVA_HOME=${JAVA_HOME:-$(dirname "$BIN")} "$LAUNCHER" proxy --config "$tmp/turnout.yaml" >"$tmp/turnout.log" 2>&1 &
tpid=$!
URL=http://127.0.0.1:$TP/
for _ in $(seq 1 120); do curl -fsS -o /dev/null "$URL" 2>/dev/null && break; sleep 0.5; done
wrk -t1 -c"$CONNS" -d5s "$URL" >/dev/null
"$BIN/jcmd" "$tpid" JFR.start name=cost settings="$tmp/cost.jfc" >/dev/null
wrk -t1 -c"$CONNS" -d3s "$URL" >/dev/null
"$BIN/jcmd" "$tpid" JFR.stop name=cost >/dev/null
"$BIN/jcmd" "$tpid" JFR.start name=cost settings="$tmp/cost.jfc" >/dev/null
out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$URL")
"$BIN/jcmd" "$tpid" JFR.stop name=cost filename="$tmp/cost.jfr" >/dev/null
[[ -n ${KEEP:-} ]] && cp "$tmp/cost.jfr" "$KEEP"
"$BIN/jfr" print --json --stack-depth 24 --events \
  jdk.ObjectAllocationSample,jdk.ThreadAllocationStatistics,jdk.GarbageCollection,jdk.SafepointBegin,jdk.SafepointEnd,jdk.JavaMonitorEnter,jdk.ThreadPark \
  "$tmp/cost.jfr" >"$tmp/cost.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(grep -E 'Requests/sec|99%|Non-2xx' <<<"$out" | tr -s ' ' | tr '\n' ';')"
python3 - "$tmp/cost.json" "$out" "$TOP" <<'PY'
import sys, json, re, collections
data, out, top = json.load(open(sys.argv[1]))["recording"]["events"], sys.argv[2], int(sys.argv[3])
n = int(re.search(r"(\d+) requests in", out).group(1))
io = lambda t: t is not None and "I/O" in (t.get("javaName") or "")
def dur(s):  # JFR JSON durations: PT0.000123S
    m = re.match(r"PT(?:(\d+)M)?([\d.]+)S", s)
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p / 100))] if xs else 0.0
by = collections.defaultdict(list)
for e in data: by[e["type"]].append(e["values"])
first, last, names = {}, {}, {}
for v in by["jdk.ThreadAllocationStatistics"]:
    k = v["thread"]["javaThreadId"]; names[k] = v["thread"]["javaName"]
    first.setdefault(k, v["allocated"]); last[k] = v["allocated"]
total = sum(last[k] - first[k] for k in last)
on_io = sum(last[k] - first[k] for k in last if "I/O" in (names[k] or ""))
print(f"{n} requests; allocated per request: {total / n:.0f} bytes, on the IO threads {on_io / n:.0f}")
def tname(f): return f["method"]["type"]["name"].replace("/", ".")
def frame(f):
    m = f["method"]; return f'{tname(f).split(".")[-1]}.{m["name"]}:{f["lineNumber"]}'
ours = ("dev.turnout", "io.undertow", "org.xnio")
sites, callers, sampled = collections.Counter(), collections.Counter(), 0
for v in by["jdk.ObjectAllocationSample"]:
    if not io(v.get("eventThread")): continue
    w = v["weight"]; sampled += w
    frames = (v.get("stackTrace") or {}).get("frames") or []
    mine = next((f for f in frames if tname(f).startswith("dev.turnout") and "$$Lambda" not in tname(f)), None)
    cls = (v.get("objectClass") or {}).get("name", "?")
    where = frame(frames[0]) if frames else "?"
    sites[(cls, where, frame(mine) if mine and mine is not frames[0] else "")] += w
    callers[frame(mine) if mine else "(no Turnout frame: Undertow's own)"] += w
print(f"allocation by site on the IO threads (samples weighted; {sampled / n:.0f} bytes per request sampled):")
for (cls, where, mine), w in sites.most_common(top):
    print(f"  {w / n:7.0f} B/req  {cls:<40} {where}" + (f"  <- {mine}" if mine else ""))
print("allocation on the IO threads by the innermost Turnout frame:")
for where, w in callers.most_common(15):
    print(f"  {w / n:7.0f} B/req  {where}")
gcs = [dur(v["sumOfPauses"]) for v in by["jdk.GarbageCollection"]]
longest = [dur(v["longestPause"]) for v in by["jdk.GarbageCollection"]]
kinds = collections.Counter(v["name"] for v in by["jdk.GarbageCollection"])
print(f"collections: {len(gcs)} ({dict(kinds)}), pauses p50 {pct(longest, 50):.2f} ms,"
      f" p99 {pct(longest, 99):.2f} ms, max {max(longest, default=0):.2f} ms, sum {sum(gcs):.1f} ms")
begins = {v["safepointId"]: v["startTime"] for v in by["jdk.SafepointBegin"]}
sp = [dur(v["duration"]) for v in by["jdk.SafepointBegin"]]
print(f"safepoints: {len(sp)}, p50 {pct(sp, 50):.3f} ms, p99 {pct(sp, 99):.3f} ms, max {max(sp, default=0):.3f} ms, sum {sum(sp):.1f} ms")
for kind, key in (("jdk.JavaMonitorEnter", "monitorClass"), ("jdk.ThreadPark", "parkedClass")):
    waits = [v for v in by[kind] if io(v.get("eventThread"))]
    where = collections.Counter()
    for v in waits:
        frames = (v.get("stackTrace") or {}).get("frames") or []
        mine = next((frame(f) for f in frames if tname(f).startswith(ours)), "?")
        where[mine] += dur(v["duration"])
    print(f"{kind} on IO threads over 100 us: {len(waits)}, {sum(dur(v['duration']) for v in waits):.1f} ms"
          + "".join(f"; {w} {ms:.1f} ms" for w, ms in where.most_common(3)))
PY
