#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ecosystem overlays of the test guests: Debian 12's libcgroup tools,
# runc, crun, CRIU and LXC with the C library and every shared library
# they need, for "vm --eco" (x86_64 and arm64, the packages of the
# guest's architecture); x86_64 only: podman and Docker (dockerd,
# containerd) with what they need beyond that, for "vm --containers"
# (README here).
#
#   suites/eco/fetch.sh [x86_64|arm64]
#
# The .debs are fetched with "apt-get download" (no install, no root
# needed beyond what apt-get download needs) into $BUILD/eco/debs, where
# they stay: a later run downloads only the ones it does not have, and
# unpacked with dpkg-deb -x into $BUILD/eco/ARCH/rootfs; the overlay is
# $BUILD/eco/ARCH/eco.cpio.gz, a cpio archive vm appends to the guest's
# initramfs; podman's and Docker's packages likewise into rootfs-containers
# and containers.cpio.gz, which vm appends after it (kept apart so that
# the boots that need only the first do not unpack 200 MB more).  Every
# ELF program and library in the overlays must find each library it needs
# (DT_NEEDED) inside them, or this script fails naming the missing ones.  A quick no-op when the package list and this
# script are unchanged; $BUILD/eco/ARCH/versions lists what was fetched.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"

arch=${1:-x86_64}
case "$arch" in
x86_64) debarch=amd64 triplet=x86_64-linux-gnu containers=1 ;;
arm64) debarch=arm64 triplet=aarch64-linux-gnu containers=0 ;;
*) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
esac

# The programs, then the libraries they need (the closure check below
# keeps this list complete).
PACKAGES=(
	cgroup-tools libcgroup2 runc crun criu lxc liblxc1 liblxc-common
	libc6
	# crun
	libsystemd0 libseccomp2 libcap2 libyajl2
	libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1
	# criu
	libbsd0 libmd0 libprotobuf-c1 libnl-3-200 libnet1
	libgnutls30 libp11-kit0 libidn2-0 libunistring2 libtasn1-6
	libnettle8 libhogweed6 libgmp10 libffi8
	libnftables1 libmnl0 libnftnl11 libxtables12 libjansson4
	# lxc
	libapparmor1 libselinux1 libpcre2-8-0 libgcc-s1
)
# The second overlay: podman (with conmon, catatonit for a pod's pause
# process and containers-common's configuration) and docker.io (dockerd,
# the docker client, containerd and its runc shim; runc is in the first),
# and the libraries they need that the first lacks.  x86_64 only (the
# arm64 guest runs CRIU only: the migration).
CONTAINER_PACKAGES=(
	podman conmon catatonit golang-github-containers-common golang-github-containers-image
	docker.io containerd tini
	libdevmapper1.02.1 libudev1 libgpgme11 libassuan0 libsubid4 libglib2.0-0
	libaudit1 libcap-ng0 libcrypt1 libpam0g libsemanage2 libsepol2 libbz2-1.0
	libmount1 libblkid1 zlib1g
)
[ $containers = 1 ] || CONTAINER_PACKAGES=()

OUT=$BUILD/eco/$arch
DEBS=$BUILD/eco/debs
ROOT=$OUT/rootfs
CPIO=$OUT/eco.cpio.gz
mkdir -p "$OUT" "$DEBS"
lock "$OUT/.lock"

ROOT2=$OUT/rootfs-containers
CPIO2=$OUT/containers.cpio.gz
state=$( { printf '%s\n' "${PACKAGES[@]}" -- "${CONTAINER_PACKAGES[@]}"; cat "$0"; } | sha)
if [ -f "$CPIO" ] && { [ $containers = 0 ] || [ -f "$CPIO2" ]; } && stamp_is "$OUT/.stamp" "$state"; then
	exit 0
fi

