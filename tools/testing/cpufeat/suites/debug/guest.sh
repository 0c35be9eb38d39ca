#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The debug suite's parts, in the guest of the debug kernel
# (setup/build-kernel.sh ARCH debug: KASAN, lockdep, DEBUG_OBJECTS, UBSAN,
# kmemleak), busybox sh as root, run by cpufeat-run after the core
# suite's kunit and kselftest parts:
#
#   guest.sh stress|kmemleak
#
#   stress    the parallel stress run (cpufeat-stress, programs/stress.c)
#   kmemleak  a kmemleak scan once the tests are done: one result, ok
#             when it reports no leak
#
# What the checkers report in the kernel log fails the part that was
# running (guest/alarms); check.sh also scans the whole console.
#
# STRESS_SECONDS (default 300) and STRESS_OPS (default 200) bound the
# stress run.

case "${1:-}" in
stress)
	start=$(date +%s)
	timeout $((${STRESS_SECONDS:-300} + 300)) cpufeat-stress \
		--seconds "${STRESS_SECONDS:-300}" --ops "${STRESS_OPS:-200}"
	status=$?
	echo "# the stress run took $(($(date +%s) - start)) s"
	exit $status
	;;
kmemleak)
	# kmemleak reports objects unreferenced for 5 s or more, found by a
	# scan: wait that long after the last test, scan twice, read the
	# report.
	# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
	. "${CPUFEAT_LIB:-/usr/lib/cpufeat}/ktap.sh"
	leaks=/sys/kernel/debug/kmemleak
	[ -e $leaks ] || mount -t debugfs debugfs /sys/kernel/debug
	ktap_header
	ktap_plan 1
	ktap_check "kmemleak finds no leak" sh -c "
		[ -w $leaks ] || { echo 'no $leaks'; exit 1; }
		sleep 6
		echo scan >$leaks && echo scan >$leaks && cat $leaks >/tmp/kmemleak &&
			cat /tmp/kmemleak && [ ! -s /tmp/kmemleak ]"
	ktap_finished
	;;
*)
	echo "usage: guest.sh stress|kmemleak" >&2
	exit 2
	;;
esac
