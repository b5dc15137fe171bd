#!/usr/bin/env bash
# install-openmpi-java.sh — install Debian's Open MPI and the matching Open MPI
# Java bindings (mpi.jar) into the local Maven repository as
# org.open-mpi:mpi:<upstream version>.
#
# Debian ships libmpi_java.so (in libopenmpi3) but no mpi.jar, so the Java
# sources are taken from Debian's `openmpi` source package of exactly the
# installed version and compiled with javac.
#
# Idempotent: a second run only checks packages and the installed jar.
# Last line of output: "libmpi_java: <directory containing libmpi_java.so>".
#
# Environment:
#   PARAVM_CACHE          cache dir (default: $HOME/.cache/paravm)
#   PARAVM_DEBIAN_MIRROR  Debian mirror for deb-src (default: taken from the
#                         system's apt sources, else http://deb.debian.org/debian)
#   PARAVM_FORCE=1        rebuild and reinstall the jar even if present
set -euo pipefail

SELF=$(basename "$0")
log() { printf '%s: %s\n' "$SELF" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$SELF" "$*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
CACHE=${PARAVM_CACHE:-$HOME/.cache/paravm}
WORK=$CACHE/openmpi-src
M2_REPO=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo -E" || SUDO=
fi

pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

# ---------------------------------------------------------------- packages --
PKGS=(openmpi-bin libopenmpi-dev dpkg-dev)
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
command -v javac >/dev/null 2>&1 || die "javac not found (install a JDK, e.g. openjdk-17-jdk-headless)"
command -v mvn   >/dev/null 2>&1 || die "mvn not found (install maven)"

BIN_VERSION=$(dpkg-query -W -f='${Version}' openmpi-bin)
SRC_VERSION=$(dpkg-query -W -f='${source:Version}' openmpi-bin)
UPSTREAM=${SRC_VERSION#*:}        # strip epoch
UPSTREAM=${UPSTREAM%-*}           # strip Debian revision
UPSTREAM=${UPSTREAM%%+*}          # strip +dfsg / +repack style suffixes
log "openmpi-bin $BIN_VERSION (source openmpi $SRC_VERSION, upstream $UPSTREAM)"

# ------------------------------------------------------------ libmpi_java --
# prefer the unversioned libmpi_java.so (what System.loadLibrary("mpi_java")
# looks for); Debian has it in both /usr/lib/<triplet> and .../openmpi/lib
OMPI_FILES=$(dpkg-query -L libopenmpi-dev libopenmpi3 openmpi-bin 2>/dev/null || true)
LIBJAVA=$(printf '%s\n' "$OMPI_FILES" | grep -E '/libmpi_java\.so$' | sort | head -n1 || true)
[ -n "$LIBJAVA" ] || LIBJAVA=$(printf '%s\n' "$OMPI_FILES" | grep -E '/libmpi_java\.so(\.[0-9]+)*$' | sort | head -n1 || true)
[ -n "$LIBJAVA" ] || LIBJAVA=$(find /usr/lib /usr/local/lib -name 'libmpi_java.so*' 2>/dev/null | sort | head -n1 || true)
[ -n "$LIBJAVA" ] || die "libmpi_java.so not found (Open MPI built without Java bindings?)"
LIBDIR=$(dirname "$LIBJAVA")
[ -e "$LIBDIR/libmpi_java.so" ] || log "warning: $LIBDIR has no unversioned libmpi_java.so (only $(basename "$LIBJAVA")); System.loadLibrary(\"mpi_java\") needs it"

# ------------------------------------------------------------------ mpi.jar --
JAR_DEST=$M2_REPO/org/open-mpi/mpi/$UPSTREAM/mpi-$UPSTREAM.jar
STAMP=$JAR_DEST.debian-source-version
if [ -f "$JAR_DEST" ] && [ "${PARAVM_FORCE:-0}" != 1 ] \
   && [ "$(cat "$STAMP" 2>/dev/null || true)" = "$SRC_VERSION" ]; then
    log "org.open-mpi:mpi:$UPSTREAM already installed ($JAR_DEST)"
    echo "maven: org.open-mpi:mpi:$UPSTREAM"
    echo "mpi.jar: $JAR_DEST"
    echo "libmpi_java: $LIBDIR"
    exit 0
fi

mkdir -p "$WORK"
# only ompi/mpi/java/java (the Java bindings) is kept from the source tree
JAVA_SRC=$WORK/mpi-java-src-$SRC_VERSION
if [ ! -d "$JAVA_SRC" ]; then
    # A private apt configuration: temporary deb-src list, private lists and
    # no shared binary caches, so the system's /etc/apt and /var/lib/apt/lists
    # are left untouched.
    CODENAME=$( . /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-}" )
    CODENAME=${CODENAME:-bookworm}
    # collect mirror URIs from the system's apt sources (one-line and deb822)
    uris=$( { grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                | sed -E 's/\[[^]]*\]//' | awk '{print $2}';
              grep -hsiE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources \
                | sed -E 's/^[[:space:]]*URIs:[[:space:]]*//I' | tr ' ' '\n'; } | sed 's#/*$##' | awk 'NF' )
    MIRROR=${PARAVM_DEBIAN_MIRROR:-$(printf '%s\n' "$uris" | grep -E '/debian$' | head -n1 || true)}
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
    SECURITY=$(printf '%s\n' "$uris" | grep -E '/debian-security$' | head -n1 || true)
    KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
    OPT=""; [ -r "$KEYRING" ] && OPT="[signed-by=$KEYRING] "

    APTDIR=$WORK/apt
    mkdir -p "$APTDIR/lists/partial"
    LIST=$(mktemp "${TMPDIR:-/tmp}/paravm-debsrc.XXXXXX.list")
    trap 'rm -f "$LIST"' EXIT
    {
        echo "deb-src ${OPT}$MIRROR $CODENAME main"
        echo "deb-src ${OPT}$MIRROR $CODENAME-updates main"
        [ -n "$SECURITY" ] && echo "deb-src ${OPT}$SECURITY $CODENAME-security main"
    } > "$LIST"
    log "using temporary source list $LIST:"
    sed "s|^|$SELF:   |" "$LIST" >&2
    APT_OPTS=(-o "Dir::Etc::sourcelist=$LIST" -o "Dir::Etc::sourceparts=-"
              -o "Dir::State::Lists=$APTDIR/lists"
              -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
              -o "APT::Get::List-Cleanup=false")
    [ "$(id -u)" -eq 0 ] && APT_OPTS+=(-o "APT::Sandbox::User=root")

    log "downloading source index"
    apt-get "${APT_OPTS[@]}" -q update >/dev/null \
        || die "apt-get update with the temporary deb-src list failed"
    DL=$WORK/dl-$SRC_VERSION
    rm -rf "$DL"; mkdir -p "$DL"
    log "fetching source package openmpi=$SRC_VERSION"
    ( cd "$DL" && apt-get "${APT_OPTS[@]}" -q --download-only source "openmpi=$SRC_VERSION" >/dev/null ) \
        || die "could not download source package openmpi=$SRC_VERSION from $MIRROR (version no longer in the archive? set PARAVM_DEBIAN_MIRROR)"
    DSC=$(ls "$DL"/openmpi_*.dsc | head -n1)
    log "unpacking $(basename "$DSC") (with Debian patches)"
    SRCTREE=$WORK/openmpi-$SRC_VERSION.tmp
    rm -rf "$SRCTREE"
    dpkg-source --no-check -x "$DSC" "$SRCTREE" >/dev/null
    [ -d "$SRCTREE/ompi/mpi/java/java" ] || die "no ompi/mpi/java/java in $DSC"
    rm -rf "$JAVA_SRC"
    mv "$SRCTREE/ompi/mpi/java/java" "$JAVA_SRC"
    # dpkg-source leaves a copy/link of the orig tarball next to the tree
    rm -rf "$DL" "$SRCTREE" "$APTDIR" "$WORK"/openmpi_*.orig.tar.*
else
    log "using cached sources $JAVA_SRC"
fi

BUILD=$WORK/build-$SRC_VERSION
rm -rf "$BUILD"; mkdir -p "$BUILD/classes"
log "compiling $(ls "$JAVA_SRC"/*.java | wc -l) Java sources from ompi/mpi/java/java"
compiled=
for rel in 8 11 17; do
    if javac -nowarn -Xlint:none --release "$rel" -encoding UTF-8 -d "$BUILD/classes" "$JAVA_SRC"/*.java \
         >"$BUILD/javac-$rel.log" 2>&1; then
        compiled=$rel; break
    fi
    rm -rf "$BUILD/classes"; mkdir -p "$BUILD/classes"
done
[ -n "$compiled" ] || { cat "$BUILD"/javac-*.log >&2; die "javac failed"; }
log "compiled with javac --release $compiled"
cat > "$BUILD/MANIFEST.MF" <<EOF
Implementation-Title: Open MPI Java bindings
Implementation-Version: $UPSTREAM
Implementation-Vendor: The Open MPI Project (built from Debian openmpi $SRC_VERSION)
EOF
JAR=$BUILD/mpi.jar
jar --create --file "$JAR" --manifest "$BUILD/MANIFEST.MF" -C "$BUILD/classes" .

log "installing org.open-mpi:mpi:$UPSTREAM into $M2_REPO"
# run outside any project dir: install-file needs no POM, and a reactor POM in
# the current directory (e.g. the ParaVM checkout) would otherwise be parsed
if ! ( cd "$BUILD" && mvn -q -B -Dstyle.color=never install:install-file -Dfile="$JAR" -DgroupId=org.open-mpi -DartifactId=mpi \
    -Dversion="$UPSTREAM" -Dpackaging=jar -DgeneratePom=true \
    ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local="$MAVEN_REPO_LOCAL"} ) >"$BUILD/mvn.log" 2>&1; then
    cat "$BUILD/mvn.log" >&2; die "mvn install:install-file failed"
fi
[ -f "$JAR_DEST" ] || die "install-file did not produce $JAR_DEST"
echo "$SRC_VERSION" > "$STAMP"
log "installed org.open-mpi:mpi:$UPSTREAM"
echo "maven: org.open-mpi:mpi:$UPSTREAM"
echo "mpi.jar: $JAR_DEST"
echo "libmpi_java: $LIBDIR"
