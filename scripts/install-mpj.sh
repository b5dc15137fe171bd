#!/usr/bin/env bash
# install-mpj.sh — install Debian's MPJ Express (libmpj-java, 0.44), build a
# private MPJ_HOME and install the MPJ jars into the local Maven repository as
# io.paravm.thirdparty.mpj:<jar name>:<version>.
#
# Private MPJ_HOME (default $HOME/.cache/paravm/mpj-home):
#   lib/   copies (not symlinks) of every /usr/share/mpj/lib/<name>-<ver>.jar
#          as <name>.jar, plus log4j-1.2.jar, commons-cli.jar, commons-io.jar,
#          commons-codec.jar (the names the MPJ manifests' Class-Path expect)
#   conf/  copy of /etc/mpj (mpjexpress.conf is read by MPI.Init via $MPJ_HOME)
#   logs/  where MPJ writes logs when a log level is DEBUG
#
# log4j itself comes from Maven Central as log4j:log4j:1.2.17 (pre-fetched
# here; falls back to installing Debian's log4j-1.2.jar under that coordinate
# if Central is unreachable).
#
# Idempotent. Last line of output: "MPJ_HOME: <dir>".
#
# Environment:
#   PARAVM_CACHE   cache dir (default: $HOME/.cache/paravm)
#   PARAVM_FORCE=1 rebuild MPJ_HOME and reinstall the jars
set -euo pipefail

