#!/usr/bin/env bash
# Prints the home of a JDK 22 or later (transport-mpi's FFM code needs one; every other module
# builds on Java 17): the one named by the first argument or PARAVM_JDK22 (then no other is
# looked for), else the newest under /usr/lib/jvm. Without one, says in one line on standard
# error what it searched, and exits 1.
#   scripts/find-jdk22.sh [JDK_HOME]
set -uo pipefail
named=${1:-${PARAVM_JDK22:-}}

feature() { # the feature release of the JDK at $1, from its release file; 0 if none
  local v
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n1)
  [ -n "$v" ] && [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] && echo "$v" || echo 0
}

if [ -n "$named" ]; then
  if [ "$(feature "$named")" -ge 22 ]; then echo "$named"; exit 0; fi
  echo "ParaVM: no JDK 22+ at $named (PARAVM_JDK22 or -Dparavm.jdk22: no bin/javac, or its release file says older): transport-mpi is skipped" >&2
  exit 1
fi
best=; best_v=0
for home in /usr/lib/jvm/*/; do
  home=${home%/}
  [ -L "$home" ] && continue # Debian's aliases (default-java, java-1.17...) point at the same JDKs
  v=$(feature "$home")
  if [ "$v" -ge 22 ] && [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
done
if [ -n "$best" ]; then echo "$best"; exit 0; fi
echo "ParaVM: no JDK 22+ found (searched PARAVM_JDK22, unset, and /usr/lib/jvm/*): transport-mpi is skipped; install one (e.g. Temurin 25) or set PARAVM_JDK22 to its home" >&2
exit 1
