#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# systemd 252 with cpufeat, systemd as PID 1 in a Debian 12 guest (see
# README):
#
#   suites/systemd/boot.sh patched|stock
#
# Boots the guest of mkimage.sh under QEMU (TCG) with the x86_64 kernel:
#
#   patched  our systemd (AllowedCPUFeatures=, the cpufeat controller):
#            a slice and a service in it, systemd-run -p, set-property on
#            a running slice (persisted, programs started before keep their
#            view), daemon-reload, daemon-reexec, invalid values, reset,
#            Delegate=yes and Delegate=cpufeat, systemd-nspawn
#            --property= and --slice=, machinectl
#   stock    Debian's systemd, unmodified: the no-patch recipes of
#            Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst
#            (tmpfiles.d and ExecStartPre=+; systemd-nspawn --slice=)
#
# The guest runs "cpufeat-run systemd" (guest.sh) from cpufeat-test.service
# (in the default target, multi-user.target) and reboots, which ends QEMU
# (-no-reboot).  Like vm, prints what the runner printed (its KTAP
# document) and exits with its status: 124 if the guest did not finish in
# time, 125 if it could not be built or booted or stopped without saying.
# Builds what is missing or stale first (make guest-x86_64, mkimage.sh,
# which runs build.sh); VM_BUILD=0 uses what is in $BUILD as it is.
#
# Environment: VM_TIMEOUT (seconds, default 600), VM_LOG=FILE (keep the
# console there), QEMU_X86_64.
set -uo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
DIE_STATUS=125
HERE=$HARNESS/suites/systemd
IMG=$BUILD/systemd/image
KERNEL=$BUILD/x86_64/kernel
PROBE=$BUILD/x86_64/progs/cpufeat_probe
timeout=${VM_TIMEOUT:-600}

mode=${1:-}
case "$mode" in
patched | stock) ;;
*) die "usage: boot.sh patched|stock" ;;
esac

if [ "${VM_BUILD:-1}" != 0 ]; then
	mkdir -p "$BUILD"
	(flock 9 && make -C "$TOP" --no-print-directory guest-x86_64 >&2) \
		9>"$BUILD/.vm-make.lock" || die "building the kernel, the probe or QEMU failed"
	"$HERE/mkimage.sh" >&2 || die "building the image failed (mkimage.sh)"
fi
qemu_command x86_64
for f in "$KERNEL" "$PROBE" "${qemu[0]}" "$IMG/stock.cpio.zst" "$IMG/patched.cpio"; do
	[ -e "$f" ] || die "missing $f"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cpufeat-systemd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')

# What the test adds to the image: the probe, the runner with the systemd
# suite's part and the unit that runs it, between the marker lines of vm
# (guest/init); for the stock boot also the no-patch recipe.
payload() {
	local r=$tmp/payload lib=$tmp/payload/usr/lib/cpufeat
	mkdir -p "$r/usr/local/bin" "$r/usr/local/sbin" "$r/etc/tmpfiles.d" \
		"$r/etc/systemd/system/multi-user.target.wants" "$lib/suites"
	cp "$PROBE" "$r/usr/local/bin/cpufeat_probe"
	cp "$HARNESS/guest/run.sh" "$r/usr/local/bin/cpufeat-run"
	cp "$HARNESS/guest/ktap.sh" "$HARNESS/guest/alarms" "$lib/"
	cp "$HERE/guest.sh" "$lib/suites/systemd.sh"
	cat >"$r/usr/local/sbin/cpufeat-systemd-test" <<-EOF
	#!/bin/sh
	echo "CPUFEAT-VM-START $nonce"
	cpufeat-run systemd
	echo "CPUFEAT-VM-EXIT=\$? $nonce"
	EOF
	chmod 755 "$r/usr/local/sbin/cpufeat-systemd-test" "$lib/suites/systemd.sh" \
		"$r/usr/local/bin/cpufeat-run"
	cat >"$r/etc/systemd/system/cpufeat-test.service" <<-'EOF'
	[Unit]
	Description=cpufeat systemd test (suites/systemd/boot.sh)
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
	cpio_pack "$r"
}

initrd=$tmp/initrd
cp "$IMG/stock.cpio.zst" "$initrd"
[ "$mode" = stock ] || cpio_append "$initrd" "$IMG/patched.cpio"
payload >"$tmp/payload.cpio"
cpio_append "$initrd" "$tmp/payload.cpio"

console=$tmp/console
qrc=0
timeout -k 5 "$timeout" "${qemu[@]}" -smp 2 -m 2G -no-reboot -serial stdio \
	-kernel "$KERNEL" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1 rdinit=/sbin/init systemd.show_status=0 cpufeat.mode=$mode" \
	</dev/null >"$console" 2>"$tmp/qemu.err" || qrc=$?
tr -d '\r' <"$console" >"$console.txt"
[ -z "${VM_LOG:-}" ] || cp "$console.txt" "$VM_LOG"

# What the runner printed between the markers, and its exit status.
sed -n "/^CPUFEAT-VM-START $nonce\$/,/CPUFEAT-VM-EXIT=[0-9]* $nonce\$/p" "$console.txt" |
	sed -e '1d' -e "s/CPUFEAT-VM-EXIT=[0-9]* $nonce\$//" | sed '/^$/d'
status=$(sed -n "s/.*CPUFEAT-VM-EXIT=\([0-9]*\) $nonce\$/\1/p" "$console.txt")
[ -z "$status" ] || exit "$status"
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "boot.sh: timeout: the $mode guest did not finish within ${timeout}s (VM_TIMEOUT)" >&2
	exit 124
fi
echo "boot.sh: the $mode guest stopped without reporting the runner's exit status (QEMU exit status $qrc); last console lines:" >&2
tail -n 30 "$console.txt" >&2
[ ! -s "$tmp/qemu.err" ] || sed 's/^/qemu: /' "$tmp/qemu.err" >&2
exit 125
