#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build qemu-system-x86_64 from Debian 12's QEMU 7.2 source (Debian's
# patches plus ours, the NNNN-*.patch files here, in order: Intel's and
# AMD's CPUID faulting) and install it as
# $BUILD/qemu/bin/qemu-system-x86_64.  See README.
#
# Only the x86_64 system emulator with TCG, the "pc" machine and no
# optional features is built.  The binary uses the firmware of Debian's
# qemu-system-x86 package (SeaBIOS, linuxboot_dma.bin, ...), whose source
# version is the one built.
#
# A quick no-op when the binary exists and its stamp (the source version,
# the patch and this script) is current.  The build log is
# $BUILD/qemu/build.log.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../../.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=$BUILD/qemu
SRC=$BUILD/qemu-src
BIN=$OUT/bin/qemu-system-x86_64
LOG=$OUT/build.log
PATCHES=("$HERE"/[0-9][0-9][0-9][0-9]-*.patch)
# Where Debian's own qemu-system-x86_64 looks for firmware (debian/rules).
FIRMWAREPATH=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu

# Run-time needs (the firmware) and a minimal build: QEMU 7.2 needs
# only meson (>= 0.61.5, bookworm has 1.0), ninja, glib, pixman, zlib and
# libfdt (x86_64-softmmu requires it for microvm; Debian's source has no
# dtc submodule) for this configuration.  "apt-get build-dep qemu" would pull in GTK,
# SDL, spice, ceph, cross compilers and the rest.
PKGS=(qemu-system-x86 dpkg-dev xz-utils build-essential python3 meson
      ninja-build pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev
      libfdt-dev)

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

msg() {
	echo "  QEMU    $*"
}

die() {
	echo "qemu/build.sh: $*" >&2
	exit 1
}

sha() {
	sha256sum | cut -d' ' -f1
}

mkdir -p "$OUT"
exec 9>"$OUT/.lock"
flock 9

installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# The source version is that of the installed qemu-system-x86, so the
# binary and the firmware it loads come from the same release.
srcver() {
	dpkg-query -W -f '${source:Version}' qemu-system-x86
}

# The stamp: what the installed binary was built from.
stamp() {
	{ echo "$1"; cat "${PATCHES[@]}" "$HERE/build.sh"; } | sha
}

if installed qemu-system-x86 && [ -x "$BIN" ] && [ -f "$OUT/stamp" ] &&
	[ "$(cat "$OUT/stamp")" = "$(stamp "$(srcver)")" ]; then
	exit 0
fi

# From here on everything is logged; on failure show the log's tail.
: >"$LOG"
fail() {
	echo "qemu/build.sh: $1 failed; last lines of $LOG:" >&2
	tail -n 40 "$LOG" >&2
	exit 1
}
run() {
	local what=$1
	shift
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 </dev/null || fail "$what"
}

# (a) Packages, and deb-src entries for "apt-get source".
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

ver=$(srcver)
key=$(stamp "$ver")
srckey=$({ echo "$ver"; cat "${PATCHES[@]}"; } | sha)

# (b) Debian's source, with Debian's patches (dpkg-source applies them)
# and ours.  Kept while the version and the patches stay the same, so a
# failed or interrupted build goes on where it stopped.
tree=
[ ! -f "$SRC/srckey" ] || [ "$(cat "$SRC/srckey")" != "$srckey" ] ||
	tree=$(cat "$SRC/tree")
if [ -z "$tree" ] || [ ! -d "$SRC/$tree" ]; then
	msg "source qemu $ver (apt-get source)"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	if ! (cd "$SRC" && apt-get source -q --only-source "qemu=$ver") >>"$LOG" 2>&1; then
		# Stale package lists, or the archive has moved on: retry
		# after an update, then take what the archive has.
		apt_update
		(cd "$SRC" && apt-get source -q --only-source "qemu=$ver") >>"$LOG" 2>&1 || {
			msg "qemu $ver is not in the archive, using its current version"
			(cd "$SRC" && run "apt-get source qemu" apt-get source -q --only-source qemu)
		}
	fi
	tree=$(cd "$SRC" && find . -mindepth 1 -maxdepth 1 -type d -name 'qemu-*' -printf '%f\n')
	[ -n "$tree" ] && [ -f "$SRC/$tree/VERSION" ] || fail "apt-get source qemu"
	for p in "${PATCHES[@]}"; do
		msg "patch $(basename "$p")"
		run "applying $(basename "$p")" patch -d "$SRC/$tree" -p1 -N -i "$p"
	done
	echo "$tree" >"$SRC/tree"
	echo "$srckey" >"$SRC/srckey"
fi
S=$SRC/$tree

# (c) Configure: TCG, the x86_64 system emulator, no optional feature,
# and as devices only what the "pc" machine (i440FX, PIIX3) selects.
# configure wants device lists under configs/devices/.
cat >"$S/configs/devices/x86_64-softmmu/cpufeat.mak" <<'EOF'
# cpufeat test guests: -M pc -nodefaults -serial stdio -kernel ...
CONFIG_I440FX=y
EOF
cfgkey=$({ echo "$srckey"; cat "$HERE/build.sh"; } | sha)
if [ ! -f "$S/build/cfgkey" ] || [ "$(cat "$S/build/cfgkey")" != "$cfgkey" ]; then
	msg "configure (log: $LOG)"
	rm -rf "$S/build"
	mkdir -p "$S/build"
	(cd "$S/build" && run configure ../configure \
		--prefix="$OUT" \
		--firmwarepath="$FIRMWAREPATH" \
		--with-pkgversion="Debian $ver + cpufeat CPUID faulting" \
		--target-list=x86_64-softmmu \
		--without-default-features \
		--without-default-devices \
		--with-devices-x86_64=cpufeat \
		--enable-tcg \
		--enable-fdt=system \
		--enable-system \
		--disable-user \
		--disable-tools \
		--disable-docs \
		--disable-debug-info \
		--disable-install-blobs \
		--disable-werror \
		--audio-drv-list= \
		--with-git-submodules=ignore)
	echo "$cfgkey" >"$S/build/cfgkey"
fi

# (c) Build only the emulator.
msg "build qemu-system-x86_64 (ninja -j$(nproc), log: $LOG)"
run ninja ninja -C "$S/build" -j"$(nproc)" qemu-system-x86_64

# (d) Install, and check that it starts a "pc" machine with Debian's
# firmware (the BIOS and option ROMs are loaded at machine creation), with
# the CPU models of the Intel and the AMD guest.
mkdir -p "$OUT/bin"
cp "$S/build/qemu-system-x86_64" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
echo "+ smoke test" >>"$LOG"
for vendor in GenuineIntel AuthenticAMD; do
	if ! echo quit | timeout 60 "$BIN" -M pc -accel tcg -cpu max,vendor=$vendor \
		-nodefaults -display none -S -monitor stdio >>"$LOG" 2>&1; then
		rm -f "$OUT/stamp"
		fail "starting $BIN (-cpu max,vendor=$vendor)"
	fi
done
echo "$key" >"$OUT/stamp"
msg "installed $BIN"
