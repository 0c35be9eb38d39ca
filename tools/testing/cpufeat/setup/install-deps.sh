#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages cpufeat needs to build and test: the kernel
# base, compilers (native, arm64 cross, and armhf cross for the AArch32
# test program: gcc alone, it needs no libc), QEMU for both guests and the
# static busybox binaries the guests run, Go (the migration's static Go
# workload), and what the builds from Debian
# source need (setup/qemu/build.sh, suites/systemd/mkimage.sh and build.sh
# list theirs: --deps), with deb-src entries for apt-get source.  Quiet
# when all is present.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

pkgs=(linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev
      cpio xz-utils kmod rsync python3 python3-ply python3-git perl git ccache
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf
      qemu-system-x86 qemu-system-arm busybox-static
      golang-go)

mapfile -t more < <("$HARNESS/setup/qemu/build.sh" --deps &&
		    "$HARNESS/suites/systemd/mkimage.sh" --deps)
apt_install "${pkgs[@]}" "${more[@]}"
apt_deb_src

# The arm64 guest runs Debian's arm64 busybox-static binary: fetch the .deb
# (not installed on the amd64 host) once and unpack it under the build dir.
bb=$BUILD/deps/arm64/busybox
if [ ! -x "$bb" ]; then
	msg DEPS "busybox-static:arm64"
	tmp=$(mktemp -d); chmod 777 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) || {
		$SUDO dpkg --add-architecture arm64
		APT_UPDATED=0 apt_update
		(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null)
	}
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	mkdir -p "$(dirname "$bb")"
	cp "$tmp/x/bin/busybox" "$bb"
fi
