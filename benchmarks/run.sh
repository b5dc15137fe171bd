#!/usr/bin/env bash
# benchmarks/run.sh [--quick] [--out DIR]
#
# Builds the benchmarks, runs them on every installed backend (today: openmpi), each
# beside its raw engine in the same job, and writes into DIR (default
# benchmarks/results/<date>/): JMH's JSON (jmh-*.json), each job's own figures
# (job-*.json), report.md (median, p99, ratio to raw, MB/s) and latency.png.
#   --quick   CI smoke: short iterations, about 1-2 minutes; the numbers are rough
#   --out DIR where to write
# Exits non-zero only when a job failed or timed out (each job runs under
# `timeout --kill-after=10`), or nothing could be measured. No timing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=
out=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=--quick ;;
    --out) [ $# -ge 2 ] || { echo "run.sh: --out needs a directory" >&2; exit 2; }; out=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'; use [--quick] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-benchmarks/results/$(date +%Y-%m-%d)}

# Open MPI and its Java bindings (idempotent; about 10 s the first time, then a check).
libdir=$(bash scripts/install-openmpi-java.sh | awk '/^libmpi_java:/ {print $2}')

# Build only when a source or pom is newer than the last build.
stamp=benchmarks/target/lib
if [ ! -d "$stamp" ] || [ -n "$(find pom.xml vm-api vm-core transport-openmpi benchmarks \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$stamp" -not -path '*/target/*' -print -quit)" ]; then
  echo "bench: building (mvn -DskipTests install -pl benchmarks -am) ..."
  mvn -B -q -DskipTests install -pl benchmarks -am
  touch "$stamp"
fi

cp="$root/benchmarks/target/classes:$root/benchmarks/target/lib/*"
exec java -cp "$cp" -Dparavm.openmpi.libdir="${libdir:-/usr/lib/x86_64-linux-gnu/openmpi/lib}" \
  io.paravm.benchmarks.BenchRunner --out "$out" --classpath "$cp" $quick
