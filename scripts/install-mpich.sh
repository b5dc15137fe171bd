#!/usr/bin/env bash
# install-mpich.sh — install Debian's MPICH (mpich, libmpich-dev: libmpich.so.12, mpirun.mpich,
# mpicc.mpich, mpichversion) beside Open MPI, for the mpi transport's tests and benchmarks.
# It leaves the alternatives as they are: ParaVM names mpirun.openmpi and mpirun.mpich itself,
# and loads libmpi.so.40 and libmpich.so.12 by soname. Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo -E" || SUDO=
fi
PKGS=(mpich libmpich-dev)
missing=()
for p in "${PKGS[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ] || { echo "install-mpich.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    echo "install-mpich.sh: installing Debian packages: ${missing[*]}" >&2
    $SUDO apt-get update -q >/dev/null || echo "install-mpich.sh: warning: apt-get update failed, trying install anyway" >&2
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
echo "mpich: $(mpichversion 2>/dev/null | sed -n 's/^MPICH Version:[[:space:]]*//p') ($(command -v mpirun.mpich))"
