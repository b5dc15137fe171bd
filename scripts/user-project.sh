#!/usr/bin/env bash
# Builds scripts/user-project, a user's project (paravm-bom, vm-api + vm-farm to compile, Hazelcast
# at runtime), against the ParaVM artifacts installed in the local repository (`mvn install`), and
# runs its farm on 3 Hazelcast member JVMs with its own class path: the README's "Use ParaVM in
# your build", checked. Exits with the job's status.
#   scripts/user-project.sh [extra mvn args...]
set -euo pipefail
cd "$(dirname "$0")/user-project"
version=$(sed -n "s:.*<version>\(.*\)</version>.*:\1:p" ../../pom.xml | head -n1)
mvn -B -ntp -q -Dparavm.version="$version" "$@" package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cp="target/classes:$(cat target/classpath.txt)"
out=$(mktemp)
set +e
timeout --kill-after=10 300 java -cp "$cp" io.paravm.transport.hazelcast.HazelcastLauncher -np 3 -cp "$cp" \
    com.example.Squares 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
grep -q "squares: 1000 results, 0 wrong" "$out" || { echo "user-project: the farm's results were not printed" >&2; status=1; }
rm -f "$out"
echo "user-project: built against the installed ParaVM $version and ran on Hazelcast: status $status"
exit "$status"