SELF=$(basename "$0")
log() { printf '%s: %s\n' "$SELF" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$SELF" "$*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
CACHE=${PARAVM_CACHE:-$HOME/.cache/paravm}
MPJ_HOME_DIR=$CACHE/mpj-home
M2_REPO=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
GROUP=io.paravm.thirdparty.mpj
GROUP_PATH=${GROUP//.//}
LOG4J_VERSION=1.2.17
SYS_LIB=/usr/share/mpj/lib
SYS_CONF=/etc/mpj
JAVA_SHARE=/usr/share/java

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo -E" || SUDO=
fi

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# ---------------------------------------------------------------- packages --
PKGS=(libmpj-java liblog4j1.2-java libcommons-cli-java libcommons-io-java libcommons-codec-java)
missing=()
for p in "${PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ] || die "need root (or sudo) to install: ${missing[*]}"
    log "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -q >/dev/null || log "warning: apt-get update failed, trying install anyway"
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
    log "Debian packages already installed: ${PKGS[*]}"
fi
command -v mvn >/dev/null 2>&1 || die "mvn not found (install maven)"

PKG_VERSION=$(dpkg-query -W -f='${Version}' libmpj-java)
MPJ_VERSION=${PKG_VERSION#*:}; MPJ_VERSION=${MPJ_VERSION%-*}; MPJ_VERSION=${MPJ_VERSION%%+*}
log "libmpj-java $PKG_VERSION (MPJ Express $MPJ_VERSION)"

# every versioned jar Debian ships in /usr/share/mpj/lib: mpj, mpi, mpjdev, ...
shopt -s nullglob
SYS_JARS=("$SYS_LIB"/*-"$MPJ_VERSION".jar)
shopt -u nullglob
[ ${#SYS_JARS[@]} -gt 0 ] || die "no $SYS_LIB/*-$MPJ_VERSION.jar found"
NAMES=()
for j in "${SYS_JARS[@]}"; do b=$(basename "$j"); NAMES+=("${b%-"$MPJ_VERSION".jar}"); done

# ------------------------------------------------------------ fast path -----
STAMP=$MPJ_HOME_DIR/.paravm-stamp
WANT_STAMP="libmpj-java=$PKG_VERSION jars=${NAMES[*]}"
all_present() {
    [ "$(cat "$STAMP" 2>/dev/null || true)" = "$WANT_STAMP" ] || return 1
    for n in "${NAMES[@]}"; do
        [ -f "$M2_REPO/$GROUP_PATH/$n/$MPJ_VERSION/$n-$MPJ_VERSION.jar" ] || return 1
        [ -f "$MPJ_HOME_DIR/lib/$n.jar" ] || return 1
    done
    [ -f "$M2_REPO/log4j/log4j/$LOG4J_VERSION/log4j-$LOG4J_VERSION.jar" ] || return 1
}
if [ "${PARAVM_FORCE:-0}" != 1 ] && all_present; then
    log "MPJ Express $MPJ_VERSION already installed (MPJ_HOME and $GROUP:*:$MPJ_VERSION in $M2_REPO)"
    echo "MPJ_HOME: $MPJ_HOME_DIR"
    exit 0
fi

# ------------------------------------------------------------- MPJ_HOME -----
# Resolve a jar in /usr/share/java (Debian symlinks -> real file)
share_jar() {
    local f
    for f in "$@"; do
        [ -e "$JAVA_SHARE/$f" ] && { readlink -f "$JAVA_SHARE/$f"; return 0; }
    done
    return 1
}
log "building private MPJ_HOME in $MPJ_HOME_DIR"
TMP_HOME=$MPJ_HOME_DIR.tmp.$$
rm -rf "$TMP_HOME"
mkdir -p "$TMP_HOME/lib" "$TMP_HOME/conf" "$TMP_HOME/logs"
for i in "${!NAMES[@]}"; do
    cp -L "${SYS_JARS[$i]}" "$TMP_HOME/lib/${NAMES[$i]}.jar"
done
# Class-Path names used by the MPJ manifests (log4j-1.2.jar, commons-*.jar);
# org.mortbay.jetty.jar (starter.jar) is only used by MPJRun's daemon mode and
# is not shipped by Debian.
cp "$(share_jar log4j-1.2.jar || die 'log4j-1.2.jar not found in /usr/share/java')" "$TMP_HOME/lib/log4j-1.2.jar"
cp "$(share_jar commons-cli.jar || die 'commons-cli.jar not found')"     "$TMP_HOME/lib/commons-cli.jar"
cp "$(share_jar commons-io.jar || die 'commons-io.jar not found')"       "$TMP_HOME/lib/commons-io.jar"
cp "$(share_jar commons-codec.jar || die 'commons-codec.jar not found')" "$TMP_HOME/lib/commons-codec.jar"
# check that every manifest Class-Path entry (except jetty) is satisfied
for j in "$TMP_HOME"/lib/*.jar; do
    cp_entries=$(unzip -p "$j" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' \
        | awk '/^Class-Path:/{f=1; sub(/^Class-Path:/,""); printf "%s", $0; next}
               f && /^ /{sub(/^ /,""); printf "%s", $0; next} {f=0}' || true)
    for e in $cp_entries; do
        [ "$e" = org.mortbay.jetty.jar ] && continue
        [ -f "$TMP_HOME/lib/$e" ] || log "warning: $(basename "$j") Class-Path entry $e missing"
    done
done
cp -rL "$SYS_CONF"/. "$TMP_HOME/conf/"
rm -rf "$MPJ_HOME_DIR"
mv "$TMP_HOME" "$MPJ_HOME_DIR"

# ------------------------------------------------------ Maven installation --
BUILD=$(mktemp -d "${TMPDIR:-/tmp}/paravm-mpj-install.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT
{
    cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.paravm.tools</groupId>
  <artifactId>mpj-installer</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-install-plugin</artifactId>
        <version>2.4</version>
        <executions>
EOF
    for n in "${NAMES[@]}"; do
        cat <<EOF
          <execution>
            <id>$n</id>
            <phase>validate</phase>
            <goals><goal>install-file</goal></goals>
            <configuration>
              <file>$MPJ_HOME_DIR/lib/$n.jar</file>
              <groupId>$GROUP</groupId>
              <artifactId>$n</artifactId>
              <version>$MPJ_VERSION</version>
              <packaging>jar</packaging>
              <generatePom>true</generatePom>
            </configuration>
          </execution>
EOF
    done
    cat <<EOF
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
EOF
} > "$BUILD/pom.xml"
REPO_OPT=(); [ -n "${MAVEN_REPO_LOCAL:-}" ] && REPO_OPT=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL")
log "installing ${#NAMES[@]} jars as $GROUP:{${NAMES[*]}}:$MPJ_VERSION"
if ! ( cd "$BUILD" && mvn -q -B -Dstyle.color=never "${REPO_OPT[@]}" validate ) >"$BUILD/mvn.log" 2>&1; then
    cat "$BUILD/mvn.log" >&2; die "mvn install-file failed"
fi

L4J=$M2_REPO/log4j/log4j/$LOG4J_VERSION/log4j-$LOG4J_VERSION.jar
if [ ! -f "$L4J" ]; then
    log "fetching log4j:log4j:$LOG4J_VERSION from Maven Central"
    if ! ( cd "$BUILD" && mvn -q -B -Dstyle.color=never "${REPO_OPT[@]}" \
             org.apache.maven.plugins:maven-dependency-plugin:3.6.1:get \
             -Dartifact="log4j:log4j:$LOG4J_VERSION" -Dtransitive=false ) >"$BUILD/mvn-log4j.log" 2>&1; then
        log "warning: could not download log4j:log4j:$LOG4J_VERSION; installing Debian's log4j-1.2.jar under that coordinate"
        ( cd "$BUILD" && mvn -q -B -Dstyle.color=never "${REPO_OPT[@]}" install:install-file \
             -Dfile="$MPJ_HOME_DIR/lib/log4j-1.2.jar" -DgroupId=log4j -DartifactId=log4j \
             -Dversion="$LOG4J_VERSION" -Dpackaging=jar -DgeneratePom=true ) >>"$BUILD/mvn-log4j.log" 2>&1 \
            || { cat "$BUILD/mvn-log4j.log" >&2; die "could not install log4j"; }
    fi
fi
for n in "${NAMES[@]}"; do
    [ -f "$M2_REPO/$GROUP_PATH/$n/$MPJ_VERSION/$n-$MPJ_VERSION.jar" ] || die "$GROUP:$n:$MPJ_VERSION missing after install"
done
echo "$WANT_STAMP" > "$STAMP"
log "installed $GROUP:*:$MPJ_VERSION and log4j:log4j:$LOG4J_VERSION"
echo "MPJ_HOME: $MPJ_HOME_DIR"
