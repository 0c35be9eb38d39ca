#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every cpufeat test and count the results:
#
#   check.sh ARCH...        (ARCH: x86_64, arm64, x86_64-debug, arm64-debug)
#
# First the host-side tests of the TAP parser and of the cpufeat tool
# (tools/cpufeat/tests/host-test.sh), then for each ARCH one boot of its
# guest (tools/testing/cpufeat/vm) that prints the KUnit results the
# cpufeat* suites left in the kernel log, runs the test_cpufeat kselftest
# and the cpufeat tool's guest test (check-guest.sh, part "tool").  x86_64 adds a host-side check that vm runs
# the QEMU with CPUID faulting (tests/qemu-test.sh) and, in the guest, the
# check that CPUID faulting works (qemu/cpuid-fault-test.c).  arm64 adds,
# in the guest, the upstream hwcap kselftest in the root cgroup and in a
# masked cgroup (parts "hwcap" and "hwcap-mask"), and two more boots of its
# guest that compare hiding features through cpufeat with the kernel's own
# arm64.no* overrides (arm64-oracle.sh, part "oracle").  tapcount.py counts
# the TAP of each.
#
# ARCH-debug (make check runs x86_64-debug; arm64-debug on demand, make
# check-arm64-debug) is one boot of ARCH's debug kernel (build-kernel.sh ARCH debug: KASAN, lockdep, UBSAN,
# kmemleak ...) that runs the KUnit suites, the kselftest and the parallel
# stress run (stress.c) and scans for leaks (debug-guest.sh).  Part
# "checkers" passes when the whole console log of that boot has no report
# of any checker (BUG, WARNING, KASAN, lockdep, RCU stall, UBSAN, kmemleak)
# and the kmemleak scan found nothing.  With x86_64, two parts boot guests
# of their own: "eco" (eco/eco-guest.sh: libcgroup, runc, crun, LXC and
# CRIU, the recipes of the containers guide) and "systemd"
# (systemd/check-systemd.sh: systemd 252 as PID 1, patched and stock).
# Last, part "bench-smoke": every benchmark of make bench, a few rounds
# each, on the ARCHes' guests.
#
# What counts: KUnit test cases, a parameterized case once per parameter
# (the leaves of the KTAP tree); every "ok"/"not ok" of the kselftest and
# the other TAP streams.  "# SKIP" counts as skipped, never passed.
# Missing results are failures: a suite absent from the log, fewer results
# than the "1..N" plan, a guest that did not finish.  So are kernel warnings
# logged while the kselftest ran.
#
# Raw output goes to $BUILD/check/ARCH.log (the guest command's output,
# then vm's messages) and $BUILD/check/ARCH.console.log (the whole
# console).  The last line printed is "N passed, N failed", the line before
# it "N skipped"; the exit status is 0 only if nothing failed.
#
# Environment: KSFT_TIMEOUT (guest, default 600 s), VM_TIMEOUT (whole guest
# run, default 900 s here; 1800 s on the debug kernel), STRESS_SECONDS and
# STRESS_OPS (debug-guest.sh), GUEST_ADD (more files for the guest's /tmp/in,
# which is on its PATH after /usr/bin: e.g. a test_cpufeat build to try)
# and what vm reads.
set -uo pipefail

HARNESS=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HARNESS/../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
export TOP BUILD

TAPCOUNT=$HARNESS/tapcount.py
LOGDIR=$BUILD/check

usage() {
	echo "usage: check.sh ARCH...   (ARCH: x86_64 arm64 x86_64-debug arm64-debug)" >&2
	exit 2
}

[ $# -gt 0 ] || usage
arches=()
debug_arches=()
for arch in "$@"; do
	case "$arch" in
	x86_64 | arm64) arches+=("$arch") ;;
	x86_64-debug | arm64-debug) debug_arches+=("${arch%-debug}") ;;
	*) usage ;;
	esac
done
mkdir -p "$LOGDIR"

total_pass=0
total_fail=0
total_skip=0
rows=()
notes=()

# row ARCH PART PASSED FAILED SKIPPED: a line of the table.
row() {
	rows+=("$(printf '%-10s %-10s %7d %7d %8d' "$@")")
}

# add_row ARCH PART PASSED FAILED SKIPPED: results, into the table and totals.
add_row() {
	row "$@"
	total_pass=$((total_pass + $3))
	total_fail=$((total_fail + $4))
	total_skip=$((total_skip + $5))
}

