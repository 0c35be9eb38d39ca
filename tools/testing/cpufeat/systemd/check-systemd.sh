#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# systemd 252 with cpufeat, systemd as PID 1 in a Debian 12 guest (see
# README):
#
#   systemd/check-systemd.sh
#
# Boots the guest of mkimage.sh twice under QEMU (TCG) with the "systemd"
# flavour of the x86_64 kernel (configs/systemd.config):
#
#   patched  our systemd (AllowedCPUFeatures=, the cpufeat controller):
#            a slice and a service in it, systemd-run -p, set-property on
#            a running slice (persisted, programs started before keep their
#            view), daemon-reload, daemon-reexec, invalid values, reset,
#            Delegate=yes and Delegate=cpufeat
#   stock    Debian's systemd, unmodified: the no-patch recipe of
#            Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst
#            (tmpfiles.d and ExecStartPre=+)
#
# Each boot runs guest-test.sh from cpufeat-test.service (in the default
# target, multi-user.target) and reboots, which ends QEMU (-no-reboot).
# Prints TAP (one plan, both boots), exits 1 if a test failed, 2 if
# something could not be built or booted.  Builds what is missing or stale
# first (make kernel-x86_64-systemd initramfs-x86_64 qemu, mkimage.sh,
# which runs build.sh); VM_BUILD=0 uses what is in $BUILD as it is.
#
# Environment: VM_TIMEOUT (seconds per boot, default 600), VM_LOG_DIR=DIR
# (keep each boot's console as DIR/MODE.console), QEMU_X86_64.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HARNESS=$(cd "$HERE/.." && pwd)
TOP=${TOP:-$(cd "$HARNESS/../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
export TOP BUILD
IMG=$BUILD/systemd/image
KERNEL=$BUILD/x86_64-systemd/kernel
PROBE=$BUILD/x86_64/progs/cpufeat_probe
QEMU=${QEMU_X86_64:-$BUILD/qemu/bin/qemu-system-x86_64}
timeout=${VM_TIMEOUT:-600}

die() {
	echo "check-systemd.sh: $*" >&2
	exit 2
}

if [ "${VM_BUILD:-1}" != 0 ]; then
	mkdir -p "$BUILD"
	(flock 9 && make -C "$TOP" --no-print-directory kernel-x86_64-systemd \
		initramfs-x86_64 qemu >&2) 9>"$BUILD/.vm-make.lock" ||
		die "building the kernel, the probe or QEMU failed"
	"$HERE/mkimage.sh" >&2 || die "building the image failed (mkimage.sh)"
fi
for f in "$KERNEL" "$PROBE" "$QEMU" "$IMG/stock.cpio.zst" "$IMG/patched.cpio"; do
	[ -e "$f" ] || die "missing $f"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpufeat-systemd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# What the test adds to the image, for MODE: the probe, the test and
# the unit that runs it; for the stock boot also the no-patch recipe.
payload() {
	local mode=$1 r=$tmp/payload-$1
	mkdir -p "$r/usr/local/bin" "$r/usr/local/sbin" "$r/etc/tmpfiles.d" \
		"$r/etc/systemd/system/multi-user.target.wants"
	cp "$PROBE" "$r/usr/local/bin/cpufeat_probe"
	cp "$HERE/guest-test.sh" "$r/usr/local/sbin/cpufeat-systemd-test"
	chmod 755 "$r/usr/local/sbin/cpufeat-systemd-test"
	cat >"$r/etc/systemd/system/cpufeat-test.service" <<-'EOF'
	[Unit]
	Description=cpufeat systemd test (check-systemd.sh)
	SuccessAction=reboot-force
	FailureAction=reboot-force

	[Service]
	Type=oneshot
	TimeoutStartSec=infinity
	ExecStart=/usr/local/sbin/cpufeat-systemd-test
	StandardOutput=tty
	StandardError=tty
	TTYPath=/dev/ttyS0
	TTYReset=no
	TTYVHangup=no

	[Install]
	WantedBy=multi-user.target
	EOF
	ln -s ../cpufeat-test.service \
		"$r/etc/systemd/system/multi-user.target.wants/cpufeat-test.service"
	if [ "$mode" = stock ]; then
		# The recipe, as in the guide.
		cat >"$r/etc/tmpfiles.d/cpufeat.conf" <<-'EOF'
		w /sys/fs/cgroup/cgroup.subtree_control - - - - +cpufeat
		w /sys/fs/cgroup/system.slice/cgroup.subtree_control - - - - +cpufeat
		EOF
		cat >"$r/etc/systemd/system/recipe.service" <<-'EOF'
		[Service]
		Type=oneshot
		ExecStartPre=+/bin/sh -c 'echo "-avx2 -aes" >/sys/fs/cgroup/system.slice/%n/cpufeat.hwcap'
		ExecStart=/usr/local/bin/cpufeat_probe --check
		StandardOutput=truncate:/run/cpufeat/recipe.out
		EOF
		cat >"$r/etc/systemd/system/recipe-sleep.service" <<-'EOF'
		[Service]
		ExecStartPre=+/bin/sh -c 'echo "-avx2 -aes" >/sys/fs/cgroup/system.slice/%n/cpufeat.hwcap'
		ExecStart=/bin/sleep 1000
		EOF
	fi
	(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# append FILE ARCHIVE: the kernel looks for the next archive of an
# initramfs only at a 4-byte boundary.
append() {
	local pad
	pad=$(( (4 - $(stat -c %s "$1") % 4) % 4 ))
	head -c "$pad" /dev/zero >>"$1"
	cat "$2" >>"$1"
}

n=0
failed=0
tap() {
	n=$((n + 1))
	echo "$1 $n - $2"
	[ "$1" = ok ] || failed=$((failed + 1))
}

boot() {
	local mode=$1 initrd=$tmp/initrd-$1 console=$tmp/$1.console nonce line started=0 ended=0
	local t0 t1 qrc=0

	nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	cp "$IMG/stock.cpio.zst" "$initrd"
	[ "$mode" = stock ] || append "$initrd" "$IMG/patched.cpio"
	payload "$mode" >"$tmp/payload-$mode.cpio"
	append "$initrd" "$tmp/payload-$mode.cpio"

	t0=$(date +%s)
	timeout -k 5 "$timeout" "$QEMU" -M pc -cpu max,vendor=GenuineIntel -accel tcg \
		-smp 2 -m 2G -nodefaults -display none -no-reboot -serial stdio \
		-kernel "$KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 rdinit=/sbin/init systemd.show_status=0 cpufeat.mode=$mode cpufeat.nonce=$nonce" \
		</dev/null >"$console" 2>"$tmp/$mode.qemu.err" || qrc=$?
	t1=$(date +%s)
	[ -z "${VM_LOG_DIR:-}" ] || { mkdir -p "$VM_LOG_DIR" && cp "$console" "$VM_LOG_DIR/$mode.console"; }
	echo "# $mode boot: $((t1 - t0)) s (QEMU exit status $qrc)"

	while IFS= read -r line; do
		line=${line%$'\r'}
		if [ $started = 0 ]; then
			[ "$line" != "CPUFEAT-SYSTEMD-START $nonce" ] || started=1
			continue
		fi
		case "$line" in
		"CPUFEAT-SYSTEMD-END $nonce") ended=1; break ;;
		"ok - "*) tap ok "$mode: ${line#ok - }" ;;
		"not ok - "*) tap "not ok" "$mode: ${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$console"
	if [ $ended = 1 ]; then
		tap ok "$mode: the guest tests ran to the end"
	else
		tap "not ok" "$mode: the guest tests ran to the end"
		echo "# last console lines:"
		tail -n 30 "$console" | tr -d '\r' | sed 's/^/#   /'
		[ ! -s "$tmp/$mode.qemu.err" ] || sed 's/^/#   qemu: /' "$tmp/$mode.qemu.err"
	fi
}

boot patched
boot stock
echo "1..$n"
[ $failed = 0 ] || { echo "# $failed of $n failed"; exit 1; }
