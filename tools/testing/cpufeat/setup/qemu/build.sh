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
# the patch, the device list and the configure options) is current.  The build log is
# $BUILD/qemu/build.log.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
HERE=$HARNESS/setup/qemu
OUT=$BUILD/qemu
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
# --deps: the packages, for setup/install-deps.sh.
[ "${1:-}" != --deps ] || { printf '%s\n' "${PKGS[@]}"; exit 0; }

mkdir -p "$OUT"
lock "$OUT/.lock"

# The source version is that of the installed qemu-system-x86, so the
# binary and the firmware it loads come from the same release.
srcver() {
	dpkg-query -W -f '${source:Version}' qemu-system-x86
}

# (c) The configuration: TCG, the x86_64 system emulator, no optional
# feature, and as devices only what the "pc" machine (i440FX, PIIX3)
# selects (configure wants device lists under configs/devices/).
DEVICES="# cpufeat test guests: -M pc -nodefaults -serial stdio -kernel ...
CONFIG_I440FX=y"
# configure_options VERSION PREFIX
configure_options() {
	printf '%s\n' \
		--prefix="$2" \
		--firmwarepath="$FIRMWAREPATH" \
		--with-pkgversion="Debian $1 + cpufeat CPUID faulting" \
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
		--with-git-submodules=ignore
}

# The stamp: what the installed binary is made of (wherever $BUILD is:
# a copy of build/qemu serves another clone).
stamp() {
	{ echo "$1"; cat "${PATCHES[@]}"; echo "$DEVICES"
	  configure_options "$1" "\$BUILD/qemu"; } | sha
}

if installed qemu-system-x86 && [ -x "$BIN" ] &&
	stamp_is "$OUT/stamp" "$(stamp "$(srcver)")"; then
	exit 0
fi

# From here on everything is logged; on failure show the log's tail.
: >"$LOG"

# (a) Packages.
apt_install "${PKGS[@]}"
ver=$(srcver)
key=$(stamp "$ver")

# (b) Debian's source, with Debian's patches and ours.
deb_source --or-current qemu "$ver" "$BUILD/qemu-src" "${PATCHES[@]}"
S=$DEB_TREE
[ -f "$S/VERSION" ] || fail "apt-get source qemu (no $S/VERSION)"

# (c) Configure.
echo "$DEVICES" >"$S/configs/devices/x86_64-softmmu/cpufeat.mak"
if ! stamp_is "$S/build/cfgkey" "$key"; then
	msg CONFIG "qemu (log: $LOG)"
	rm -rf "$S/build"
	mkdir -p "$S/build"
	mapfile -t options < <(configure_options "$ver" "$OUT")
	(cd "$S/build" && run configure ../configure "${options[@]}")
	echo "$key" >"$S/build/cfgkey"
fi

# (d) Build only the emulator.
step NINJA "qemu-system-x86_64 (-j$(nproc), log: $LOG)" \
	ninja -C "$S/build" -j"$(nproc)" qemu-system-x86_64

# (e) Install, and check that it starts a "pc" machine with Debian's
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
msg INSTALL "$BIN"
