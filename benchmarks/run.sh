#!/usr/bin/env bash
# benchmarks/run.sh [--quick] [--out DIR] [--only BACKEND,...] [--suite messaging,efficiency,dashboard] [--rounds N] [--pairs N]
#
# Builds the benchmarks, runs them on every installed backend (openmpi; mpi on Open MPI and on
# MPICH; mpj on its multicore and niodev devices; hazelcast), each beside its raw engine in the
# same job (and mpi beside the C ping-pong of its MPI, benchmarks/c/pingpong.c), and writes
# into DIR (default benchmarks/results/<date>/): JMH's JSON (jmh-*.json), each job's own
# figures (job-*.json: spawn and task-farm throughput), report.md (median, p99, ratio to raw,
# MB/s, tasks/s, targets), latency.png and farm.png.
# A backend whose engine is not installed is skipped, and the report says so.
#   --quick   CI smoke: short iterations, about 2-3 minutes for all backends; rough numbers
#   --out DIR where to write
#   --only B  only these backends (comma-separated: openmpi, mpi-openmpi, mpi-mpich, mpj-multicore, mpj-niodev, hazelcast)
#   --suite S only these suites (comma-separated): messaging (latency, bandwidth, spawn and farm throughput),
#             efficiency (parallel efficiency on CPU-bound tasks beside an mpi4py anchor, issue 13), dashboard
#             (a farm map with the live dashboard off and on in one job, issue 15); all by default
#   --rounds N the dashboard suite's rounds (default 15; quick 5): more narrow the interval of its figure
#   --pairs N  the dashboard suite's pairs of whole jobs, on and off (default 6; quick 1): more narrow the interval
# Exits non-zero only when a job failed or timed out (each job runs under
# `timeout --kill-after=10`), or nothing could be measured. No timing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=
out=
only=()
suite=()
rounds=()
pairs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=--quick ;;
    --out) [ $# -ge 2 ] || { echo "run.sh: --out needs a directory" >&2; exit 2; }; out=$2; shift ;;
    --suite) [ $# -ge 2 ] || { echo "run.sh: --suite needs messaging, efficiency or dashboard" >&2; exit 2; }; suite=(--suite "$2"); shift ;;
    --only) [ $# -ge 2 ] || { echo "run.sh: --only needs backend names, e.g. --only openmpi,hazelcast" >&2; exit 2; }; only=(--only "$2"); shift ;;
    --rounds) [ $# -ge 2 ] || { echo "run.sh: --rounds needs a number" >&2; exit 2; }; rounds=(--rounds "$2"); shift ;;
    --pairs) [ $# -ge 2 ] || { echo "run.sh: --pairs needs a number" >&2; exit 2; }; pairs=(--pairs "$2"); shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'; use [--quick] [--out DIR] [--only BACKEND,...] [--suite messaging,efficiency,dashboard] [--rounds N] [--pairs N]" >&2; exit 2 ;;
  esac
  shift
done
out=${out:-benchmarks/results/$(date +%Y-%m-%d)}

# The engines' native parts (idempotent; seconds the first time, then a check). One that
# cannot be installed here is skipped by the runner, which says why in the report.
libdir=$( (bash scripts/install-openmpi-java.sh 2>/dev/null || echo "bench: Open MPI's Java bindings could not be installed" >&2) \
  | awk '/^libmpi_java:/ {print $2}')
bash scripts/install-mpich.sh >/dev/null 2>&1 || echo "bench: MPICH could not be installed" >&2
mpj_home=$( (bash scripts/install-mpj.sh 2>/dev/null || echo "bench: MPJ Express could not be installed" >&2) \
  | awk '/^MPJ_HOME:/ {print $2}')
# The efficiency suite's mpi4py anchor: Debian's python3-mpi4py and python3-psutil (idempotent).
bash benchmarks/anchor/install.sh || echo "bench: the mpi4py anchor's packages are missing; the report says so" >&2

# Build only when a source or pom is newer than the last build. `package`, not `install`:
# the reactor resolves the modules, and ~/.m2 is left alone. target/lib* are copied afresh
# (copy-dependencies never removes a jar, and a stale engine jar must not linger).
stamp=benchmarks/target/lib
if [ ! -d "$stamp" ] || [ -n "$(find pom.xml vm-api vm-core vm-farm paravm-dashboard transport-openmpi transport-mpi transport-mpj transport-hazelcast benchmarks \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$stamp" -not -path '*/target/*' -print -quit)" ]; then
  echo "bench: building (mvn -DskipTests package -pl benchmarks -am) ..."
  rm -rf benchmarks/target/lib benchmarks/target/lib-*
  mvn -B -ntp -q -Dstyle.color=never -DskipTests package -pl benchmarks -am
  touch "$stamp"
fi

# The C ping-pong of each MPI the mpi transport runs on (benchmarks/c/pingpong.c, built with that MPI's own
# mpicc): the physical limit the report sets beside the mpi-<MPI> backend, measured in this same run.
mkdir -p "$out" benchmarks/target
c_iterations=20000; [ -n "$quick" ] && c_iterations=2000
for mpi in openmpi mpich; do
  if [ ${#only[@]} -gt 0 ] && [[ ",${only[1]}," != *",mpi-$mpi,"* ]]; then continue; fi
  if ! command -v "mpicc.$mpi" >/dev/null 2>&1 || ! command -v "mpirun.$mpi" >/dev/null 2>&1; then
    echo "bench: no mpicc.$mpi or mpirun.$mpi here: the C ping-pong on $mpi is not measured"; continue
  fi
  exe=benchmarks/target/c-pingpong-$mpi
  [ "$exe" -nt benchmarks/c/pingpong.c ] || "mpicc.$mpi" -O2 -o "$exe" benchmarks/c/pingpong.c
  echo "bench: C ping-pong on $mpi ..."
  if [ "$mpi" = openmpi ]; then
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated OMPI_MCA_btl_vader_single_copy_mechanism=none \
      timeout --kill-after=10 300 mpirun.openmpi --bind-to core -np 2 "$exe" "$out/c-pingpong-$mpi.json" $c_iterations \
      || echo "bench: the C ping-pong on $mpi failed" >&2
  else
    timeout --kill-after=10 300 mpirun.mpich -bind-to core -np 2 "$exe" "$out/c-pingpong-$mpi.json" $c_iterations \
      || echo "bench: the C ping-pong on $mpi failed" >&2
  fi
done

# The runner's own class path holds no engine; each backend's jobs run on target/lib-<transport>/.
exec java -cp "$root/benchmarks/target/classes:$root/benchmarks/target/lib/*" \
  ${libdir:+-Dparavm.openmpi.libdir="$libdir"} ${mpj_home:+-Dparavm.mpj.home="$mpj_home"} \
  io.paravm.benchmarks.BenchRunner --out "$out" --target "$root/benchmarks/target" $quick "${only[@]}" "${suite[@]}" "${rounds[@]}" "${pairs[@]}"
