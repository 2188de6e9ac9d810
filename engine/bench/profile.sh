#!/usr/bin/env bash
# Where `turnout proxy`'s CPU goes under load, by async-profiler: user against kernel time, by part of
# the code, and the hottest frames.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`, which also fetches the profiler):
#   bash engine/bench/profile.sh [SECONDS] [TOP]    SECONDS of profiled load (default 10), TOP frames (30)
# Env: CONNS (wrk connections, default 64), LAUNCHER (default web/target/turnout/bin/turnout, so the JVM
#   runs with conf/jvm.options as a user's does), JAVA_OPTS (more flags), INTERVAL (CPU time between
#   samples, default 1ms: finer intervals cost the process throughput), KEEP (a directory: the collapsed
#   stacks and a flame graph, profile.html, are copied there).
#
# The proxy routes /svc to one nginx backend (proxy-setup.sh). After 8 s of warm-up load, the profiler
# (async-profiler's jar from Maven Central, `tools.profiler:async-profiler`, at the version the parent
# pom pins) is loaded into the running JVM with jcmd and samples every thread's CPU (perf events where
# the kernel allows them, else timers), kernel frames included, while wrk loads the proxy for SECONDS.
# Each sample's own (leaf) frame tells user from kernel time; a sample is charged to the part of the code
# that its innermost Turnout, Undertow, XNIO, JDK NIO or HdrHistogram frame belongs to, and the JVM's own
# threads (JIT compilers, collectors) to "jvm". Loading the agent costs a burst of recompilation: the
# first seconds after it are part of the figures, so keep SECONDS at 10 or more.
set -euo pipefail
SECS=${1:-10}
TOP=${2:-30}
NEEDS=()
# shellcheck source=engine/bench/proxy-setup.sh
source "$(dirname "$0")/proxy-setup.sh"
LAUNCHER=${LAUNCHER:-web/target/turnout/bin/turnout}
[[ -x $LAUNCHER ]] || { echo "no launcher at $LAUNCHER: build it first (mvn -q -DskipTests package)"; exit 2; }
version=$(sed -n 's:.*<async-profiler.version>\(.*\)</async-profiler.version>.*:\1:p' pom.xml)
jar=${M2:-$HOME/.m2/repository}/tools/profiler/async-profiler/$version/async-profiler-$version.jar
[[ -f $jar ]] || mvn -q dependency:get -Dartifact="tools.profiler:async-profiler:$version" >/dev/null
[[ -f $jar ]] || { echo "no async-profiler jar at $jar"; exit 2; }
case $(uname -m) in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) echo "no profiler for $(uname -m)"; exit 2 ;; esac
(cd "$tmp" && unzip -q -o "$jar" "$arch/libasyncProfiler.so")
lib=$tmp/$arch/libasyncProfiler.so
BIN=$(dirname "$(readlink -f "$(command -v "$JAVA")")")

nginx -c "$tmp/nginx.conf"
JAVA_HOME=${JAVA_HOME:-$(dirname "$BIN")} "$LAUNCHER" proxy --config "$tmp/turnout.yaml" >"$tmp/turnout.log" 2>&1 &
tpid=$!
URL=http://127.0.0.1:$TP/
for _ in $(seq 1 120); do curl -fsS -o /dev/null "$URL" 2>/dev/null && break; sleep 0.5; done
wrk -t1 -c"$CONNS" -d8s "$URL" >/dev/null
# jcmd reads name=value words as its own arguments: the profiler's options go as one quoted string
"$BIN/jcmd" "$tpid" "JVMTI.agent_load $lib \"start,event=cpu,interval=${INTERVAL:-1ms}\"" >/dev/null
out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$URL")
"$BIN/jcmd" "$tpid" "JVMTI.agent_load $lib \"dump,file=$tmp/profile.collapsed,collapsed\"" >/dev/null
if [[ -n ${KEEP:-} ]]; then
  mkdir -p "$KEEP"
  cp "$tmp/profile.collapsed" "$KEEP/"
  "$BIN/jcmd" "$tpid" "JVMTI.agent_load $lib \"stop,file=$(readlink -f "$KEEP")/profile.html\"" >/dev/null
else
  "$BIN/jcmd" "$tpid" "JVMTI.agent_load $lib stop" >/dev/null
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(grep -E 'Requests/sec|99%|Non-2xx' <<<"$out" | tr -s ' ' | tr '\n' ';')"
python3 - "$tmp/profile.collapsed" "$TOP" <<'PY'
import sys, collections
path, top = sys.argv[1], int(sys.argv[2])
parts = [("metrics", "dev/turnout/metrics/"), ("host check", "io/undertow/server/handlers/HostHeaderHandler"),
         ("upstream", "dev/turnout/proxy/upstream/"), ("routing", "dev/turnout/routing/"),
         ("proxy", "dev/turnout/proxy/"), ("turnout", "dev/turnout/"), ("undertow", "io/undertow/"),
         ("xnio", "org/xnio/"), ("jdk nio", "sun/nio/"), ("hdrhistogram", "org/HdrHistogram/")]
total, user, kern = 0, collections.Counter(), collections.Counter()
leaf_user, leaf_kern = collections.Counter(), collections.Counter()
for line in open(path):
    stack, n = line.rstrip().rsplit(" ", 1)
    n = int(n); total += n
    frames = stack.split(";")
    in_kernel = frames[-1].endswith("_[k]")
    part = "other"
    if frames[0] in ("start_thread", "thread_native_entry"):
        part = "jvm"
    else:
        for f in reversed(frames):
            hit = [name for name, prefix in parts if f.startswith(prefix)]
            if hit:
                part = hit[0]; break
    (kern if in_kernel else user)[part] += n
    (leaf_kern if in_kernel else leaf_user)[frames[-1]] += n
if not total:
    sys.exit("no samples")
pc = lambda v: 100.0 * v / total
print(f"{total} samples: user {pc(sum(user.values())):.1f}%, kernel {pc(sum(kern.values())):.1f}%")
print(f"{'part (innermost frame of it)':<30} {'user %':>7} {'kernel %':>9}")
for p in sorted(set(user) | set(kern), key=lambda p: -(user[p] + kern[p])):
    print(f"{p:<30} {pc(user[p]):7.2f} {pc(kern[p]):9.2f}")
print(f"hottest user frames (own time, % of all samples)")
for f, v in leaf_user.most_common(top):
    print(f"  {pc(v):5.2f} {f[:110]}")
print(f"hottest kernel frames")
for f, v in leaf_kern.most_common(top // 3):
    print(f"  {pc(v):5.2f} {f[:110]}")
PY
