#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The core suite's parts, in the test guest (busybox sh, as root; run by
# cpufeat-run, guest/run.sh):
#
#   guest.sh kunit|kselftest|tool|cpuid-fault|hwcap|hwcap-mask
#
# Each prints the KTAP (or TAP 13) of one test program:
#
#   kunit        the KUnit suites cpufeat* as the kernel logged them at
#                boot (their KTAP, cut from the kernel log: no debugfs
#                needed), under a plan of their number
#   kselftest    the cpufeat kselftest, test_cpufeat
#   tool         the cpufeat tool against the real controller
#                (tools/cpufeat/tests/guest-test.sh)
#   cpuid-fault  x86_64: the QEMU's CPUID faulting (cpuid-fault-test,
#                setup/qemu/README)
#   hwcap        arm64: the upstream hwcap kselftest
#                (tools/testing/selftests/arm64/abi/hwcap.c), root cgroup
#   hwcap-mask   arm64: the same in a cgroup whose cpufeat.hwcap hides
#                $HWCAP_HIDE
#
# KSFT_TIMEOUT (seconds, default 600) bounds the kselftest, and each run of
# hwcap.
#
# What the masked run hides: hwcap checks, for each hwcap it knows, that
# AT_HWCAP* and the Features of /proc/cpuinfo agree, that the feature's
# instructions work when the hwcap is there and, only for the entries marked
# sigill_reliable (SVE, SME, SME2, MOPS, FPMR, POE, HBC in Linux 6.12), that
# they raise SIGILL when it is not.  cpufeat enforces sve (a program whose
# view hides it gets SIGILL from SVE instructions); everything else it
# hides is discovery-only, so hiding any other sigill_reliable feature would
# fail by design.  sha3, i8mm and paca have no entry of their own there but
# thin out AT_HWCAP*, /proc/cpuinfo and the ID registers (and hiding sve
# hides sve2, svei8mm and the other SVE hwcaps, whose entries do not demand
# SIGILL).
HWCAP_HIDE="-sve -sha3 -i8mm -paca"
LIB=${CPUFEAT_LIB:-/usr/lib/cpufeat}
timeout=${KSFT_TIMEOUT:-600}

# need PROGRAM: PROGRAM is in the guest, or a "Bail out!".
need() {
	command -v "$1" >/dev/null && return
	echo "Bail out! $1 is not in the guest"
	exit 1
}

# The KTAP of the suites cpufeat* in the kernel log (busybox dmesg
# prints "[    1.234567] " prefixes when the kernel has PRINTK_TIME):
# a suite is the lines from its "# Subtest:" to its result at column 0.
kunit() {
	dmesg | sed 's/^\[[^]]*\] \{0,1\}//' | awk '
		/^    KTAP version/ { next }
		/^    # Subtest: / { name = $3; buf = "    KTAP version 1\n" $0 "\n"; on = 1; next }
		on && /^(not )?ok [0-9]+ / {
			on = 0
			if ($0 ~ /^not/) { res = "not ok"; n = $4 } else { res = "ok"; n = $3 }
			if (name ~ /^cpufeat/) { out = out buf res " " ++k " " n "\n" }
			next
		}
		on { buf = buf $0 "\n" }
		END {
			# A suite that never printed its result: its lines, no result.
			if (on && name ~ /^cpufeat/) { out = out buf; k++ }
			if (!k) { print "Bail out! no KUnit suite cpufeat* in the kernel log"; exit 1 }
			printf "KTAP version 1\n1..%d\n%s", k, out
		}'
}

case "${1:-}" in
kunit)
	kunit
	;;
kselftest)
	need test_cpufeat
	timeout "$timeout" test_cpufeat
	;;
tool)
	sh "$LIB/cpufeat-tool-test.sh"
	;;
cpuid-fault)
	need cpuid-fault-test
	timeout 120 cpuid-fault-test
	;;
hwcap)
	need hwcap
	timeout "$timeout" hwcap
	;;
hwcap-mask)
	need hwcap
	# shellcheck source=SCRIPTDIR/../../guest/view.sh
	. "$LIB/view.sh"
	cg=$VIEW_ROOT/hwcap-masked
	view_cgroup $cg "$HWCAP_HIDE" || {
		echo "Bail out! cannot make $cg hide '$HWCAP_HIDE'"
		exit 1
	}
	echo "# $cg: cpufeat.hwcap '$HWCAP_HIDE', effective: $(cat $cg/cpufeat.hwcap.effective)"
	# exec'd in the cgroup: its view is the cgroup's.
	view_run $cg timeout "$timeout" hwcap
	;;
*)
	echo "usage: guest.sh kunit|kselftest|tool|cpuid-fault|hwcap|hwcap-mask" >&2
	exit 2
	;;
esac
