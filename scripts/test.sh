#!/usr/bin/env bash
# Runs every ParaVM test: installs the engines' native parts where missing (Open MPI's
# Java bindings, MPICH, MPJ Express), then `mvn install -Preliability`, which runs the unit tests,
# the TCK inside real jobs on every transport, the launcher's and demos' tests, and the slow
# reliability suite (floods, failing tasks, large payloads, killed processes;
# docs/reliability.md), and installs the artifacts; then a user's own project built against
# them (scripts/user-project.sh); then the benchmarks' quick mode as a smoke test
# (PARAVM_SKIP_BENCH=1 skips it).
# transport-mpi needs a JDK 22+ (scripts/find-jdk22.sh finds one, or PARAVM_JDK22 names it);
# without one it is skipped with one line, unless PARAVM_JDK22_REQUIRED=1 (CI) makes that a failure.
#   scripts/test.sh [extra mvn args...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-openmpi-java.sh >/dev/null
bash scripts/install-mpich.sh >/dev/null   # the mpi transport runs its tests on Open MPI and on MPICH
if [ -f transport-mpj/pom.xml ]; then
  bash scripts/install-mpj.sh >/dev/null
fi
# the dashboard's browser tests: Debian's chromium and chromium-driver
bash scripts/install-chromium.sh >/dev/null
mvn -B -ntp install -Preliability "$@"

# A user's project (README, "Use ParaVM in your build"), built against what was just installed.
bash scripts/user-project.sh

# The benchmarks' quick mode, once, to prove they still run (no timing is asserted).
if [ -x benchmarks/run.sh ] && [ "${PARAVM_SKIP_BENCH:-0}" != 1 ]; then
  benchmarks/run.sh --quick --out benchmarks/target/bench-smoke
fi
