#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check of guest/ktap.sh, the KTAP helpers every part uses: a
# part that a document runs as a shell function (check.sh's checkers) counts
# its own results from 1, whatever the document counted before it.
# Prints KTAP; exits non-zero if a case fails.
set -uo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../guest/ktap.sh
. "$HARNESS/guest/ktap.sh"

# A document of two parts, each a function with a plan of its own.
inner_part() {
	ktap_header
	ktap_plan 2
	ktap_ok "first"
	ktap_ok "second"
	ktap_finished
}

document() {
	ktap_header
	ktap_plan 2
	ktap_part one inner_part
	ktap_part two inner_part
}

out=$(TMPDIR=$(mktemp -d) document)

ktap_header
ktap_plan 3
ktap_check "a part's results count from 1" \
	grep -qx '  ok 1 first' <<<"$out"
# shellcheck disable=SC2016 # $1 is the inner shell's
ktap_check "the second part's results count from 1 too" sh -c '
	printf "%s\n" "$1" | sed -n "/Subtest: two/,\$p" | grep -qx "  ok 1 first" || {
		printf "%s\n" "$1"; exit 1; }' sh "$out"
# shellcheck disable=SC2016 # $1 is the inner shell's
ktap_check "both parts pass in the document" sh -c '
	printf "%s\n" "$1" | grep -qx "ok 1 one" && printf "%s\n" "$1" | grep -qx "ok 2 two" || {
		printf "%s\n" "$1"; exit 1; }' sh "$out"
ktap_finished
