#!/usr/bin/env bash
# Runs every ParaVM test: installs the engines' native parts where missing (Open MPI's
# Java bindings, MPJ Express), then `mvn verify`, which runs the unit tests and the TCK
# inside real jobs on every transport.
#   scripts/test.sh [extra mvn args...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-openmpi-java.sh >/dev/null
if [ -f transport-mpj/pom.xml ]; then
  bash scripts/install-mpj.sh >/dev/null
fi
exec mvn -B -ntp verify "$@"
