#!/usr/bin/env bash
# install-chromium.sh — Debian's chromium and chromium-driver, for the dashboard's browser tests
# (paravm-dashboard: Selenium drives /usr/bin/chromium through /usr/bin/chromedriver, offline).
# Idempotent: installs only what is missing. Chromium's version is not pinned: it moves with
# Debian's security updates, and Debian keeps the browser and its driver at the same version.
# Last line of output: the browser's version.
set -euo pipefail

SELF=$(basename "$0")
log() { printf '%s: %s\n' "$SELF" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$SELF" "$*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo -E" || SUDO=
fi

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

PKGS=(chromium chromium-driver)
missing=()
for p in "${PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ] || die "need root (or sudo) to install: ${missing[*]}"
    log "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q >/dev/null || log "warning: apt-get update failed, trying install anyway"
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null
else
    log "Debian packages already installed: ${PKGS[*]}"
fi
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || die "/usr/bin/chromium or /usr/bin/chromedriver is missing after the install"
/usr/bin/chromium --version 2>/dev/null || echo "chromium (version unknown)"
