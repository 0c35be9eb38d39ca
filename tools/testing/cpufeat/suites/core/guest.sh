#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of check.sh (busybox sh, as root): print the kernel log, where
# the KUnit suites left their KTAP results at boot, then run the cpufeat
# kselftest, then print what the kernel logged meanwhile, then run the
# cpufeat tool's guest test (guest-test.sh, added by check.sh), then
# (x86_64, where the initramfs has it) check the QEMU's CPUID faulting with
# cpuid-fault-test, and (arm64, where the initramfs has it) run the upstream
# hwcap kselftest (tools/testing/selftests/arm64/abi/hwcap.c) twice: in the
# root cgroup, and in a cgroup whose cpufeat.hwcap hides $HWCAP_HIDE.  Each
# part sits between "@@cpufeat-check" marker lines that check.sh cuts the
# output at.
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

mark() {
	echo "@@cpufeat-check $*"
}

mark kunit begin
# -c: clear the log, so that the last part shows only new messages.
dmesg -c
mark kunit end

mark kselftest begin
if prog=$(command -v test_cpufeat); then
	timeout "${KSFT_TIMEOUT:-600}" "$prog" 2>&1
	status=$?
else
	echo "# test_cpufeat is not in the guest"
	status=127
fi
mark kselftest end status=$status

mark dmesg begin
dmesg
mark dmesg end

# The cpufeat tool against the real controller (tools/cpufeat/tests).
mark cpufeat-tool begin
sh guest-test.sh 2>&1
mark cpufeat-tool end status=$?

# Last, so that what it may log is not taken for the kselftest's.
if prog=$(command -v cpuid-fault-test); then
	mark cpuid-fault begin
	timeout 120 "$prog" 2>&1
	status=$?
	mark cpuid-fault end status=$status
fi

# Last too: arm64's hwcap kselftest, unmasked and masked.
if prog=$(command -v hwcap); then
	mark hwcap-root begin
	timeout "${KSFT_TIMEOUT:-600}" "$prog" 2>&1
	status=$?
	mark hwcap-root end status=$status

	mark hwcap-masked begin
	cg=/sys/fs/cgroup/hwcap-masked
	if echo +cpufeat >/sys/fs/cgroup/cgroup.subtree_control &&
	   mkdir -p $cg && echo "$HWCAP_HIDE" >$cg/cpufeat.hwcap; then
		echo "# $cg: cpufeat.hwcap '$HWCAP_HIDE', effective: $(cat $cg/cpufeat.hwcap.effective)"
		# exec'd in the cgroup: its view is the cgroup's.
		# shellcheck disable=SC2016 # $$ and $0 are the inner shell's
		timeout "${KSFT_TIMEOUT:-600}" \
			sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' $cg "$prog" 2>&1
		status=$?
	else
		echo "Bail out! cannot make $cg hide '$HWCAP_HIDE'"
		status=1
	fi
	mark hwcap-masked end status=$status
fi
