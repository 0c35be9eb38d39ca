#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every cpufeat test and count the results:
#
#   check.sh ARCH...        (ARCH: x86_64, arm64, x86_64-debug, arm64-debug)
#
# Every guest boot runs the guest runner (cpufeat-run, guest/run.sh),
# which prints ONE KTAP document: a plan of one test per part, each part a
# subtest with its own results (the KUnit suites, the kselftest, ...).  The
# host-side tests make one more document, "host", of the same shape.  Each
# document is counted once, by tapcount.py --parts (README: what counts).
#
# The documents (BOOT: the parts that run in it, suite/part):
#
#   x86_64               core/kunit core/kselftest core/tool core/cpuid-fault
#   x86_64-amd           core/kunit core/kselftest core/cpuid-fault (the same
#                        kernel on an AMD-vendor CPU, QEMU_CPU below: AMD's
#                        CPUID faulting, HWCR bit 35)
#   x86_64-eco           eco, eco/criu-hook (vm --eco: libcgroup, runc,
#                        crun, LXC, CRIU; the cpufeat tool's CRIU hook)
#   x86_64-containers    eco/podman, eco/docker (vm --containers: podman,
#                        Docker)
#   x86_64-migrate       migrate/A migrate/B (two boots, suites/migrate/
#                        run.sh: perl, openssl and a static Go program
#                        checkpointed on -cpu max, restored on a model
#                        without avx and avx2)
#   arm64-migrate        migrate/A migrate/B (the same with arm64's perl,
#                        openssl and Go program, from -cpu max to
#                        cortex-a72)
#   x86_64-systemd       systemd (systemd 252 with our patches as PID 1,
#                        suites/systemd/boot.sh patched)
#   x86_64-systemd-stock systemd (Debian's systemd, the no-patch recipe)
#   arm64                core/kunit oracle core/kselftest core/tool
#                        core/hwcap core/hwcap-mask
#   arm64-nofeat         oracle (booted with the arm64.no* overrides)
#   ARCH-debug           core/kunit core/kselftest debug/stress
#                        debug/kmemleak (the debug kernel: KASAN, lockdep,
#                        UBSAN, kmemleak ...)
#   ARCH-bench           bench (a smoke run of make bench's benchmarks)
#   host                 tapcount, ktap, cpufeat-tool, qemu (with x86_64), oracle
#                        (with arm64: the arm64 boot's view against
#                        arm64-nofeat's), checkers-ARCH (with ARCH-debug: no
#                        line of the alarm list, guest/alarms, in the whole
#                        console of the debug boot), bench-smoke (every
#                        benchmark gave a number)
#
# x86_64 runs the first eight and ARCH-bench, arm64 the next three and
# ARCH-bench (CHECK_ECO=0, CHECK_MIGRATE=0 and CHECK_SYSTEMD=0 leave those
# out; CHECK_ECO=0 leaves out x86_64-containers and both migrations too).
# How:
#
#   1. build: make what the boots need, one target at a time, in the
#      background (niced); beside it QEMU (built while the kernel tree
#      is laid out) and the downloads and builds of the eco overlay and
#      the systemd image (network-bound, then niced);
#   2. boot: each guest as soon as what it needs is built, CHECK_JOBS
#      (default 2) at a time, the longest first: a guest mostly keeps one
#      of the two cores busy, the builds take what the guests leave;
#   3. host: the host-side tests, then the table.
#
# A boot that does not finish (vm exits non-zero) counts one failure more;
# a part it did not run counts one.  The table gives each part's counts and
# wall time, each document's total and wall time; the last line is
# "N passed, N failed", the line before it "N skipped"; the exit status is
# 0 only if nothing failed.  Logs: $BUILD/check/BOOT.tap (the document),
# BOOT.console.log (the whole console), BOOT.err (vm's messages).
#
# Environment: CHECK_JOBS, CHECK_ECO, CHECK_SYSTEMD, VM_TIMEOUT (per boot;
# defaults below), KSFT_TIMEOUT (guest, default 600 s; 900 s on the debug
# kernel), STRESS_SECONDS and STRESS_OPS (suites/debug/guest.sh),
# GUEST_ADD (more files for the x86_64 and arm64 boots' /tmp/in, on their
# PATH after /usr/bin) and what vm reads.
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=SCRIPTDIR/guest/ktap.sh
. "$HARNESS/guest/ktap.sh"

