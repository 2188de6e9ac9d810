#!/usr/bin/env bash
# The collector and heap for what the launcher starts: `turnout proxy` (or the whole process) through
# bin/turnout with each candidate memory line in conf/jvm.options, compared by jvms.sh beside nginx and
# HAProxy in one interleaved run. Run it on a quiet machine: on a loaded one every ratio measures the
# neighbours.
#
# Usage (from the project's root, after `mvn -q -DskipTests package`):
#   bash engine/bench/collectors.sh [ROUNDS] [SECONDS] [MODE]     defaults 3 rounds of 5 s, proxy
# Env: HEAP (default 128m: every variant gets the same -Xmx), JDK25 (default
#   /usr/lib/jvm/temurin-25-jdk-amd64: generational ZGC runs there, as on a user's newer JDK; skipped
#   when absent), CONNS, GCLOG (as jvms.sh).
#
# The variants, each a copy of the distribution (bin/turnout copied, lib/turnout.jar linked) whose
# conf/jvm.options holds only its memory line, so the launcher reads the flags as it reads a user's:
#   parallel   -XX:+UseParallelGC -Xmx$HEAP                       (the distribution's choice today)
#   par-lean   the same with -Xmn24m (a young generation of 24 MiB, so fewer heap pages touched)
#              and -XX:TrimNativeHeapInterval=5000 (malloc's freed memory given back every 5 s; JDK
#              17.0.9 or newer): memory.sh measured 117 MiB against 157-165 (issue 29's 128 MiB goal),
#              at the price of young collections about twice as often
#   g1-10ms    -XX:+UseG1GC -XX:MaxGCPauseMillis=10 -Xmx$HEAP
#   serial     -XX:+UseSerialGC -Xmx$HEAP
#   zgc-25     -XX:+UseZGC -Xmx$HEAP on JDK 25 (generational, its only ZGC)
# jvms.sh prints per variant the medians of req/s, p99 and CPU per request against nginx and HAProxy,
# and RSS after the last round; `bash engine/bench/memory.sh proxy` with JVM_OPTS gives a breakdown.
set -euo pipefail
ROUNDS=${1:-3}
SECS=${2:-5}
MODE=${3:-proxy}
HEAP=${HEAP:-128m}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
DIST=web/target/turnout
[[ -x $DIST/bin/turnout && -f $DIST/lib/turnout.jar ]] || { echo "no distribution at $DIST: build it first (mvn -q -DskipTests package)"; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
copies=$(mktemp -d)
trap 'rm -rf "$copies"' EXIT

# variant NAME JAVA_HOME FLAGS...: a distribution copy whose launcher runs FLAGS on JAVA_HOME's JVM.
variant() {
  local name=$1 home=$2 d=$copies/$1
  shift 2
  mkdir -p "$d/bin" "$d/conf" "$d/lib"
  cp "$DIST/bin/turnout" "$d/bin/turnout.real"
  ln -s "$(readlink -f "$DIST/lib/turnout.jar")" "$d/lib/turnout.jar"
  printf '%s\n' "$@" >"$d/conf/jvm.options"
  # jvms.sh runs any executable not named java as a launcher; this one picks the variant's JDK and
  # execs the real launcher, so the pid jvms.sh holds is still the JVM's.
  printf '#!/usr/bin/env bash\nJAVA_HOME=%q exec %q "$@"\n' "$home" "$d/bin/turnout.real" >"$d/bin/turnout"
  chmod +x "$d/bin/turnout" "$d/bin/turnout.real"
  specs+=("$name||$MODE|$d/bin/turnout")
}

jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
specs=()
variant parallel "$jdk" -XX:+UseParallelGC "-Xmx$HEAP"
variant par-lean "$jdk" -XX:+UseParallelGC "-Xmx$HEAP" -Xmn24m -XX:+UnlockExperimentalVMOptions \
  -XX:TrimNativeHeapInterval=5000
variant g1-10ms "$jdk" -XX:+UseG1GC -XX:MaxGCPauseMillis=10 "-Xmx$HEAP"
variant serial "$jdk" -XX:+UseSerialGC "-Xmx$HEAP"
if [[ -x $JDK25/bin/java ]]; then
  variant zgc-25 "$JDK25" -XX:+UseZGC "-Xmx$HEAP"
else
  echo "no JDK 25 at $JDK25: zgc-25 skipped"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
bash "$here/jvms.sh" "$ROUNDS" "$SECS" "${specs[@]}"
