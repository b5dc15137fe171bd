#!/usr/bin/env bash
# Runs PyOPUS's "config + spawn + collect results" demo over Open MPI with 3 ranks.
# On a fresh machine it installs Open MPI and its Java bindings first, then builds.
#   scripts/demo.sh [NP] [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
np="${1:-3}"; shift || true

libdir=$(bash scripts/install-openmpi-java.sh | awk '/^libmpi_java:/ {print $2}')
if [ ! -d examples/target/lib-openmpi ] || [ -n "$(find vm-api vm-core transport-openmpi examples -name '*.java' -newer examples/target/lib-openmpi -print -quit)" ]; then
  echo "demo: building ParaVM (mvn -DskipTests install) ..."
  mvn -B -q -DskipTests install
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated \
       OMPI_MCA_btl_vader_single_copy_mechanism=none
exec mpirun --oversubscribe -np "$np" \
  java -cp "examples/target/classes:examples/target/lib-openmpi/*" -Djava.library.path="$libdir" \
  io.paravm.examples.SpawnDemo "$@"
