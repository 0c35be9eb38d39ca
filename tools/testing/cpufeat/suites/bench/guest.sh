#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bench suite's part, in the guest (busybox sh; run by cpufeat-run as
# part "bench" in the guests bench.sh boots with vm --icount):
#
#   BENCH_MODE=full|smoke BENCH_FLAVOUR=patched|baseline|amd guest.sh bench
#
# bench.sh boots the guest with "maxcpus=1 norandmaps": one CPU (nothing
# else runs while the clock counts) and no address-space randomisation.
#
# Runs cpufeat-bench (programs/bench.c) in the cgroups each metric needs
# and prints KTAP: a result per run of cpufeat-bench, its RESULT lines as
# diagnostics with the test renamed after the metric,
#
#   # RESULT NAME TOTAL_NS N
#
# and "# INFO KEY VALUE" lines (counters read from cpufeat.stat).  On the
# baseline kernel (no cpufeat) only the root-cgroup tests run; in the
# AMD-vendor guest (flavour amd: the cpufeat kernel on bench.sh's AMD_CPU)
# only the CPUID tests, whose emulation there rides on AMD's CPUID
# faulting.  The tests
# that need no cgroup with a restricted view run first, while the
# cpufeat_restricting static key is still off.
set -eu
# A failing cpufeat-bench must fail the run, not just its sed.
# shellcheck disable=SC3040 # busybox ash has it
set -o pipefail

# The results go to a file and reach the console at the end: no console
# output (and its interrupts) while a benchmark runs.
if [ "${1:-}" != --inner ]; then
	rc=0
	sh "$0" --inner >/tmp/bench.out 2>&1 || rc=$?
	n=$(grep -cE '^(not )?ok ' /tmp/bench.out || true)
	[ $rc = 0 ] || n=$((n + 1))
	echo "KTAP version 1"
	echo "1..$n"
	cat /tmp/bench.out
	[ $rc = 0 ] || echo "not ok $n the benchmarks ran to the end (exit status $rc)"
	exit $rc
fi
mode=${BENCH_MODE:-full}
flavour=${BENCH_FLAVOUR:-patched}
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "${CPUFEAT_LIB:-/usr/lib/cpufeat}/ktap.sh"
CG=/sys/fs/cgroup
B=cpufeat-bench
EXIT=/usr/bin/cpufeat-bench-exit
arch=$(uname -m)

# Iterations: enough that start-up and timer ticks are noise (full), or
# just enough to produce a number (smoke).
if [ "$mode" = smoke ]; then
	n_calib=10000 n_spawn=5 n_glibc=2 n_sys=100 n_emul=100 n_pp=100
	n_cpuinfo=3 n_write=2 sizes="1 10" n_mem=10 depths="1 4" rounds=1
else
	n_calib=10000000 n_spawn=1000 n_glibc=200 n_sys=100000 n_emul=20000
	n_pp=20000 n_cpuinfo=200 n_write=10 sizes="1 100 1000 10000"
	n_mem=1000 depths="1 32 128" rounds=5
fi

# The feature the masked cgroups hide: in CPUID 7.0 EBX on x86 (what
# bench.c's cpuid loop reads), in ID_AA64ISAR0_EL1 on arm64 (its mrs loop).
case "$arch" in
x86_64) mask=-avx2 ;;
*) mask=-sha3 ;;
esac

# run NAME COMMAND...: a result, COMMAND's RESULT lines renamed NAME; a
# failing cpufeat-bench fails the run.
run() {
	name=$1
	shift
	"$@" | sed "s/^RESULT [^ ]*/# RESULT $name/"
	ktap_ok "$name"
}

# info KEY VALUE: a counter.
info() {
	echo "# INFO $1 $2"
}

# stat CGROUP KEY: a value of CGROUP/cpufeat.stat.
stat() {
	sed -n "s/^$2 //p" "$1/cpufeat.stat"
}

# mask_cgroup: $CG/m hides $mask (from here on the static key is on).
mask_cgroup() {
	echo +cpufeat >$CG/cgroup.subtree_control
	mkdir $CG/m
	echo "$mask" >$CG/m/cpufeat.hwcap
	grep -q . $CG/m/cpufeat.hwcap
}

