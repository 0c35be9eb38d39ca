# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# What a program in a cgroup is told about the CPU, as records (POSIX sh,
# sourced by the guest parts of the demo and oracle suites).  A record is
# a KTAP diagnostic line,
#
#   # view SIDE KEY VALUE...
#
# SIDE names the cgroup ("root", "masked", ...).  view_of SIDE DIR prints
# the records of a program exec'd in cgroup DIR (so that its view is the
# cgroup's); it returns 1 if one could not be read.  Keys:
#
#   path          DIR below /sys/fs/cgroup, "/" for the root
#   hwcap, stat   DIR's cpufeat.hwcap and cpufeat.stat (not in the root)
#   effective     DIR's cpufeat.hwcap.effective (in the root, once cpufeat
#                 is enabled there)
#   proc_cpufeat  /proc/self/cpufeat: the view latched at exec
#   auxv          "AT_HWCAP=0x... AT_HWCAP2=0x..." (cpufeat_probe --hwcap)
#   auxv_names    the AT_HWCAP* bits set, by name (cpufeat_probe --names)
#   cpuid, cpuid_raw   x86: CPUID (cpufeat_probe --cpuid, --cpuid-raw)
#   idregs        arm64: "NAME=0x... REG.FIELD=N ..." (cpufeat_probe --idregs)
#   idreg         arm64: "NAME=0x..." and "REG.FIELD=N", a record a line
#                 (cpufeat_probe --idregs)
#   cpuinfo, cpuinfo_count   the probe's selection of /proc/cpuinfo's
#                 flags, and how many flags there are (cpufeat_probe --cpuinfo)
#   features      each distinct "flags" (x86) or "Features" (arm64) line of
#                 /proc/cpuinfo as the program reads it, a record each
#
# The values of one record are on one line; keys with a record per line
# (idreg, features) repeat.  view_records FILE SIDE KEY (host side, in
# lib.sh) reads them back.

VIEW_ROOT=/sys/fs/cgroup

# view_run DIR PROGRAM [ARG]...: PROGRAM exec'd in cgroup DIR.
view_run() {
	# shellcheck disable=SC2016 # $$ and $0 are the inner shell's
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"
}

# view_record SIDE KEY COMMAND...: COMMAND's output as one record; the
# status is COMMAND's.
view_record() {
	_view_side=$1 _view_key=$2
	shift 2
	_view_out=$("$@")
	_view_st=$?
	echo "# view $_view_side $_view_key $(printf '%s' "$_view_out" | tr '\n' ' ')"
	return $_view_st
}

# view_lines SIDE KEY COMMAND...: a record per line of COMMAND's output.
view_lines() {
	_view_side=$1 _view_key=$2
	shift 2
	_view_out=$("$@")
	_view_st=$?
	printf '%s\n' "$_view_out" | sed "s/^/# view $_view_side $_view_key /"
	return $_view_st
}

view_of() {
	_side=$1 _dir=$2 _st=0 _path=${2#"$VIEW_ROOT"}
	echo "# view $_side path ${_path:-/}"
	if [ -f "$_dir/cpufeat.hwcap" ]; then
		view_record "$_side" hwcap cat "$_dir/cpufeat.hwcap" || _st=1
	fi
	# The root has it once +cpufeat is in its cgroup.subtree_control.
	if [ -f "$_dir/cpufeat.hwcap.effective" ]; then
		view_record "$_side" effective cat "$_dir/cpufeat.hwcap.effective" || _st=1
	fi
	view_record "$_side" proc_cpufeat view_run "$_dir" cat /proc/self/cpufeat || _st=1
	view_record "$_side" auxv view_run "$_dir" cpufeat_probe --hwcap || _st=1
	view_record "$_side" auxv_names view_run "$_dir" cpufeat_probe --names || _st=1
	case $(uname -m) in
	x86_64)
		view_record "$_side" cpuid view_run "$_dir" cpufeat_probe --cpuid || _st=1
		view_record "$_side" cpuid_raw view_run "$_dir" cpufeat_probe --cpuid-raw || _st=1
		_view_flags=flags
		;;
	aarch64)
		view_record "$_side" idregs view_run "$_dir" cpufeat_probe --idregs || _st=1
		view_lines "$_side" idreg view_run "$_dir" cpufeat_probe --idregs || _st=1
		_view_flags=Features
		;;
	esac
	# --cpuinfo: the selected names, then "N flags" on a line of its own.
	_cpuinfo=$(view_run "$_dir" cpufeat_probe --cpuinfo) || _st=1
	echo "# view $_side cpuinfo $(printf '%s\n' "$_cpuinfo" | sed '$d' | tr '\n' ' ')"
	echo "# view $_side cpuinfo_count $(printf '%s\n' "$_cpuinfo" | sed -n '$s/ flags$//p')"
	# busybox grep, exec'd in DIR, is the reader of /proc/cpuinfo.
	_lines=$(view_run "$_dir" grep "^$_view_flags" /proc/cpuinfo) || _st=1
	printf '%s\n' "$_lines" | sed 's/^[^:]*:[[:space:]]*//' | sort -u |
		sed "s/^/# view $_side features /"
	if [ -f "$_dir/cpufeat.stat" ]; then
		view_record "$_side" stat cat "$_dir/cpufeat.stat" || _st=1
	fi
	return $_st
}

# view_cgroup DIR HIDE: make cgroup DIR (below the root, which gets
# +cpufeat) hide HIDE, a cpufeat.hwcap line.
view_cgroup() {
	grep -qw cpufeat "$VIEW_ROOT/cgroup.controllers" || {
		echo "# the kernel has no cpufeat controller"
		return 1
	}
	echo +cpufeat >"$VIEW_ROOT/cgroup.subtree_control" &&
		mkdir -p "$1" && echo "$2" >"$1/cpufeat.hwcap"
}