LOGDIR=$BUILD/check
JOBS=${CHECK_JOBS:-2}
T0=$SECONDS

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
with() {
	[[ " ${arches[*]-} " == *" $1 "* ]]
}
with_eco() {
	with x86_64 && [ "${CHECK_ECO:-1}" != 0 ]
}
with_systemd() {
	with x86_64 && [ "${CHECK_SYSTEMD:-1}" != 0 ]
}
with_migrate() {
	with_eco && [ "${CHECK_MIGRATE:-1}" != 0 ]
}
with_migrate_arm64() {
	with arm64 && [ "${CHECK_ECO:-1}" != 0 ] && [ "${CHECK_MIGRATE:-1}" != 0 ]
}
mkdir -p "$LOGDIR"
rm -f "$LOGDIR"/*.tap "$LOGDIR"/*.result "$LOGDIR"/*.err

# ---- the boots ----
boots=()
for arch in ${debug_arches[@]+"${debug_arches[@]}"}; do
	boots+=("$arch-debug")
done
with_migrate_arm64 && boots+=(arm64-migrate)
with arm64 && boots+=(arm64)
with x86_64 && boots+=(x86_64 x86_64-amd)
with_eco && boots+=(x86_64-containers x86_64-eco)
with_migrate && boots+=(x86_64-migrate)
with_systemd && boots+=(x86_64-systemd x86_64-systemd-stock)
with arm64 && boots+=(arm64-nofeat)
for arch in ${arches[@]+"${arches[@]}"}; do
	boots+=("$arch-bench")
done

# boot_def BOOT: sets "parts" (what runs in it), "needs" (the make targets
# and prep jobs it waits for) and "cmd" (how it boots; its stdout is the
# document, except for the bench boots: raw output in $BUILD/bench-smoke).
boot_def() {
	local boot=$1 arch=${1%%-*} adds=() f
	for f in ${GUEST_ADD:-}; do
		adds+=(--add "$f")
	done
	needs=("guest-$arch")
	[ "$arch" != x86_64 ] || needs+=(prep-qemu)
	case "$boot" in
	x86_64 | arm64)
		parts=(core/kunit core/kselftest core/tool core/cpuid-fault)
		[ "$arch" = x86_64 ] || parts=(core/kunit oracle core/kselftest core/tool
					       core/hwcap core/hwcap-mask)
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-1800}" "$HARNESS/vm" --arch "$arch"
		     ${adds[@]+"${adds[@]}"} -- env KSFT_TIMEOUT="${KSFT_TIMEOUT:-600}"
		     cpufeat-run "${parts[@]}")
		;;
	x86_64-amd)
		parts=(core/kunit core/kselftest core/cpuid-fault)
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-1800}" QEMU_CPU="$AMD_CPU" "$HARNESS/vm"
		     --arch x86_64 -- env KSFT_TIMEOUT="${KSFT_TIMEOUT:-600}"
		     cpufeat-run "${parts[@]}")
		;;
	x86_64-eco)
		parts=(eco eco/criu-hook)
		needs+=(prep-eco)
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-900}" "$HARNESS/vm" --arch x86_64 --eco
		     -- cpufeat-run "${parts[@]}")
		;;
	x86_64-containers)
		parts=(eco/podman eco/docker)
		needs+=(prep-eco)
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-1200}" "$HARNESS/vm" --arch x86_64 --containers
		     -- cpufeat-run "${parts[@]}")
		;;
	x86_64-migrate)
		parts=(migrate/A migrate/B)
		needs+=(prep-eco prep-migrate)
		cmd=("$HARNESS/suites/migrate/run.sh")
		;;
	arm64-migrate)
		parts=(migrate/A migrate/B)
		needs+=(prep-eco-arm64 prep-migrate-arm64)
		cmd=("$HARNESS/suites/migrate/run.sh" arm64)
		;;
	x86_64-systemd | x86_64-systemd-stock)
		parts=(systemd)
		needs+=(prep-systemd)
		f=patched
		[ "$boot" = x86_64-systemd ] || f=stock
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-900}" "$HARNESS/suites/systemd/boot.sh" "$f")
		;;
	arm64-nofeat)
		parts=(oracle)
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-900}" "$HARNESS/vm" --arch arm64
		     --append "$("$HARNESS/suites/oracle/oracle.sh" --overrides)"
		     -- cpufeat-run oracle)
		;;
	*-debug)
		parts=(core/kunit core/kselftest debug/stress debug/kmemleak)
		needs+=("kernel-$arch-debug")
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-2700}" "$HARNESS/vm" --arch "$arch"
		     --flavour debug -- env KSFT_TIMEOUT="${KSFT_TIMEOUT:-900}"
		     STRESS_SECONDS="${STRESS_SECONDS:-300}" STRESS_OPS="${STRESS_OPS:-200}"
		     cpufeat-run "${parts[@]}")
		;;
	*-bench)
		parts=(bench)
		cmd=(env VM_TIMEOUT="${VM_TIMEOUT:-1800}" "$HARNESS/suites/bench/bench.sh"
		     --smoke --no-baseline --only boot "$arch")
		;;
	esac
}

# The document of BOOT.
doc() {
	case "$1" in
	*-bench) echo "$BUILD/bench-smoke/raw-${1%-bench}-patched.txt" ;;
	*) echo "$LOGDIR/$1.tap" ;;
	esac
}

# ---- 1. build, 2. boot ----
# What the boots need, each make target once, one after the other in the
# background (the builder); a boot starts as soon as what it needs is
# built, beside the builds that follow.  A boot whose target failed is not
# booted (its parts count as not run).
targets=()
for boot in "${boots[@]}"; do
	boot_def "$boot"
	for f in "${needs[@]}"; do
		[[ $f == prep-* ]] || [[ " ${targets[*]-} " == *" $f "* ]] || targets+=("$f")
	done
done
declare -A failed_target=()

# Beside the kernel builds: the eco overlay (apt-get download), the
# migration's workload (apt-get download, the Go program's build) and the
# systemd image (debootstrap, apt-get source, then the build of systemd,
# niced as the builder is: the two share what the boots leave).
prep() {
	local name=$1
	shift
	msg PREP "$name (log: $LOGDIR/prep-$name.log)"
	( "$@" >"$LOGDIR/prep-$name.log" 2>&1
	  echo $? >"$LOGDIR/prep-$name.status" ) &
	prep_pid[$name]=$!
}
# The packages first (a no-op under make check), so that nothing beside
# needs apt.
make -C "$TOP" --no-print-directory deps || failed_target[deps]=1
rm -f "$LOGDIR"/prep-*.status "$LOGDIR"/make-*.status "$LOGDIR/build.time"
declare -A prep_pid=()
with_eco && prep eco "$HARNESS/suites/eco/fetch.sh" x86_64
with_migrate && prep migrate nice -n 5 "$HARNESS/suites/migrate/fetch.sh"
with_migrate_arm64 && prep eco-arm64 nice -n 5 "$HARNESS/suites/eco/fetch.sh" arm64
with_migrate_arm64 && prep migrate-arm64 nice -n 5 "$HARNESS/suites/migrate/fetch.sh" arm64
with_systemd && prep systemd nice -n 5 "$HARNESS/suites/systemd/mkimage.sh"
# QEMU needs no kernel tree: built while the tree is laid out and the
# first kernel configured (mostly one core), it is ready before that
# kernel is; the x86_64 boots wait for it, the builder leaves it out.
[[ " ${boots[*]} " != *" x86_64"* ]] ||
	prep qemu nice -n 5 make -C "$TOP" --no-print-directory -o deps qemu

# The kernel tree once, then each target without remaking it (-o); a
# target's exit status goes to make-TARGET.status.  The builder runs at a
# lower priority than the boots, which take one core each.
builder() {
	local t t1
	for t in ${targets[@]+"${targets[@]}"}; do
		t1=$SECONDS
		nice -n 5 make -C "$TOP" --no-print-directory -o deps -o tree -o qemu "$t"
		echo $? >"$LOGDIR/make-$t.status"
		msg BUILT "$t ($((SECONDS - t1)) s)"
	done
	echo $((SECONDS - T0)) >"$LOGDIR/build.time"
}
t1=$SECONDS
if ! make -C "$TOP" --no-print-directory -o deps tree; then
	targets=()
	failed_target[tree]=1
fi
msg BUILT "tree ($((SECONDS - t1)) s)"
builder &
builder_pid=$!

# ready BOOT: 0 if what BOOT needs is there, 1 if not yet, 2 if it failed.
ready() {
	local n
	boot_def "$1"
	for n in "${needs[@]}"; do
		if [[ $n == prep-* ]]; then
			n=${n#prep-}
			if [ ! -f "$LOGDIR/prep-$n.status" ]; then
				kill -0 "${prep_pid[$n]}" 2>/dev/null || return 2
				return 1
			fi
			[ "$(cat "$LOGDIR/prep-$n.status")" = 0 ] || return 2
		elif [ -n "${failed_target[$n]:-}" ]; then
			return 2
		elif [ ! -f "$LOGDIR/make-$n.status" ]; then
			kill -0 "$builder_pid" 2>/dev/null || return 2
			return 1
		elif [ "$(cat "$LOGDIR/make-$n.status")" != 0 ]; then
			return 2
		fi
	done
}

# run_boot BOOT: boot it; "STATUS SECONDS" in BOOT.result.
run_boot() {
	local boot=$1 t1=$SECONDS st
	boot_def "$boot"
	msg BOOT "$boot: ${parts[*]} (log: $(doc "$boot"))"
	VM_BUILD=0 VM_LOG=$LOGDIR/$boot.console.log \
		"${cmd[@]}" >"$LOGDIR/$boot.tap" 2>"$LOGDIR/$boot.err"
	st=$?
	echo "$st $((SECONDS - t1))" >"$LOGDIR/$boot.result"
	msg DONE "$boot ($((SECONDS - t1)) s)"
}

declare -A boot_pid=()
pending=("${boots[@]}")
while [ ${#pending[@]} -gt 0 ] || [ ${#boot_pid[@]} -gt 0 ]; do
	for pid in "${!boot_pid[@]}"; do
		kill -0 "$pid" 2>/dev/null && continue
		wait "$pid"
		unset "boot_pid[$pid]"
	done
	for i in "${!pending[@]}"; do
		[ ${#boot_pid[@]} -lt "$JOBS" ] || break
		boot=${pending[$i]}
		ready "$boot"
		case $? in
		0)
			run_boot "$boot" &
			boot_pid[$!]=$boot
			unset 'pending[i]'
			;;
		2)
			msg SKIP "$boot: what it needs could not be built"
			echo "skip 0" >"$LOGDIR/$boot.result"
			unset 'pending[i]'
			;;
		esac
	done
	pending=(${pending[@]+"${pending[@]}"})
	sleep 1
done
wait
for t in ${targets[@]+"${targets[@]}"}; do
	[ "$(cat "$LOGDIR/make-$t.status" 2>/dev/null)" = 0 ] || failed_target[$t]=1
done
BUILD_TIME=$(cat "$LOGDIR/build.time" 2>/dev/null || echo "?")
BOOT_TIME=$((SECONDS - T0))

# ---- 3. host ----
# checkers ARCH: no line of the alarm list in the debug boot's console.
checkers() {
	local console=$LOGDIR/$1-debug.console.log
	ktap_header
	ktap_plan 1
	# shellcheck disable=SC2016 # $1 is the inner shell's
	ktap_check "no checker report in the console of the $1 debug kernel" sh -c '
		[ -s "$1" ] || { echo "no console log $1"; exit 1; }
		sed -e "/^#/d" -e "/^\$/d" "$2" | grep -E -f - "$1" | head -n 20 | grep . && exit 1
		exit 0' sh "$console" "$HARNESS/guest/alarms"
	ktap_finished
}

host_parts=(tapcount ktap cpufeat-tool)
with x86_64 && host_parts+=(qemu)
with arm64 && host_parts+=(oracle)
for arch in ${debug_arches[@]+"${debug_arches[@]}"}; do
	host_parts+=("checkers-$arch")
done
[ ${#arches[@]} = 0 ] || host_parts+=(bench-smoke)

host_part() {
	case "$1" in
	tapcount) "$HARNESS/tests/tapcount-test.py" ;;
	ktap) "$HARNESS/tests/ktap-test.sh" ;;
	cpufeat-tool) "$TOP/tools/cpufeat/tests/host-test.sh" ;;
	qemu) "$HARNESS/tests/qemu-test.sh" ;;
	oracle) "$HARNESS/suites/oracle/oracle.sh" "$(doc arm64)" "$(doc arm64-nofeat)" ;;
	checkers-*) checkers "${1#checkers-}" ;;
	bench-smoke) "$HARNESS/suites/bench/bench.sh" --smoke --no-baseline --only eval "${arches[@]}" ;;
	esac
}
msg TEST "host: ${host_parts[*]} (log: $LOGDIR/host.tap)"
{
	ktap_header
	ktap_plan ${#host_parts[@]}
	for p in "${host_parts[@]}"; do
		ktap_part "$p" host_part "$p"
	done
} >"$LOGDIR/host.tap" 2>&1
HOST_TIME=$((SECONDS - T0 - BOOT_TIME))

# ---- the table ----
total_pass=0 total_fail=0 total_skip=0
rows=()
notes=()
row() {
	rows+=("$(printf '%-21s %-14s %7s %7s %8s %7s' "$@")")
}

# count DOC FILE EXPECTED SECONDS: the rows of one document.
count() {
	local name=$1 file=$2 expect=$3 secs=$4 out line t
	local dp=0 df=0 ds=0
	out=$(python3 "$HARNESS/tapcount.py" --parts --expect "$expect" \
		--label "$name" "$file" 2>&1)
	while IFS= read -r line; do
		if [[ $line =~ ^part\ (.*)\ passed=([0-9]+)\ failed=([0-9]+)\ skipped=([0-9]+)\ time=(.*)$ ]]; then
			t=${BASH_REMATCH[5]}
			[ "$t" = - ] || t="$t s"
			row "$name" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" \
				"${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" "$t"
		elif [[ $line == "# "* ]]; then
			notes+=("$line")
		elif [[ $line =~ ^counts:\ passed=([0-9]+)\ failed=([0-9]+)\ skipped=([0-9]+) ]]; then
			dp=${BASH_REMATCH[1]} df=${BASH_REMATCH[2]} ds=${BASH_REMATCH[3]}
		fi
	done <<<"$out"
	if ! grep -q '^counts: ' <<<"$out"; then
		notes+=("# $name: tapcount.py failed: $out")
		df=$((df + 1))
	fi
	DOC_PASS=$dp DOC_FAIL=$df DOC_SKIP=$ds DOC_TIME=$secs
}

# total DOC: the document's total row, and the totals.
total() {
	row "$1" total "$DOC_PASS" "$DOC_FAIL" "$DOC_SKIP" "$DOC_TIME s"
	total_pass=$((total_pass + DOC_PASS))
	total_fail=$((total_fail + DOC_FAIL))
	total_skip=$((total_skip + DOC_SKIP))
}

count host "$LOGDIR/host.tap" "$(IFS=,; echo "${host_parts[*]}")" "$HOST_TIME"
total host
for boot in "${boots[@]}"; do
	boot_def "$boot"
	read -r st secs <"$LOGDIR/$boot.result" 2>/dev/null || st=none secs=0
	names=()
	for p in "${parts[@]}"; do
		names+=("${p#*/}")
	done
	count "$boot" "$(doc "$boot")" "$(IFS=,; echo "${names[*]}")" "$secs"
	if [ "$st" = skip ]; then
		notes+=("# $boot: not booted: building what it needs failed")
	elif [ "$st" != 0 ]; then
		notes+=("# $boot: the boot exited with status $st: $(grep -m1 . "$LOGDIR/$boot.err")")
		row "$boot" guest 0 1 0 -
		DOC_FAIL=$((DOC_FAIL + 1))
	fi
	total "$boot"
done

echo
printf '%-21s %-14s %7s %7s %8s %7s\n' DOCUMENT PART PASSED FAILED SKIPPED TIME
printf '%s\n' "${rows[@]}"
if [ ${#notes[@]} -gt 0 ]; then
	echo
	printf '%s\n' "${notes[@]}"
fi
for t in "${!failed_target[@]}"; do
	echo "# make $t failed"
	total_fail=$((total_fail + 1))
done
for f in "$LOGDIR"/prep-*.status; do
	[ ! -f "$f" ] || [ "$(cat "$f")" = 0 ] ||
		echo "# ${f%.status}.log: the build it logs failed"
done
echo "KUnit: each test case counts, a parameterized case once per parameter."
echo "Time: builds done at $BUILD_TIME s, boots (beside them, $JOBS at a time) done at $BOOT_TIME s, host $HOST_TIME s; in all $((SECONDS - T0)) s."
echo "Logs: $LOGDIR/"
echo
# Skips are reported apart, and the last line has exactly this form.
echo "$total_skip skipped (not counted as passed)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
