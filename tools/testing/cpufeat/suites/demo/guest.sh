#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo's part, in the guest (busybox sh, as root; run by cpufeat-run as
# part "demo", suites/demo/demo.sh):
#
#   guest.sh demo
#
# Makes the cgroup /demo hide $DEMO_HIDE, then records (guest/view.sh)
# what programs are told in the root cgroup and in /demo, plus the records
# "demo written" (what /demo hides), "root machine" and "root filters"
# (cpufeat.filters).  A result per side: ok if every record could be read.
LIB=${CPUFEAT_LIB:-/usr/lib/cpufeat}
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$LIB/ktap.sh"
# shellcheck source=SCRIPTDIR/../../guest/view.sh
. "$LIB/view.sh"

ktap_header
ktap_plan 3
ktap_check "/demo hides '$DEMO_HIDE'" view_cgroup $VIEW_ROOT/demo "$DEMO_HIDE"
echo "# view demo written $DEMO_HIDE"
echo "# view root machine $(uname -m)"
view_record root filters cat $VIEW_ROOT/cpufeat.filters || true
view_of root $VIEW_ROOT
ktap_result $? "the root cgroup's view is recorded"
view_of demo $VIEW_ROOT/demo
ktap_result $? "the view of /demo is recorded"
ktap_finished
