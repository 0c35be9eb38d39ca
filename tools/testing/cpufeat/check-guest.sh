#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of check.sh (busybox sh, as root): print the kernel log, where
# the KUnit suites left their KTAP results at boot, then run the cpufeat
# kselftest, then print what the kernel logged meanwhile, then (x86_64, where
# the initramfs has it) check the QEMU's CPUID faulting with
# cpuid-fault-test.  Each part sits between "@@cpufeat-check" marker lines
# that check.sh cuts the output at.
#
# KSFT_TIMEOUT (seconds, default 600) bounds the kselftest.

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

# Last, so that what it may log is not taken for the kselftest's.
if prog=$(command -v cpuid-fault-test); then
	mark cpuid-fault begin
	timeout 120 "$prog" 2>&1
	status=$?
	mark cpuid-fault end status=$status
fi
