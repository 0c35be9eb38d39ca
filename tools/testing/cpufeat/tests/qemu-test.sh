#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check of the QEMU the x86_64 guest runs under: the one vm
# picks (QEMU_X86_64, else $BUILD/qemu/bin/qemu-system-x86_64) is the
# build with CPUID faulting (qemu/README) and starts the guest's machine
# and CPU model.  Whether CPUID faulting works is for the guest to tell
# (qemu/cpuid-fault-test.c, run by check-guest.sh).  Prints TAP; exits
# non-zero if a case fails.  Takes well under a second.
set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$dir/../../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}

# What qemu/build.sh puts in the version string (--with-pkgversion).
MARK="cpufeat CPUID faulting"

n=0
failed=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# Each line of $1 as a TAP diagnostic.
diag() {
	local l
	while IFS= read -r l; do
		echo "# $l"
	done <<<"$1"
}

echo "TAP version 13"
echo "1..3"

read -ra qemu <<<"${QEMU_X86_64:-$BUILD/qemu/bin/qemu-system-x86_64}"
ok=0
if ! command -v "${qemu[0]}" >/dev/null; then
	echo "# ${qemu[0]}: not found (make qemu)"
	ok=1
fi
result $ok "qemu_present ${qemu[0]}"

ok=0
out=$("${qemu[@]}" --version 2>&1) || ok=1
if [ $ok = 0 ] && ! grep -qF "$MARK" <<<"$out"; then
	echo "# not the patched QEMU: its version does not mention \"$MARK\""
	ok=1
fi
[ $ok = 0 ] || diag "$out"
result $ok "qemu_is_patched"

# The machine as vm starts it, stopped before the first instruction: this
# loads the BIOS and option ROMs, from Debian's qemu-system-x86 package.
ok=0
out=$(echo quit | timeout 60 "${qemu[@]}" -M pc -accel tcg \
	-cpu "${QEMU_CPU:-max,vendor=GenuineIntel}" -nodefaults -display none \
	-S -monitor stdio 2>&1) || ok=1
[ $ok = 0 ] || diag "$out"
result $ok "qemu_starts_pc_machine"

[ $failed = 0 ]
