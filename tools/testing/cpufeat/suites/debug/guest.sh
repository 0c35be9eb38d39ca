#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of check.sh's run on the debug kernel (build-kernel.sh ARCH
# debug: KASAN, lockdep, DEBUG_OBJECTS, UBSAN, kmemleak), busybox sh as
# root.  In order: the kernel log with the KUnit results of the boot, the
# cpufeat kselftest, the parallel stress run (cpufeat-stress), then a
# kmemleak scan, then everything the kernel logged after the boot.  Each
# part sits between "@@cpufeat-check" marker lines; check.sh counts the TAP
# and looks for reports of the checkers in the whole console log.
#
# STRESS_SECONDS (default 300) and STRESS_OPS (default 200) bound the
# stress run, KSFT_TIMEOUT (default 900) the kselftest.

mark() {
	echo "@@cpufeat-check $*"
}

mount -t debugfs debugfs /sys/kernel/debug || echo "# cannot mount debugfs"

mark kunit begin
dmesg -c
mark kunit end

mark kselftest begin
timeout "${KSFT_TIMEOUT:-900}" test_cpufeat 2>&1
mark kselftest end status=$?

mark stress begin
start=$(date +%s)
timeout $((${STRESS_SECONDS:-300} + 300)) cpufeat-stress \
	--seconds "${STRESS_SECONDS:-300}" --ops "${STRESS_OPS:-200}" 2>&1
status=$?
echo "# the stress run took $(($(date +%s) - start)) s"
mark stress end status=$status

# kmemleak reports objects unreferenced for 5 s or more, found by a scan:
# wait that long after the last test, scan twice, read the report.
mark kmemleak begin
leaks=/sys/kernel/debug/kmemleak
if [ -w $leaks ]; then
	sleep 6
	echo scan >$leaks && echo scan >$leaks && cat $leaks
	status=$?
else
	echo "# no $leaks"
	status=1
fi
mark kmemleak end status=$status

mark dmesg begin
dmesg
mark dmesg end
