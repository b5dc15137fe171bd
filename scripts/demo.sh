#!/usr/bin/env bash
# Runs PyOPUS's "spawn + collect results" demo over Open MPI with 3 ranks, through ./paravm.
# On a fresh machine it installs Open MPI and its Java bindings first; ./paravm builds.
#   scripts/demo.sh [NP] [DEMO ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."
np="${1:-3}"; shift || true
bash scripts/install-openmpi-java.sh >/dev/null
exec ./paravm demo spawn --transport openmpi -np "$np" "$@"
