# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# KTAP output (Documentation/dev-tools/ktap.rst) for the harness's tests,
# in POSIX sh: sourced by the guest runner and the guest parts (busybox
# ash; dash in the systemd guest) and by host-side tests (bash).  The
# shape is that of tools/testing/selftests/kselftest/ktap_helpers.sh.
#
# One test's results:
#   ktap_header              "KTAP version 1"
#   ktap_plan N              "1..N"
#   ktap_ok DESC             "ok N DESC"
#   ktap_not_ok DESC         "not ok N DESC"
#   ktap_skip DESC REASON    "ok N DESC # SKIP REASON"
#   ktap_result STATUS DESC  ok if STATUS is 0, else not ok
#   ktap_check DESC CMD...   runs CMD: ok if it succeeds; else not ok, with
#                            what CMD printed as diagnostics
#   ktap_diag [TEXT]         TEXT, or stdin, as "# " lines
#   ktap_finished            the kselftest "# Totals:" line; returns 1 if
#                            a result failed or fewer than planned came
#
# A document of parts (what every guest boot prints once, guest/run.sh):
#   ktap_part NAME CMD...    runs CMD (a part), its output indented as
#                            subtest NAME (its own version line dropped),
#                            then "# time: N s" and its result: ok if CMD
#                            exited 0 and, when KTAP_ALARMS names the alarm
#                            list (guest/alarms), the kernel log since the
#                            last part (since boot, for the first) has no
#                            line that matches it.

KTAP_N=0
KTAP_PLAN=
KTAP_PASSED=0
KTAP_FAILED=0
KTAP_SKIPPED=0

ktap_header() {
	echo "KTAP version 1"
}

ktap_plan() {
	KTAP_PLAN=$1
	echo "1..$1"
}

# _ktap_line RESULT DESC: the next result line.
_ktap_line() {
	KTAP_N=$((KTAP_N + 1))
	echo "$1 $KTAP_N $2"
}

ktap_ok() {
	KTAP_PASSED=$((KTAP_PASSED + 1))
	_ktap_line ok "$*"
}

ktap_not_ok() {
	KTAP_FAILED=$((KTAP_FAILED + 1))
	_ktap_line "not ok" "$*"
}

ktap_skip() {
	KTAP_SKIPPED=$((KTAP_SKIPPED + 1))
	_ktap_line ok "$1 # SKIP $2"
}

ktap_result() {
	if [ "$1" = 0 ]; then
		shift
		ktap_ok "$@"
	else
		shift
		ktap_not_ok "$@"
	fi
}

ktap_diag() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$*" | sed 's/^/# /'
	else
		sed 's/^/# /'
	fi
}

ktap_check() {
	_ktap_desc=$1
	shift
	if _ktap_out=$("$@" 2>&1); then
		ktap_ok "$_ktap_desc"
	else
		ktap_not_ok "$_ktap_desc"
		[ -z "$_ktap_out" ] || printf '%s\n' "$_ktap_out" | sed 's/^\(# \)\{0,1\}/# /'
	fi
}

ktap_finished() {
	echo "# Totals: pass:$KTAP_PASSED fail:$KTAP_FAILED xfail:0 xpass:0 skip:$KTAP_SKIPPED error:0"
	[ "$KTAP_FAILED" = 0 ] && [ "${KTAP_PLAN:-$KTAP_N}" = "$KTAP_N" ]
}

# Seconds since boot: unlike the time of day, it only goes forward.
_ktap_uptime() {
	cut -d. -f1 /proc/uptime
}

ktap_part() {
	_ktap_name=$1
	shift
	_ktap_start=$(_ktap_uptime)
	_ktap_tmp=${TMPDIR:-/tmp}/ktap-part.$$
	echo "  KTAP version 1"
	echo "  # Subtest: $_ktap_name"
	{ "$@" </dev/null 2>&1; echo $? >"$_ktap_tmp.status"; } |
		sed -e '/^K\{0,1\}TAP version [0-9][0-9]*$/d' -e 's/^/  /'
	_ktap_status=$(cat "$_ktap_tmp.status" 2>/dev/null || echo none)
	_ktap_why=
	[ "$_ktap_status" = 0 ] || _ktap_why="exit status $_ktap_status"
	if [ -n "${KTAP_ALARMS:-}" ]; then
		if dmesg -c >"$_ktap_tmp.log" 2>&1; then
			sed -e '/^#/d' -e '/^$/d' "$KTAP_ALARMS" >"$_ktap_tmp.re"
			grep -E -f "$_ktap_tmp.re" "$_ktap_tmp.log" >"$_ktap_tmp.alarms"
			if [ -s "$_ktap_tmp.alarms" ]; then
				head -n 20 "$_ktap_tmp.alarms" | sed 's/^/  # alarm: /'
				_ktap_why="${_ktap_why:+$_ktap_why, }$(wc -l <"$_ktap_tmp.alarms") alarm line(s) in the kernel log"
			fi
		else
			_ktap_why="${_ktap_why:+$_ktap_why, }the kernel log could not be read"
		fi
	fi
	rm -f "$_ktap_tmp".*
	echo "  # time: $(($(_ktap_uptime) - _ktap_start)) s"
	if [ -z "$_ktap_why" ]; then
		ktap_ok "$_ktap_name"
	else
		echo "# $_ktap_name: $_ktap_why"
		ktap_not_ok "$_ktap_name"
	fi
}
