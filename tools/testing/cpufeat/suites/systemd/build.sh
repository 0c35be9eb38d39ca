#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Debian 12's systemd 252 with our patches (0*.patch here: the
# cpufeat controller and AllowedCPUFeatures=) and install what the test
# guest needs into an overlay tree, $BUILD/systemd/overlay:
#
#   systemd/build.sh [VERSION]
#
# VERSION is a Debian source version of systemd (default: the version
# apt would install); mkimage.sh passes the version of its image, so the
# patched binaries and the rest of the image come from the same release.
#
# Only PID 1 (systemd), systemctl and systemd-run are built, with their two
# private libraries, and meson is configured with every optional feature
# off.  The libraries get their own tag (libsystemd-shared-cpufeat.so,
# libsystemd-core-cpufeat.so), so they sit next to Debian's in
# /usr/lib/x86_64-linux-gnu/systemd and Debian's other programs keep
# theirs.  The paths (split-usr, rootlibdir, sulogin, ...) are those of
# debian/rules.
#
# A quick no-op when the overlay's stamp (the version, the patches and
# this script) is current.  The build log is $BUILD/systemd/build.log.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
OUT=$BUILD/systemd
SRC=$BUILD/systemd-src
OVERLAY=$OUT/overlay
LOG=$OUT/build.log
MULTIARCH=x86_64-linux-gnu

# meson's hard requirements for these targets with every option off:
# gperf, libcap, libmount, libcrypt (from libc6-dev), jinja2; and chrpath
# for the installed run paths.  "apt-get build-dep systemd" would pull in
# some 150 packages more.
PKGS=(dpkg-dev xz-utils build-essential meson ninja-build pkg-config
      gperf libcap-dev libmount-dev python3-jinja2 chrpath)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

msg() {
	echo "  SYSTEMD $*"
}

die() {
	echo "systemd/build.sh: $*" >&2
	exit 1
}

sha() {
	sha256sum | cut -d' ' -f1
}

mkdir -p "$OUT"
exec 9>"$OUT/.build.lock"
flock 9

installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

patches=("$HERE"/0*.patch)
[ -f "${patches[0]}" ] || die "no patches in $HERE"

