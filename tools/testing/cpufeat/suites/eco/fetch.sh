#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ecosystem overlay of the x86_64 test guest: Debian 12's libcgroup
# tools, runc, crun, CRIU and LXC with the C library and every shared
# library they need, for "vm --eco" (README here).
#
#   suites/eco/fetch.sh [x86_64]
#
# The .debs are fetched with "apt-get download" (no install, no root
# needed beyond what apt-get download needs) into $BUILD/eco/debs, where
# they stay: a later run downloads only the ones it does not have, and
# unpacked with dpkg-deb -x into $BUILD/eco/ARCH/rootfs; the overlay is
# $BUILD/eco/ARCH/eco.cpio.gz, a cpio archive vm appends to the guest's
# initramfs.  Every ELF program and library in the overlay must find each
# library it needs (DT_NEEDED) inside the overlay, or this script fails
# naming the missing ones.  A quick no-op when the package list and this
# script are unchanged; $BUILD/eco/ARCH/versions lists what was fetched.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"

arch=${1:-x86_64}
case "$arch" in
x86_64) debarch=amd64 triplet=x86_64-linux-gnu ;;
*) die "only x86_64 is supported (arm64: see README)" ;;
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

OUT=$BUILD/eco/$arch
DEBS=$BUILD/eco/debs
ROOT=$OUT/rootfs
CPIO=$OUT/eco.cpio.gz
mkdir -p "$OUT" "$DEBS"
lock "$OUT/.lock"

state=$( { printf '%s\n' "${PACKAGES[@]}"; cat "$0"; } | sha)
if [ -f "$CPIO" ] && stamp_is "$OUT/.stamp" "$state"; then
	exit 0
fi

pkgs=()
for p in "${PACKAGES[@]}"; do
	pkgs+=("$p:$debarch")
done
msg FETCH "eco $arch: ${#pkgs[@]} Debian packages"
rm -rf "$DEBS/new"
mkdir -p "$DEBS/new"
# _apt must be able to write there, or apt-get warns.
chmod 777 "$DEBS/new" 2>/dev/null || true
# The files the archive has now ("'URL' FILE SIZE HASH"): those already
# in $DEBS are taken from there, the others downloaded.
uris=$(cd "$DEBS/new" && apt-get download -q --print-uris "${pkgs[@]}") ||
	die "apt-get download failed (is the Debian archive reachable? apt-get update?)"
get=()
while read -r _ file _; do
	if [ -f "$DEBS/$file" ]; then
		cp "$DEBS/$file" "$DEBS/new/"
	else
		get+=("${file%%_*}:$debarch")
	fi
done <<<"$uris"
if [ ${#get[@]} -gt 0 ]; then
	(cd "$DEBS/new" && apt-get download -q "${get[@]}" >/dev/null) ||
		die "apt-get download failed (is the Debian archive reachable? apt-get update?)"
fi

rm -rf "$ROOT"
mkdir -p "$ROOT"
for deb in "$DEBS"/new/*.deb; do
	dpkg-deb -x "$deb" "$ROOT"
	# shellcheck disable=SC2016 # dpkg-deb fields, not shell variables
	dpkg-deb --showformat '${Package} ${Version}\n' -W "$deb"
done | sort >"$OUT/versions"
mv -f "$DEBS"/new/*.deb "$DEBS"/
rmdir "$DEBS/new"
# Documentation, locales, gconv modules and the like: not needed.
rm -rf "${ROOT:?}"/usr/share "$ROOT"/etc/ld.so.conf.d "$ROOT/usr/lib/$triplet/gconv" \
	"$ROOT/usr/lib/$triplet/audit" "$ROOT"/usr/libexec "$ROOT"/sbin/ldconfig
# LXC: only the tools the test runs (each lxc-* program is about 1 MB).
find "$ROOT"/usr/bin -name 'lxc-*' ! -name lxc-execute ! -name lxc-start \
	! -name lxc-stop ! -name lxc-info ! -name lxc-attach ! -name lxc-cgroup -delete

# Closure: each DT_NEEDED of every ELF file in the overlay is in it.
missing=$(find "$ROOT" -type f | while read -r f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = 177ELF ] || continue
	readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r so; do
		for d in lib/$triplet usr/lib/$triplet lib64; do
			[ ! -e "$ROOT/$d/$so" ] || continue 2
		done
		echo "$so (needed by ${f#"$ROOT"/})"
	done
done | sort -u)
[ -z "$missing" ] || die "libraries missing from the overlay (add their packages to PACKAGES):
$missing"

# Fixed owners and timestamps: the same packages give the same archive.
find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet --reproducible) |
	gzip -n -6 >"$CPIO.tmp"
mv "$CPIO.tmp" "$CPIO"
echo "$state" >"$OUT/.stamp"
msg CPIO "eco $arch: $(du -sh "$ROOT" | cut -f1) unpacked, $(du -h "$CPIO" | cut -f1) archive"
