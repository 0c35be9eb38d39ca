#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages cpufeat needs to build and test: the kernel
# base, compilers (native and arm64 cross), QEMU for both guests and the
# static busybox binaries the guests run.  Quiet when all is present.
# (The x86_64 guest's QEMU, built from source with CPUID faulting, needs
# more: qemu/build.sh installs that itself, after this script has run.)
set -euo pipefail

pkgs=(linux-source-6.12 build-essential flex bison bc libelf-dev libssl-dev
      cpio xz-utils kmod rsync python3 python3-ply python3-git perl git ccache
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      qemu-system-x86 qemu-system-arm busybox-static)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
	echo "  DEPS    installing: ${missing[*]}"
	$SUDO apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null
fi

# The arm64 guest runs Debian's arm64 busybox-static binary: fetch the .deb
# (not installed on the amd64 host) once and unpack it under the build dir.
BUILD=${BUILD:-$(cd "$(dirname "$0")/../../.." && pwd)/build}
bb=$BUILD/deps/arm64/busybox
if [ ! -x "$bb" ]; then
	echo "  DEPS    busybox-static:arm64"
	tmp=$(mktemp -d); chmod 777 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) || {
		$SUDO dpkg --add-architecture arm64
		$SUDO apt-get update -q >/dev/null
		(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null)
	}
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	mkdir -p "$(dirname "$bb")"
	cp "$tmp/x/bin/busybox" "$bb"
fi
