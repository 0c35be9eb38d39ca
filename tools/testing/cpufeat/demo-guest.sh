#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of demo.sh (busybox sh, as root): make the cgroup /demo hide
# $DEMO_HIDE, then look at what programs are told in the root cgroup and in
# /demo.  Prints one record per line, "@@demo SIDE KEY VALUE...", that
# demo.sh lays out side by side; anything else is an error to show.

root=/sys/fs/cgroup
demo=$root/demo

record() {
	side=$1 key=$2
	shift 2
	# One line per record, whatever the value holds.
	echo "@@demo $side $key $(echo "$*" | tr '\n' ' ')"
}

# Run a program in a cgroup: it is exec'd there, so its view is the
# cgroup's.
run_in() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"
}

# What a program started in cgroup $2 is told; $1 names the column.
look() {
	side=$1 dir=$2 path=${2#"$root"}
	record "$side" path "${path:-/}"
	[ -f "$dir/cpufeat.hwcap" ] && record "$side" hwcap "$(cat "$dir/cpufeat.hwcap")"
	record "$side" effective "$(cat "$dir/cpufeat.hwcap.effective")"
	record "$side" auxv "$(run_in "$dir" cpufeat_probe --hwcap)"
	record "$side" auxv_names "$(run_in "$dir" cpufeat_probe --names)"
	record "$side" proc_cpufeat "$(run_in "$dir" cat /proc/self/cpufeat)"
	record "$side" cpuid "$(run_in "$dir" cpufeat_probe --cpuid)"
	record "$side" cpuid_raw "$(run_in "$dir" cpufeat_probe --cpuid-raw)"
	# --cpuinfo: the selected names, then "N flags" on a line of its own.
	cpuinfo=$(run_in "$dir" cpufeat_probe --cpuinfo)
	record "$side" cpuinfo "$(echo "$cpuinfo" | sed '$d')"
	record "$side" cpuinfo_count "$(echo "$cpuinfo" | sed -n '$s/ flags$//p')"
	# arm64: the ID registers as programs in $dir read them with MRS,
	# "NAME=0x..." then "REG.FIELD=N" words.
	[ "$machine" = aarch64 ] &&
		record "$side" idregs "$(run_in "$dir" cpufeat_probe --idregs)"
	[ -f "$dir/cpufeat.stat" ] && record "$side" stat "$(cat "$dir/cpufeat.stat")"
}

grep -qw cpufeat $root/cgroup.controllers || {
	echo "the kernel has no cpufeat controller"
	exit 1
}
echo +cpufeat >$root/cgroup.subtree_control &&
	mkdir $demo &&
	echo "$DEMO_HIDE" >$demo/cpufeat.hwcap || exit 1

machine=$(uname -m)
record demo written "$DEMO_HIDE"
record root machine "$machine"
record root filters "$(cat $root/cpufeat.filters 2>/dev/null || echo unknown)"
look root $root
look demo $demo