# count ARCH PART FILE [tapcount.py options]: count one TAP stream.
count() {
	local arch=$1 part=$2 file=$3 out line p f s
	shift 3
	out=$(python3 "$TAPCOUNT" --label "$arch $part" "$@" "$file" 2>&1)
	line=$(grep '^counts: ' <<<"$out" | tail -n 1)
	if [[ $line =~ passed=([0-9]+)\ failed=([0-9]+)\ skipped=([0-9]+) ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
	else
		p=0 f=1 s=0
		notes+=("# $arch $part: tapcount.py failed: $out")
	fi
	while IFS= read -r line; do
		notes+=("$line")
	done < <(grep '^# ' <<<"$out")
	add_row "$arch" "$part" "$p" "$f" "$s"
}

# section NAME FILE: the lines between the NAME begin and end markers.
section() {
	awk -v begin="@@cpufeat-check $1 begin" -v end="@@cpufeat-check $1 end" '
		index($0, end) == 1 { on = 0 }
		on { print }
		$0 == begin { on = 1 }' "$2"
}

# section_status NAME FILE: the exit status the guest reported for NAME.
section_status() {
	sed -n "s/^@@cpufeat-check $1 end status=\([0-9]*\).*/\1/p" "$2"
}

# host_test PART SCRIPT: run a host-side TAP test and count it; a failing
# exit that its TAP does not show counts as one failure.
host_test() {
	local tap=$LOGDIR/host-$1.tap status

	"$2" >"$tap" 2>&1
	status=$?
	count host "$1" "$tap"
	if [ $status != 0 ] && ! grep -q '^not ok' "$tap"; then
		notes+=("# host $1: the test exited with status $status")
		add_row host "$1" 0 1 0
	fi
}

# guest_ended ARCH PART SECTION PROGRAM FAILS: note a guest program that
# did not end well ($log); a failing exit counts as a failure of its own
# (in $extra) unless its TAP already showed FAILS failures.
guest_ended() {
	local status

	status=$(section_status "$3" "$log")
	if [ -z "$status" ]; then
		notes+=("# $1 $2: the guest never reported that $4 ended")
	elif [ "$status" != 0 ]; then
		notes+=("# $1 $2: $4 exited with status $status")
		[ "$5" != 0 ] || extra=$((extra + 1))
	fi
}

# The parser's own test first: everything below depends on it.
echo "  TEST    host: tapcount.py"
host_test tapcount "$HARNESS/tests/tapcount-test.sh"
# The cpufeat tool (tools/cpufeat) against a fake system.
echo "  TEST    host: the cpufeat tool"
host_test cpufeat-tool "$TOP/tools/cpufeat/tests/host-test.sh"

for arch in ${arches[@]+"${arches[@]}"}; do
	log=$LOGDIR/$arch.log
	adds=(--add "$HARNESS/check-guest.sh" --add "$TOP/tools/cpufeat/tests/guest-test.sh")
	for f in ${GUEST_ADD:-}; do
		adds+=(--add "$f")
	done
	# Bring the guest up to date here, where its build can be seen (a
	# quick no-op under "make check"), rather than quietly inside vm.
	if [ "${VM_BUILD:-1}" != 0 ] &&
	   ! make -C "$TOP" --no-print-directory "guest-$arch"; then
		notes+=("# $arch: building the guest failed (make guest-$arch)")
		add_row "$arch" guest 0 1 0
		continue
	fi
	if [ "$arch" = x86_64 ]; then
		echo "  TEST    host: the x86_64 guest's QEMU"
		host_test qemu "$HARNESS/tests/qemu-test.sh"
	fi
	echo "  BOOT    $arch: KUnit and kselftest (log: $log)"
	VM_BUILD=0 VM_TIMEOUT=${VM_TIMEOUT:-900} \
		VM_LOG=$LOGDIR/$arch.console.log \
		"$HARNESS/vm" --arch "$arch" "${adds[@]}" \
		-- env KSFT_TIMEOUT="${KSFT_TIMEOUT:-600}" sh check-guest.sh \
		>"$log" 2>"$log.stderr"
	vm_status=$?
	if [ -s "$log.stderr" ]; then
		{ echo "----- vm (stderr) -----"; cat "$log.stderr"; } >>"$log"
	fi
	rm -f "$log.stderr"

	pass0=$total_pass fail0=$total_fail skip0=$total_skip
	section kunit "$log" >"$LOGDIR/$arch.kunit.tap"
	section kselftest "$log" >"$LOGDIR/$arch.kselftest.tap"
	section dmesg "$log" >"$LOGDIR/$arch.dmesg-after.log"
	section cpufeat-tool "$log" >"$LOGDIR/$arch.cpufeat-tool.tap"
	count "$arch" kunit "$LOGDIR/$arch.kunit.tap" --suite 'cpufeat*'
	count "$arch" kselftest "$LOGDIR/$arch.kselftest.tap"
	tool_fail0=$total_fail
	count "$arch" tool "$LOGDIR/$arch.cpufeat-tool.tap"
	tool_fail1=$total_fail
	if [ "$arch" = x86_64 ]; then
		section cpuid-fault "$log" >"$LOGDIR/$arch.cpuid-fault.tap"
		cf_fail0=$total_fail
		count "$arch" qemu-cpuid "$LOGDIR/$arch.cpuid-fault.tap"
	fi
	if [ "$arch" = arm64 ]; then
		section hwcap-root "$log" >"$LOGDIR/$arch.hwcap-root.tap"
		section hwcap-masked "$log" >"$LOGDIR/$arch.hwcap-masked.tap"
		hw_fail0=$total_fail
		count "$arch" hwcap "$LOGDIR/$arch.hwcap-root.tap"
		hwm_fail0=$total_fail
		count "$arch" hwcap-mask "$LOGDIR/$arch.hwcap-masked.tap"
		oracle_tap=$LOGDIR/$arch.oracle.tap
		echo "  BOOT    $arch: twice, cpufeat against arm64.no* (log: $oracle_tap)"
		ORACLE_LOGDIR=$LOGDIR "$HARNESS/arm64-oracle.sh" >"$oracle_tap" 2>&1
		oracle_status=$?
		or_fail0=$total_fail
		count "$arch" oracle "$oracle_tap"
	fi

	# What the TAP streams cannot tell.
	extra=0
	if [ $vm_status != 0 ]; then
		notes+=("# $arch: vm exited with status $vm_status ($(grep '^vm: ' "$log" | head -n 1))")
		extra=$((extra + 1))
	fi
	guest_ended "$arch" kselftest kselftest test_cpufeat \
		$((tool_fail0 - fail0))
	guest_ended "$arch" tool cpufeat-tool guest-test.sh \
		$((tool_fail1 - tool_fail0))
	warnings=$(grep -cE 'WARNING:|BUG:|Oops|Kernel panic|general protection|Unable to handle|KASAN|UBSAN|refcount_t:' \
		"$LOGDIR/$arch.dmesg-after.log")
	if [ "$warnings" != 0 ]; then
		notes+=("# $arch: $warnings kernel warning line(s) while the kselftest ran (see $LOGDIR/$arch.dmesg-after.log)")
		extra=$((extra + 1))
	fi
	if [ "$arch" = x86_64 ]; then
		guest_ended "$arch" qemu-cpuid cpuid-fault cpuid-fault-test \
			$((total_fail - cf_fail0))
	fi
	if [ "$arch" = arm64 ]; then
		guest_ended "$arch" hwcap hwcap-root hwcap \
			$((hwm_fail0 - hw_fail0))
		guest_ended "$arch" hwcap-mask hwcap-masked hwcap \
			$((or_fail0 - hwm_fail0))
		if [ "$oracle_status" != 0 ] && [ "$total_fail" = "$or_fail0" ]; then
			notes+=("# $arch oracle: arm64-oracle.sh exited with status $oracle_status")
			extra=$((extra + 1))
		fi
	fi
	[ $extra = 0 ] || add_row "$arch" guest 0 "$extra" 0
	row "$arch" total $((total_pass - pass0)) $((total_fail - fail0)) \
		$((total_skip - skip0))
done

# ---- x86_64 parts that boot guests of their own: eco and systemd ----
# own_boot PART LABEL LOG WHAT COMMAND...: run COMMAND (which boots its own
# guest), its TAP in LOG, counted as x86_64's part PART and summed in row
# LABEL; a non-zero exit with no failure counted counts as one.
own_boot() {
	local part=$1 label=$2 log=$3 what=$4
	local pass0=$total_pass fail0=$total_fail skip0=$total_skip st

	shift 4
	"$@" >"$log" 2>&1
	st=$?
	count x86_64 "$part" "$log"
	if [ $st != 0 ] && [ "$total_fail" = "$fail0" ]; then
		notes+=("# x86_64 $part: $what exited with status $st")
		add_row x86_64 "$part" 0 1 0
	fi
	row "$label" total $((total_pass - pass0)) $((total_fail - fail0)) \
		$((total_skip - skip0))
}
checks_x86_64() {
	[[ " ${arches[*]-} " == *" x86_64 "* ]]
}

# Part "eco" (CHECK_ECO=0 leaves it out): eco/fetch.sh builds the overlay
# of Debian packages (cached), vm --eco boots the x86_64 guest with it and
# runs eco/eco-guest.sh, which executes the recipes of
# Documentation/admin-guide/cgroup-v2-cpufeat-containers.rst with
# libcgroup, runc, crun, LXC and CRIU.
eco_run() {
	local elog=$LOGDIR/x86_64-eco.log

	echo "  BOOT    x86_64: libcgroup, runc, crun, LXC, CRIU (log: $elog)"
	if ! "$HARNESS/eco/fetch.sh" x86_64; then
		notes+=("# x86_64 eco: building the overlay failed (eco/fetch.sh)")
		add_row x86_64 eco 0 1 0
		return
	fi
	own_boot eco x86_64-eco "$elog" "vm or eco-guest.sh" \
		env VM_BUILD=0 VM_TIMEOUT="${VM_TIMEOUT:-900}" \
		VM_LOG="$LOGDIR/x86_64-eco.console.log" \
		"$HARNESS/vm" --arch x86_64 --eco --add "$HARNESS/eco/eco-guest.sh" \
		-- sh eco-guest.sh
}
if [ "${CHECK_ECO:-1}" != 0 ] && checks_x86_64; then
	eco_run
fi

# Part "systemd" (CHECK_SYSTEMD=0 leaves it out): systemd/check-systemd.sh
# builds what it needs (cached: the "systemd" kernel flavour, the patched
# systemd of systemd/build.sh, the Debian 12 image of systemd/mkimage.sh)
# and boots the image twice: AllowedCPUFeatures= with our systemd, the
# no-patch recipe of the containers guide with Debian's.
if [ "${CHECK_SYSTEMD:-1}" != 0 ] && checks_x86_64; then
	echo "  BOOT    x86_64: systemd 252 as PID 1, patched and Debian's (log: $LOGDIR/x86_64-systemd.log)"
	own_boot systemd x86_64-sd "$LOGDIR/x86_64-systemd.log" check-systemd.sh \
		env VM_TIMEOUT="${VM_TIMEOUT:-600}" \
		VM_LOG_DIR="$LOGDIR/x86_64-systemd.console" \
		"$HARNESS/systemd/check-systemd.sh"
fi
# ---- end of the x86_64 parts with their own boots ----

# What the checkers of a debug kernel print when they find something.
CHECKER_REPORTS='BUG:|WARNING:|Oops|Kernel panic|general protection|Unable to handle|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|unreferenced object|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|rcu: INFO|detected stall|sleeping function called from invalid context|ODEBUG|list_add corruption|list_del corruption|refcount_t:'

# debug_run ARCH: the debug kernel's boot (debug-guest.sh).
debug_run() {
	local arch=$1 dlog=$LOGDIR/$1-debug.log console=$LOGDIR/$1-debug.console.log
	local pass0=$total_pass fail0=$total_fail skip0=$total_skip vm_status reports

	if [ "${VM_BUILD:-1}" != 0 ] &&
	   ! make -C "$TOP" --no-print-directory "guest-$arch" "kernel-$arch-debug"; then
		notes+=("# $arch-debug: building the debug kernel failed (make kernel-$arch-debug)")
		add_row "$arch-dbg" guest 0 1 0
		return
	fi
	echo "  BOOT    $arch debug kernel: KUnit, kselftest, stress, kmemleak (log: $dlog)"
	VM_BUILD=0 VM_TIMEOUT=${VM_TIMEOUT:-1800} VM_LOG=$console \
		"$HARNESS/vm" --arch "$arch" --flavour debug \
		--add "$HARNESS/debug-guest.sh" \
		-- env KSFT_TIMEOUT="${KSFT_TIMEOUT:-900}" \
		STRESS_SECONDS="${STRESS_SECONDS:-300}" STRESS_OPS="${STRESS_OPS:-200}" \
		sh debug-guest.sh >"$dlog" 2>&1
	vm_status=$?

	section kunit "$dlog" >"$LOGDIR/$arch-debug.kunit.tap"
	section kselftest "$dlog" >"$LOGDIR/$arch-debug.kselftest.tap"
	section stress "$dlog" >"$LOGDIR/$arch-debug.stress.tap"
	section kmemleak "$dlog" >"$LOGDIR/$arch-debug.kmemleak.log"
	count "$arch-dbg" kunit "$LOGDIR/$arch-debug.kunit.tap" --suite 'cpufeat*'
	ksft_fail0=$total_fail
	count "$arch-dbg" kselftest "$LOGDIR/$arch-debug.kselftest.tap"
	stress_fail0=$total_fail
	count "$arch-dbg" stress "$LOGDIR/$arch-debug.stress.tap"
	stress_fail1=$total_fail
	# Its figures, and what it complained of.
	while IFS= read -r line; do
		notes+=("# $arch-dbg stress: ${line#\# }")
	done < <(grep -E '^(# |ok |not ok )' "$LOGDIR/$arch-debug.stress.tap")

	reports=$(grep -cE "$CHECKER_REPORTS" "$console" 2>/dev/null)
	if [ -s "$LOGDIR/$arch-debug.kmemleak.log" ]; then
		notes+=("# $arch-dbg: kmemleak found leaks (see $LOGDIR/$arch-debug.kmemleak.log)")
		reports=$((reports + 1))
	fi
	if [ ! -s "$console" ] || [ "$(section_status kmemleak "$dlog")" != 0 ]; then
		notes+=("# $arch-dbg: no console log or no kmemleak scan, so no verdict on the checkers")
		add_row "$arch-dbg" checkers 0 1 0
	elif [ "${reports:-0}" != 0 ]; then
		notes+=("# $arch-dbg: $reports checker report line(s) in $console")
		add_row "$arch-dbg" checkers 0 1 0
	else
		add_row "$arch-dbg" checkers 1 0 0
	fi

	extra=0
	log=$dlog
	if [ $vm_status != 0 ]; then
		notes+=("# $arch-dbg: vm exited with status $vm_status ($(grep '^vm: ' "$dlog" | head -n 1))")
		extra=$((extra + 1))
	fi
	guest_ended "$arch-dbg" kselftest kselftest test_cpufeat \
		$((stress_fail0 - ksft_fail0))
	guest_ended "$arch-dbg" stress stress cpufeat-stress \
		$((stress_fail1 - stress_fail0))
	[ $extra = 0 ] || add_row "$arch-dbg" guest 0 "$extra" 0
	row "$arch-dbg" total $((total_pass - pass0)) $((total_fail - fail0)) \
		$((total_skip - skip0))
}

for arch in ${debug_arches[@]+"${debug_arches[@]}"}; do
	debug_run "$arch"
done

# A short run of every benchmark (bench.sh --smoke) on the cpufeat kernels,
# so that make bench cannot rot: it asserts that each produced a number,
# nothing about the numbers.
if [ ${#arches[@]} -gt 0 ]; then
	echo "  BENCH   smoke: ${arches[*]} (log: $LOGDIR/bench-smoke.tap)"
	VM_BUILD=0 "$HARNESS/bench.sh" --smoke --no-baseline "${arches[@]}" \
		>"$LOGDIR/bench-smoke.tap" 2>&1
	count "$(IFS=+; echo "${arches[*]}")" bench-smoke "$LOGDIR/bench-smoke.tap"
fi

echo
printf '%-10s %-10s %7s %7s %8s\n' ARCH PART PASSED FAILED SKIPPED
printf '%s\n' "${rows[@]}"
if [ ${#notes[@]} -gt 0 ]; then
	echo
	printf '%s\n' "${notes[@]}"
fi
echo "KUnit: each test case counts, a parameterized case once per parameter."
echo "Logs: $LOGDIR/"
echo
# Skips are reported apart, and the last line has exactly this form.
echo "$total_skip skipped (not counted as passed)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
