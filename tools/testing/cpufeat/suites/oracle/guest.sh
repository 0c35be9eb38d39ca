#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The oracle suite's part, in the arm64 guest (busybox sh, as root; run by
# cpufeat-run as part "oracle" of the arm64 boot and of the boot with the
# arm64.no* overrides, suites/oracle/oracle.sh):
#
#   guest.sh oracle
#
# Records (guest/view.sh) what a program in the root cgroup is told about
# the CPU, and what a program in the cgroup /oracle that hides $HIDE is
# told, each followed by a result: ok if every record could be read.  The
# record "# view masked written HIDE" says what was hidden.
#
# Every program is exec'd in its cgroup, so its view is the cgroup's; it
# runs as root without gaining privilege (no AT_SECURE), so the protected
# features are hidden like the others.
HIDE="-sve -paca -pacg -bti -mte"
LIB=${CPUFEAT_LIB:-/usr/lib/cpufeat}
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$LIB/ktap.sh"
# shellcheck source=SCRIPTDIR/../../guest/view.sh
. "$LIB/view.sh"

ktap_header
ktap_plan 2
view_of root $VIEW_ROOT
ktap_result $? "the root cgroup's view is recorded"
echo "# view masked written $HIDE"
if view_cgroup $VIEW_ROOT/oracle "$HIDE"; then
	view_of masked $VIEW_ROOT/oracle
	ktap_result $? "the view of a cgroup hiding '$HIDE' is recorded"
else
	ktap_not_ok "the view of a cgroup hiding '$HIDE' is recorded"
fi
ktap_finished
