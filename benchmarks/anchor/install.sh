#!/usr/bin/env bash
# benchmarks/anchor/install.sh: what the efficiency suite's mpi4py anchor needs, Debian's
# python3-mpi4py and python3-psutil (for /usr/bin/python3, or PARAVM_BENCH_PYTHON).
# Idempotent: a check when they are there; as root with apt-get, installs them (apt-get update
# first, as on a fresh CI machine); otherwise says what to install and exits 1, and the
# benchmark skips the anchor with that reason.
set -euo pipefail
py=${PARAVM_BENCH_PYTHON:-/usr/bin/python3}
# mpi4py.rc.initialize = False: import the MPI module without MPI_Init (no mpirun here)
check() { "$py" -c 'import mpi4py; mpi4py.rc.initialize = False; from mpi4py import MPI; import psutil' 2>/dev/null; }
check && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "anchor: installing python3-mpi4py python3-psutil (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null </dev/null
  apt-get install -y -q --no-install-recommends python3-mpi4py python3-psutil >/dev/null </dev/null
  check && exit 0
fi
echo "anchor: $py cannot import mpi4py and psutil; install Debian's python3-mpi4py and python3-psutil" \
  "(apt-get install python3-mpi4py python3-psutil)" >&2
exit 1
