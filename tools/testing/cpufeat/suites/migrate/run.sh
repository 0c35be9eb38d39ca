#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two-machine migration as one KTAP document (check.sh's boots
# x86_64-migrate and arm64-migrate): part "migrate/A", a boot on machine
# A (-cpu max) that checkpoints the workload, and part "migrate/B", a boot
# on machine B that restores it (x86_64: A's model without avx and avx2;
# arm64: cortex-a72, Armv8.0) (migrate-guest.sh says what each checks).
# vm --out carries the images from A to B.
#
#   suites/migrate/run.sh [x86_64|arm64]   (VM_BUILD=0: no make; the
#                           kernel, the initramfs and the eco overlay exist)
set -uo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$HARNESS/guest/ktap.sh"

S=$HARNESS/suites/migrate
arch=${1:-x86_64}
# Machine B: a model without what the migration must not need; arm64's
# guest side (migrate-arm64.sh) comes along.
case "$arch" in
x86_64) B_CPU=${MIGRATE_B_CPU:-max,vendor=GenuineIntel,-avx2,-avx} arch_files=() ;;
arm64) B_CPU=${MIGRATE_B_CPU:-cortex-a72} arch_files=(--add "$S/migrate-arm64.sh") ;;
*) die "migrate: unknown architecture '$arch' (x86_64 or arm64)" ;;
esac
OUT=$BUILD/migrate/$arch/out

work=$("$S/fetch.sh" "$arch") || die "migrate: the workload could not be fetched"

# guest_phase PHASE VM-ARGS...: one boot; the guest's own plan comes last,
# which ktap_part passes through as it is.
guest_phase() {
	local phase=$1
	shift
	env VM_TIMEOUT="${VM_TIMEOUT:-900}" "$HARNESS/vm" --arch "$arch" --eco "$@" \
		--add "$work" --add "$S/migrate-guest.sh" ${arch_files[@]+"${arch_files[@]}"} \
		-- sh migrate-guest.sh "$phase"
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
