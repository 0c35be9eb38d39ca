#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest runner, /usr/bin/cpufeat-run in the test guests:
#
#   cpufeat-run SUITE[/PART]...
#
# runs each PART of a suite (suites/SUITE/guest.sh PART; PART defaults to
# SUITE) in turn and prints ONE KTAP document: "KTAP version 1", a plan of
# one test per part, and each part as a subtest holding its own results
# (the KUnit suites, the kselftest, ...; guest/ktap.sh, ktap_part).  A part
# fails if it exits non-zero or if the kernel logged a line of the alarm
# list (guest/alarms) while it ran; the first part also answers for what
# the kernel logged while it booted.  Exits 0 once the document is
# complete: what failed is in the document.
#
# In the guest: this script and guest/ktap.sh, guest/alarms and
# guest/view.sh in /usr/lib/cpufeat, each suite's guest.sh as
# /usr/lib/cpufeat/suites/SUITE.sh (setup/mkinitramfs.sh).

LIB=${CPUFEAT_LIB:-/usr/lib/cpufeat}
# shellcheck source=SCRIPTDIR/ktap.sh
. "$LIB/ktap.sh"
KTAP_ALARMS=$LIB/alarms

if [ $# = 0 ]; then
	echo "usage: cpufeat-run SUITE[/PART]..." >&2
	exit 2
fi
ktap_header
ktap_plan $#
for spec; do
	ktap_part "${spec#*/}" "$LIB/suites/${spec%%/*}.sh" "${spec#*/}"
done