# Let what the boot left to do (deferred work) finish first: under
# -icount sleep=off an idle guest skips ahead to its next timer at once.
sleep 1
run calib $B calib $n_calib
if [ "$flavour" = amd ]; then
	run getppid $B getppid $n_sys
	run cpuid-root $B cpuid $n_emul
	run cpuid-user $B cpuid-user $n_emul
	mask_cgroup
	run cpuid-masked $B -c $CG/m cpuid $n_emul
	exit 0
fi
run spawn-root $B spawn $n_spawn $EXIT
# The same again: how much the same measurement varies within a boot.
run spawn-root-again $B spawn $n_spawn $EXIT
run spawn-root-glibc $B spawn $n_glibc /usr/bin/$B nop 0
run getppid $B getppid $n_sys
run pingpong-root $B pingpong $n_pp
run cpuinfo-root $B cpuinfo $n_cpuinfo
case "$arch" in
x86_64)
	run cpuid-root $B cpuid $n_emul
	run cpuid-user $B cpuid-user $n_emul
	run smsw-root $B smsw $n_emul
	;;
aarch64)
	run mrs-root $B mrs $n_emul
	;;
esac
[ "$flavour" = patched ] || exit 0

mask_cgroup
# The exec metrics that compare cgroups run interleaved, in $rounds rounds
# of n_spawn/rounds each: whatever drifts during the boot (slab and page
# allocator state, pid numbers) drifts for all of them alike.  bench.sh
# adds up the RESULT lines of one name.
for d in $depths; do
	$B chain "$d" "$CG/d$d" "$mask" >"/tmp/leaf-$d"
done
for _ in $(seq $rounds); do
	run spawn-root-keyon $B spawn $((n_spawn / rounds)) $EXIT
	run spawn-masked $B -c $CG/m spawn $((n_spawn / rounds)) $EXIT
	for d in $depths; do
		leaf=$(cat "/tmp/leaf-$d")
		run "spawn-depth-$d" $B -c "$leaf" spawn $((n_spawn / rounds)) $EXIT
	done
done
# The glibc start-up's emulated instructions per exec: every exec counted
# in cpufeat.stat over this run is one of cpufeat-bench (glibc, static).
case "$arch" in
x86_64) key=emulated_cpuid ;;
*) key=emulated_mrs ;;
esac
e0=$(stat $CG/m restricted_execs)
c0=$(stat $CG/m $key)
run spawn-masked-glibc $B -c $CG/m spawn $n_glibc /usr/bin/$B nop 0
info glibc-execs $(( $(stat $CG/m restricted_execs) - e0 ))
info "glibc-$key" $(( $(stat $CG/m $key) - c0 ))
case "$arch" in
x86_64)
	c0=$(stat $CG/m emulated_cpuid)
	run cpuid-masked $B -c $CG/m cpuid $n_emul
	c1=$(stat $CG/m emulated_cpuid)
	info cpuid-masked-emulated $((c1 - c0))
	;;
aarch64)
	c0=$(stat $CG/m emulated_mrs)
	run mrs-masked $B -c $CG/m mrs $n_emul
	c1=$(stat $CG/m emulated_mrs)
	info mrs-masked-emulated $((c1 - c0))
	;;
esac
run pingpong-mixed $B pingpong $n_pp $CG/m
run pingpong-masked $B -c $CG/m pingpong $n_pp $CG/m
run cpuinfo-masked $B -c $CG/m cpuinfo $n_cpuinfo
# shellcheck disable=SC2086 # $sizes is a list
$B hwcap-write $n_write $CG/w "$mask" $sizes | sed 's/^RESULT/# RESULT/'
ktap_ok hwcap-write
# The same, where every child hides $mask itself: no child's set changes.
# shellcheck disable=SC2086 # $sizes is a list
$B hwcap-kept $n_write $CG/k "$mask" $sizes | sed 's/^RESULT/# RESULT/'
ktap_ok hwcap-kept
$B mem $n_mem $CG/mem "$mask" | sed 's/^RESULT/# RESULT/'
ktap_ok mem
