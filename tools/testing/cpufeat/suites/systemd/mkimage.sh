#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian 12 guest with systemd as PID 1 (see README):
#
#   suites/systemd/mkimage.sh
#
# makes, in $BUILD/systemd/image:
#
#   rootfs/           debootstrap --variant=minbase of bookworm with systemd,
#                     systemd-sysv, dbus and systemd-container, as Debian
#                     ships them
#   stock.cpio.zst    that tree, trimmed and set up for the test boot (see
#                     setup() below), as an initramfs archive: the guest
#                     runs with its root on the initramfs (tmpfs), so the
#                     kernel needs no disk driver
#   patched.cpio      the patched systemd of build.sh (same version as the
#                     image's), to append to stock.cpio.zst: its files
#                     replace Debian's PID 1, systemctl, systemd-run and
#                     systemd-nspawn
#
# The guest boots with rdinit=/sbin/init (systemd).  Each step is a quick
# no-op when its stamp is current: the debootstrap (suite, mirror,
# packages), the archive (the tree and setup()), the overlay (build.sh's
# stamp).  Needs root (debootstrap, device nodes).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
HERE=$HARNESS/suites/systemd
OUT=$BUILD/systemd/image
LOG=$OUT/mkimage.log

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# dbus: systemd-run --wait and --pipe talk to PID 1 through the bus;
# systemd-container: systemd-nspawn, machinectl and systemd-machined.
INCLUDE=systemd,systemd-sysv,dbus,systemd-container
PKGS=(debootstrap zstd cpio)
# --deps: the packages this script and build.sh need, for
# setup/install-deps.sh.
if [ "${1:-}" = --deps ]; then
	printf '%s\n' "${PKGS[@]}"
	exec "$HERE/build.sh" --deps
fi

[ "$(id -u)" = 0 ] || die "needs root (debootstrap)"
mkdir -p "$OUT"
lock "$OUT/.lock"

# (a) debootstrap.
apt_install "${PKGS[@]}"
basekey=$(echo "debootstrap --variant=minbase --include=$INCLUDE $SUITE $MIRROR" | sha)
if ! stamp_is "$OUT/rootfs.stamp" "$basekey" || [ ! -e "$OUT/rootfs/usr/lib/systemd/systemd" ]; then
	msg DEBOOT "$SUITE (log: $LOG)"
	: >"$LOG"
	rm -rf "$OUT/rootfs" "$OUT/rootfs.new" "$OUT/rootfs.stamp" "$OUT/stock.cpio.zst"
	run debootstrap debootstrap --variant=minbase --include="$INCLUDE" \
		"$SUITE" "$OUT/rootfs.new" "$MIRROR"
	mv "$OUT/rootfs.new" "$OUT/rootfs"
	echo "$basekey" >"$OUT/rootfs.stamp"
fi
# (b) The version of systemd in the image, for build.sh.
ver=$(dpkg-query --admindir="$OUT/rootfs/var/lib/dpkg" -W -f '${Version}' systemd)
echo "$ver" >"$OUT/systemd-version"

# (c) The test boot's tree: what only takes time or gets in the way at a
# boot under TCG goes, the rest is Debian's.
setup() {
	local r=$1 u
	rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* \
		"$r"/usr/share/locale/* "$r"/var/cache/apt/*.bin \
		"$r"/var/cache/apt/archives/*.deb \
		"$r"/var/lib/apt/lists/* "$r"/var/cache/debconf/*-old
	# A fixed machine id: no first-boot logic.
	echo 5f3c0d5e9b1a4c6e8d2f7a9b1c3e5d7f >"$r/etc/machine-id"
	echo cpufeat-systemd >"$r/etc/hostname"
	: >"$r/etc/fstab"
	# No login prompts on the serial console the test writes to, and
	# nothing that needs D-Bus (not installed) or real hardware.
	for u in serial-getty@ttyS0.service getty@tty1.service \
		systemd-logind.service apt-daily.timer apt-daily-upgrade.timer \
		dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service \
		fstrim.timer \
		systemd-timesyncd.service systemd-networkd.service \
		systemd-resolved.service; do
		ln -sfn /dev/null "$r/etc/systemd/system/$u"
	done
	# The kernel opens /dev/console before devtmpfs is mounted.
	mkdir -p "$r/dev"
	[ -c "$r/dev/console" ] || mknod -m 600 "$r/dev/console" c 5 1
}

imgkey=$({ echo "$basekey"; declare -f setup; } | sha)
if ! stamp_is "$OUT/stock.stamp" "$imgkey" || [ ! -f "$OUT/stock.cpio.zst" ]; then
	msg IMAGE "$OUT/stock.cpio.zst (systemd $ver)"
	rm -rf "$OUT/tree"
	cp -a "$OUT/rootfs" "$OUT/tree"
	setup "$OUT/tree"
	(cd "$OUT/tree" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --quiet | zstd -q -T0 -9 -f -o "$OUT/stock.cpio.zst.tmp") ||
		die "packing $OUT/stock.cpio.zst failed"
	mv -f "$OUT/stock.cpio.zst.tmp" "$OUT/stock.cpio.zst"
	rm -rf "$OUT/tree"
	echo "$imgkey" >"$OUT/stock.stamp"
fi

# (d) The patched systemd of the same version, as an archive to append.
"$HERE/build.sh" "$ver"
ovkey=$(cat "$BUILD/systemd/stamp")
if ! stamp_is "$OUT/patched.stamp" "$ovkey" || [ ! -f "$OUT/patched.cpio" ]; then
	msg IMAGE "$OUT/patched.cpio"
	cpio_pack "$BUILD/systemd/overlay" >"$OUT/patched.cpio.tmp" ||
		die "packing $OUT/patched.cpio failed"
	mv -f "$OUT/patched.cpio.tmp" "$OUT/patched.cpio"
	echo "$ovkey" >"$OUT/patched.stamp"
fi