# fetch DIR PACKAGE...: the packages' .debs in DIR (from $DEBS when
# there, else downloaded), also left in $DEBS.
fetch() {
	local dir=$1 uris get=() _ file
	shift
	rm -rf "$dir"
	mkdir -p "$dir"
	# _apt must be able to write there, or apt-get warns.
	chmod 777 "$dir" 2>/dev/null || true
	# The files the archive has now ("'URL' FILE SIZE HASH"): those
	# already in $DEBS are taken from there, the others downloaded.
	uris=$(cd "$dir" && apt-get download -q --print-uris "${@/%/:$debarch}") ||
		die "apt-get download failed (is the Debian archive reachable? apt-get update?)"
	while read -r _ file _; do
		if [ -f "$DEBS/$file" ]; then
			cp "$DEBS/$file" "$dir/"
		else
			get+=("${file%%_*}:$debarch")
		fi
	done <<<"$uris"
	if [ ${#get[@]} -gt 0 ]; then
		(cd "$dir" && apt-get download -q "${get[@]}" >/dev/null) ||
			die "apt-get download failed (is the Debian archive reachable? apt-get update?)"
	fi
	cp -f "$dir"/*.deb "$DEBS"/
}

# unpack DIR ROOT: the .debs of DIR unpacked into ROOT (made afresh),
# their names and versions on stdout.
unpack() {
	local deb
	rm -rf "$2"
	mkdir -p "$2"
	for deb in "$1"/*.deb; do
		dpkg-deb -x "$deb" "$2"
		# shellcheck disable=SC2016 # dpkg-deb fields, not shell variables
		dpkg-deb --showformat '${Package} ${Version}\n' -W "$deb"
	done
	rm -rf "$1"
}

# missing_libs ROOT [LIBROOT]: each DT_NEEDED of an ELF file in ROOT that
# is in neither ROOT nor LIBROOT ("SONAME (needed by FILE)").
missing_libs() {
	find "$1" -type f | while read -r f; do
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = 177ELF ] || continue
		readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r so; do
			for r in "$1" ${2:+"$2"}; do
				for d in lib/$triplet usr/lib/$triplet lib64; do
					[ ! -e "$r/$d/$so" ] || continue 3
				done
			done
			echo "$so (needed by ${f#"$1"/})"
		done
	done | sort -u
}

# pack ROOT CPIO: ROOT as a gzip'd cpio archive, with fixed owners and
# timestamps (the same packages give the same archive).
pack() {
	find "$1" -exec touch -h -d @0 {} +
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet --reproducible) |
		gzip -n -6 >"$2.tmp"
	mv "$2.tmp" "$2"
	msg CPIO "$(basename "$2") $arch: $(du -sh "$1" | cut -f1) unpacked, $(du -h "$2" | cut -f1) archive"
}

msg FETCH "eco $arch: ${#PACKAGES[@]} + ${#CONTAINER_PACKAGES[@]} Debian packages"
# (a directory of its own per architecture: make check fetches both at once)
fetch "$DEBS/new-$arch" "${PACKAGES[@]}"
[ $containers = 0 ] || fetch "$DEBS/new-containers-$arch" "${CONTAINER_PACKAGES[@]}"
{
	unpack "$DEBS/new-$arch" "$ROOT"
	[ $containers = 0 ] || unpack "$DEBS/new-containers-$arch" "$ROOT2"
} | sort >"$OUT/versions"

# Documentation, locales, gconv modules and the like: not needed
# (containers-common's default configuration is kept).
for r in "$ROOT" "$ROOT2"; do
	[ -d "$r" ] || continue
	mv "$r/usr/share/containers" "$r/containers.keep" 2>/dev/null || true
	rm -rf "${r:?}"/usr/share "$r"/etc/ld.so.conf.d "$r/usr/lib/$triplet/gconv" \
		"$r/usr/lib/$triplet/audit" "$r"/usr/libexec "$r"/sbin/ldconfig
	if [ -d "$r/containers.keep" ]; then
		mkdir -p "$r/usr/share"
		mv "$r/containers.keep" "$r/usr/share/containers"
	fi
done
# LXC: only the tools the test runs (each lxc-* program is about 1 MB).
find "$ROOT"/usr/bin -name 'lxc-*' ! -name lxc-execute ! -name lxc-start \
	! -name lxc-stop ! -name lxc-info ! -name lxc-attach ! -name lxc-cgroup -delete
# Docker and containerd: what "docker run" does not use (overlay networks,
# the userland proxy, the v1 shims, containerd's own client).
[ $containers = 0 ] || rm -f "$ROOT2"/usr/bin/dnet "$ROOT2"/usr/sbin/ovrouter "$ROOT2"/usr/sbin/docker-proxy \
	"$ROOT2"/usr/bin/containerd-shim "$ROOT2"/usr/bin/containerd-shim-runc-v1 \
	"$ROOT2"/usr/bin/ctr "$ROOT2"/usr/lib/podman/rootlessport

# Closure: each DT_NEEDED of every ELF file in the overlays is in them.
missing=$(missing_libs "$ROOT"; [ $containers = 0 ] || missing_libs "$ROOT2" "$ROOT")
[ -z "$missing" ] || die "libraries missing from the overlays (add their packages to PACKAGES or CONTAINER_PACKAGES):
$missing"

pack "$ROOT" "$CPIO"
[ $containers = 0 ] || pack "$ROOT2" "$CPIO2"
echo "$state" >"$OUT/.stamp"
