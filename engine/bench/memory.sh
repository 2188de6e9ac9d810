#!/usr/bin/env bash
# Where Turnout's resident memory goes after load, per process kind, from the JVM's Native Memory
# Tracking and /proc.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/memory.sh [MODE] [SECONDS]     MODE: proxy (`turnout proxy`, the default) or plain
#                                                    (the whole process); 10 s of load
# Env: CONNS (wrk connections, default 64, as peers.sh), LAUNCHER (default web/target/turnout/bin/turnout:
#   the process starts as a user starts it, with conf/jvm.options; LAUNCHER=none runs `java -jar` on JAR
#   with JAVA instead), JVM_OPTS (more JVM flags, after jvm.options), IDLE (seconds of quiet after the
#   load before RSS is read again, default 0: no second reading), GOAL (MiB, default 128: the RSS
#   a proxy-only process should stay under).
#
# One nginx backend answers 200 with a small body; wrk loads Turnout for SECONDS, then after 3 s of
# quiet the script prints the process's RSS (anonymous and file-backed), its thread count and NMT's
# summary by category (Java heap, class/metaspace, thread stacks, code cache, GC, "Other", which holds
# the direct buffers: ByteBuffer.allocateDirect is tagged Other, and the rest). NMT
# costs a little memory of its own (its "Native Memory Tracking" line); RSS is also printed for a run
# without it when NMT=0.
# Needs nginx and wrk (installed with apt-get when missing and run as root).
set -euo pipefail
MODE=${1:-proxy}
SECS=${2:-10}
NEEDS=()
# shellcheck source=engine/bench/proxy-setup.sh
source "$(dirname "$0")/proxy-setup.sh"
JCMD=$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd
nginx -c "$tmp/nginx.conf"
nmt=-XX:NativeMemoryTracking=summary
[[ ${NMT:-1} == 0 ]] && nmt=
case $MODE in
  plain) args=(--config "$tmp/turnout.yaml" --data "$tmp/data") ;;
  proxy) args=(proxy --config "$tmp/turnout.yaml") ;;
  *) echo "MODE is plain or proxy"; exit 2 ;;
esac
LAUNCHER=${LAUNCHER:-web/target/turnout/bin/turnout}
if [[ $LAUNCHER == none ]]; then
  # shellcheck disable=SC2086 # word splitting of the flag lists is wanted
  "$JAVA" $nmt ${JVM_OPTS:-} -jar "$JAR" "${args[@]}" >"$tmp/turnout.log" 2>&1 &
else
  [[ -x $LAUNCHER ]] || { echo "no launcher at $LAUNCHER: build it first (mvn -q -DskipTests package)"; exit 2; }
  # The launcher execs the JVM, so $! is the JVM's pid.
  JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$JCMD")")} JAVA_OPTS="$nmt ${JVM_OPTS:-}" \
    "$LAUNCHER" "${args[@]}" >"$tmp/turnout.log" 2>&1 &
fi
tpid=$!
for _ in $(seq 1 120); do curl -fsS -o /dev/null "http://127.0.0.1:$TP/" 2>/dev/null && break; sleep 0.5; done
rss() { awk '/^(VmRSS|RssAnon|RssFile|Threads)/{printf "%s %s ", $1, $2} END{print ""}' "/proc/$tpid/status"; }
echo "after start:  $(rss)"
wrk -t1 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$TP/" | awk '/Requests\/sec|Non-2xx|Socket errors/'
sleep 3
echo "after load:   $(rss)"
if [[ ${IDLE:-0} -gt 0 ]]; then
  sleep "$IDLE"
  echo "after ${IDLE} s idle: $(rss)"
fi
if [[ -n $nmt ]]; then
  "$JCMD" "$tpid" VM.native_memory summary | awk '
    /^Total:/ {print}
    /^-/ && /committed=/ { name=$0; sub(/^- */, "", name); sub(/ *\(reserved.*/, "", name); if (name == "Other") name = "Other (direct buffers)"
      match($0, /committed=[0-9]+KB/); printf "  %-28s %s\n", name, substr($0, RSTART + 10, RLENGTH - 10) }
    /\(thread #/ { printf "  %-28s %s\n", "  threads", $0 }'
fi
rss_kib=$(awk '/^VmRSS/{print $2}' "/proc/$tpid/status")
# Resident memory by mapping, largest first: the heap is one mapping, malloc's arenas are 64 MiB ones.
echo "largest resident mappings (KiB):"
awk '/^[0-9a-f]+-[0-9a-f]+ /{name=$6; range=$1} /^Rss:/{if ($2 > 1024) printf "  %8d %s %s\n", $2, range, name}' \
  "/proc/$tpid/smaps" | sort -rn | head -8
# What glibc's malloc keeps of memory the JVM freed (the JIT's arenas at start, above all): RSS once
# it is handed back. Not counted against the goal; it says what a trim (TrimNativeHeapInterval) saves.
if "$JCMD" "$tpid" System.trim_native_heap >/dev/null 2>&1; then
  echo "after a native heap trim: $(rss)"
fi
echo "RSS $((rss_kib / 1024)) MiB against the goal of ${GOAL:-128} MiB: $( ((rss_kib < ${GOAL:-128} * 1024)) && echo met || echo missed)"
echo "classes loaded: $("$(dirname "$JCMD")/jstat" -class "$tpid" | awk 'NR==2{print $1}')"
"$JCMD" "$tpid" GC.heap_info | sed 's/^/  /' | head -8
echo "VM flags: $("$JCMD" "$tpid" VM.flags | tr ' ' '\n' | grep -E 'UseSerial|UseParallel|UseG1|UseZ|MaxHeapSize|InitialHeapSize|FreeRatio' | tr '\n' ' ')"
