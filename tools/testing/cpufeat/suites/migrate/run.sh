#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two-machine migration as one KTAP document (check.sh's boot
# x86_64-migrate): part "migrate/A", a boot on machine A (-cpu max) that
# checkpoints the workload, and part "migrate/B", a boot on machine B (A's
# model without avx and avx2) that restores it (migrate-guest.sh says what
# each checks).  vm --out carries the images from A to B.
#
#   suites/migrate/run.sh        (VM_BUILD=0: no make; the kernel, the
#                                 initramfs and the eco overlay exist)
set -uo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$HARNESS/guest/ktap.sh"

S=$HARNESS/suites/migrate
# Machine B: machine A's model without what the migration must not need.
B_CPU=${MIGRATE_B_CPU:-max,vendor=GenuineIntel,-avx2,-avx}
OUT=$BUILD/migrate/out

work=$("$S/fetch.sh") || die "migrate: the workload could not be fetched"

# guest_phase PHASE VM-ARGS...: one boot; the guest's own plan comes last,
# which ktap_part passes through as it is.
guest_phase() {
	local phase=$1
	shift
	env VM_TIMEOUT="${VM_TIMEOUT:-900}" "$HARNESS/vm" --arch x86_64 --eco "$@" \
		--add "$work" --add "$S/migrate-guest.sh" -- sh migrate-guest.sh "$phase"
}

phase_a() {
	rm -rf "$OUT"
	guest_phase A --out "$OUT"
}

phase_b() {
	[ -d "$OUT/img" ] || { echo "# no images from machine A in $OUT"; return 1; }
	QEMU_CPU=$B_CPU guest_phase B --append print-fatal-signals=1 --add "$OUT/img"
}

ktap_header
ktap_plan 2
ktap_part A phase_a
ktap_part B phase_b
