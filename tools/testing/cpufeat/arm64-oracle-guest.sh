#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of arm64-oracle.sh (busybox sh, as root):
#
#   arm64-oracle-guest.sh [HIDE]
#
# Prints what a program in the root cgroup is told about the CPU and, with
# HIDE (a cpufeat.hwcap line such as "-sve -paca"), what a program in the
# cgroup /oracle that hides HIDE is told.  One record a line:
#
#   @@oracle SIDE auxv AT_HWCAP=0x... AT_HWCAP2=0x...   (cpufeat_probe --hwcap)
#   @@oracle SIDE idreg NAME=0x...               (cpufeat_probe --idregs, MRS)
#   @@oracle SIDE features NAME...      (each distinct "Features" line of
#                                        /proc/cpuinfo, as the program reads it)
#   @@oracle SIDE cpufeat ...           (/proc/self/cpufeat, for the log)
#   @@oracle SIDE status N              (0: every record above is complete)
#
# SIDE is "root" or "masked".  Every program is exec'd in its cgroup, so its
# view is the cgroup's; it runs as root without gaining privilege (no
# AT_SECURE), so the protected features are hidden like the others.

root=/sys/fs/cgroup

# run_in DIR PROGRAM [ARG]...: exec PROGRAM in cgroup DIR.
run_in() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"
}

# look SIDE DIR: the records of a program in DIR.
look() {
	side=$1 dir=$2 status=0
	out=$(run_in "$dir" cpufeat_probe --hwcap) || status=1
	echo "@@oracle $side auxv $out"
	out=$(run_in "$dir" cpufeat_probe --idregs) || status=1
	echo "$out" | sed "s/^/@@oracle $side idreg /"
	# busybox grep, exec'd in DIR, is the reader of /proc/cpuinfo.
	out=$(run_in "$dir" grep '^Features' /proc/cpuinfo) || status=1
	echo "$out" | sed 's/^Features[[:space:]]*:[[:space:]]*//' | sort -u |
		sed "s/^/@@oracle $side features /"
	echo "@@oracle $side cpufeat $(run_in "$dir" cat /proc/self/cpufeat | tr '\n' ' ')"
	echo "@@oracle $side status $status"
}

look root $root
if [ $# -gt 0 ]; then
	grep -qw cpufeat $root/cgroup.controllers || {
		echo "@@oracle masked error: the kernel has no cpufeat controller"
		exit 1
	}
	if ! { echo +cpufeat >$root/cgroup.subtree_control &&
		mkdir $root/oracle && echo "$1" >$root/oracle/cpufeat.hwcap; }; then
		echo "@@oracle masked error: cannot make the cgroup /oracle hide '$1'"
		exit 1
	fi
	echo "@@oracle masked effective $(cat $root/oracle/cpufeat.hwcap.effective)"
	look masked $root/oracle
fi