ver=${1:-}
if [ -z "$ver" ]; then
	ver=$(apt-cache policy systemd 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		die "no systemd version in the APT lists (apt-get update?)"
fi

# The stamp: what the overlay was built from.
stamp() {
	{ echo "$ver"; cat "${patches[@]}" "$HERE/build.sh"; } | sha
}
key=$(stamp)
if [ -f "$OVERLAY/usr/lib/systemd/systemd" ] && [ -f "$OUT/stamp" ] &&
	[ "$(cat "$OUT/stamp")" = "$key" ]; then
	exit 0
fi
rm -f "$OUT/stamp"

# From here on everything is logged; on failure show the log's tail.
: >"$LOG"
fail() {
	echo "systemd/build.sh: $1 failed; last lines of $LOG:" >&2
	tail -n 40 "$LOG" >&2
	exit 1
}
run() {
	local what=$1
	shift
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 </dev/null || fail "$what"
}

# (a) Packages, and deb-src entries for "apt-get source" (as qemu/build.sh).
updated=0
apt_update() {
	[ $updated = 1 ] && return
	run "apt-get update" $SUDO apt-get update -q
	updated=1
}

missing=()
for p in "${PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	msg "installing ${missing[*]}"
	apt_update
	run "apt-get install" $SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

has_deb_src() {
	grep -Eqs '^[[:space:]]*Types:.*\bdeb-src\b' /etc/apt/sources.list.d/*.sources ||
		grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list \
			/etc/apt/sources.list.d/*.list
}
if ! has_deb_src; then
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		msg "enabling deb-src in /etc/apt/sources.list.d/debian.sources"
		$SUDO sed -i -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb deb-src/' \
			/etc/apt/sources.list.d/debian.sources
	elif grep -Eqs '^deb[[:space:]]' /etc/apt/sources.list; then
		msg "adding deb-src entries in /etc/apt/sources.list.d/cpufeat-deb-src.list"
		sed -n -E 's/^deb([[:space:]])/deb-src\1/p' /etc/apt/sources.list |
			$SUDO tee /etc/apt/sources.list.d/cpufeat-deb-src.list >/dev/null
	fi
	has_deb_src || die "no deb-src entry in the APT sources and none could be added"
	updated=0
	apt_update
fi

# (b) Debian's source, with Debian's patches (dpkg-source applies them)
# and ours.  Kept while the version and the patches stay the same, so a
# failed or interrupted build goes on where it stopped.
srckey=$({ echo "$ver"; cat "${patches[@]}"; } | sha)
tree=
[ ! -f "$SRC/srckey" ] || [ "$(cat "$SRC/srckey")" != "$srckey" ] ||
	tree=$(cat "$SRC/tree")
if [ -z "$tree" ] || [ ! -d "$SRC/$tree" ]; then
	msg "source systemd $ver (apt-get source)"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	if ! (cd "$SRC" && apt-get source -q --only-source "systemd=$ver") >>"$LOG" 2>&1; then
		apt_update
		(cd "$SRC" && run "apt-get source systemd=$ver" \
			apt-get source -q --only-source "systemd=$ver")
	fi
	tree=$(cd "$SRC" && find . -mindepth 1 -maxdepth 1 -type d -name 'systemd-*' -printf '%f\n')
	[ -n "$tree" ] && [ -f "$SRC/$tree/meson.build" ] || fail "apt-get source systemd"
	for p in "${patches[@]}"; do
		msg "patch $(basename "$p")"
		run "applying $(basename "$p")" patch -d "$SRC/$tree" -p1 -N -i "$p"
	done
	echo "$tree" >"$SRC/tree"
	echo "$srckey" >"$SRC/srckey"
fi
S=$SRC/$tree

# (c) Configure: Debian's paths, every optional feature off, -O1 without
# debug information (the build time matters more than the speed here).
cfgkey=$({ echo "$srckey"; cat "$HERE/build.sh"; } | sha)
if [ ! -f "$S/build/cfgkey" ] || [ "$(cat "$S/build/cfgkey")" != "$cfgkey" ]; then
	msg "configure (log: $LOG)"
	rm -rf "$S/build"
	run "meson setup" meson setup "$S/build" "$S" \
		--buildtype=plain -Dc_args=-O1 \
		-Dmode=release \
		-Dversion-tag="$ver" \
		-Dshared-lib-tag=cpufeat \
		-Dsplit-usr=true \
		-Drootlibdir=/usr/lib/$MULTIARCH \
		-Ddefault-hierarchy=unified \
		-Dsulogin-path=/sbin/sulogin \
		-Dmount-path=/bin/mount \
		-Dumount-path=/bin/umount \
		-Dkmod-path=/bin/kmod \
		-Dtelinit-path=/lib/sysvinit/telinit \
		-Dsysvinit-path=/etc/init.d \
		-Dsysvrcnd-path=/etc \
		-Ddebug-shell=/bin/bash \
		-Dnologin-path=/usr/sbin/nologin \
		-Ddefault-kill-user-processes=false \
		-Dstatus-unit-format-default=combined \
		-Dsystem-uid-max=999 \
		-Dsystem-gid-max=999 \
		-Dnobody-user=nobody \
		-Dnobody-group=nogroup \
		-Ddns-servers= \
		-Dntp-servers= \
		-Dtests=false -Dman=false -Dhtml=false -Dtranslations=false \
		-Dlog-message-verification=false -Dbpf-framework=false \
		-Dseccomp=false -Dselinux=false -Dapparmor=false -Dsmack=false \
		-Dpolkit=false -Dima=false -Dacl=false -Daudit=false \
		-Dblkid=false -Dfdisk=false -Dkmod=false -Dpam=false \
		-Dpwquality=false -Dmicrohttpd=false -Dlibcryptsetup=false \
		-Dlibcryptsetup-plugins=false -Dlibcurl=false -Didn=false \
		-Dlibidn2=false -Dlibidn=false -Dlibiptc=false -Dqrencode=false \
		-Dgcrypt=false -Dgnutls=false -Dopenssl=false -Dp11kit=false \
		-Dlibfido2=false -Dtpm2=false -Delfutils=false -Dzlib=false \
		-Dbzip2=false -Dxz=false -Dlz4=false -Dzstd=false \
		-Dxkbcommon=false -Dpcre2=false -Dglib=false -Ddbus=false \
		-Dgnu-efi=false -Defi=false -Dtpm=false -Drepart=false \
		-Dsysupdate=false -Dhomed=false -Dremote=false -Dimportd=false \
		-Dnss-mymachines=false -Dnss-resolve=false -Ddns-over-tls=false \
		-Dkernel-install=false -Danalyze=false -Durlify=false \
		-Dvalgrind=false
	echo "$cfgkey" >"$S/build/cfgkey"
fi

# (d) Build only the three programs (and the two libraries they link).
targets=(systemd systemctl systemd-run)
msg "build ${targets[*]} (ninja -j$(nproc), log: $LOG)"
run ninja ninja -C "$S/build" -j"$(nproc)" "${targets[@]}"

# (e) The overlay, at merged-/usr paths (bookworm's layout).  The run
# paths are the build tree's: set them as "meson install" would (they are
# long enough for chrpath to rewrite them in place).
rm -rf "$OVERLAY.new"
libdir=$OVERLAY.new/usr/lib/$MULTIARCH/systemd
mkdir -p "$OVERLAY.new/usr/lib/systemd" "$OVERLAY.new/usr/bin" "$libdir"
install -m 755 -s "$S/build/systemd" "$OVERLAY.new/usr/lib/systemd/systemd"
install -m 755 -s "$S/build/systemctl" "$S/build/systemd-run" "$OVERLAY.new/usr/bin/"
install -m 644 -s "$S/build/src/shared/libsystemd-shared-cpufeat.so" \
	"$S/build/src/core/libsystemd-core-cpufeat.so" "$libdir/"
for f in "$OVERLAY.new/usr/lib/systemd/systemd" "$OVERLAY.new/usr/bin/systemctl" \
	"$OVERLAY.new/usr/bin/systemd-run"; do
	run "chrpath $f" chrpath -r "/usr/lib/$MULTIARCH/systemd" "$f"
done
run "chrpath libsystemd-core" chrpath -r '$ORIGIN' "$libdir/libsystemd-core-cpufeat.so"
rm -rf "$OVERLAY"
mv "$OVERLAY.new" "$OVERLAY"
echo "$ver" >"$OUT/version"
echo "$key" >"$OUT/stamp"
msg "installed in $OVERLAY"
