#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of tapcount.py: count canned TAP streams (tapcount/*.tap,
# cut from real guest logs or made up to break things) and compare with
# what they hold.  Prints TAP; exits non-zero if a case fails.
set -uo pipefail
set -f  # the options below hold globs for tapcount.py

dir=$(cd "$(dirname "$0")" && pwd)
tapcount=$dir/../tapcount.py

# input | tapcount.py options | expected counts | a note that must appear
cases=(
	"kunit-boot-log.tap|--suite cpufeat*|passed=49 failed=0 skipped=0|"
	"kunit-timestamps.tap|--suite cpufeat*|passed=49 failed=0 skipped=0|"
	"kunit-two-suites.tap|--suite cpufeat*|passed=5 failed=0 skipped=0|"
	"kunit-two-suites.tap||passed=6 failed=1 skipped=0|example_failing_test: not ok"
	"kunit-failures.tap|--suite cpufeat*|passed=4 failed=3 skipped=2|not ok, though its subtests are"
	"kunit-crash.tap|--suite cpufeat*|passed=4 failed=9 skipped=0|9 of 10 results missing"
	"kunit-absent.tap|--suite cpufeat*|passed=0 failed=1 skipped=0|no suite matching"
	"kunit-init-failed.tap|--suite cpufeat*|passed=0 failed=1 skipped=0|cpufeat: not ok"
	"kunit-multiline-descriptions.tap|--suite cpufeat*|passed=3 failed=0 skipped=0|"
	"kselftest-pass-skip.tap||passed=15 failed=0 skipped=1|"
	"kselftest-xfail.tap||passed=2 failed=0 skipped=1|"
	"kselftest-truncated.tap||passed=6 failed=10 skipped=0|10 of 16 results missing"
	"kselftest-controller-missing.tap||passed=0 failed=15 skipped=1|15 of 16 results missing"
	"kselftest-bail-out.tap||passed=1 failed=16 skipped=0|bailed out"
	"kselftest-empty.tap||passed=0 failed=1 skipped=0|no TAP output"
	"kselftest-skip-all.tap||passed=0 failed=0 skipped=1|"
	"kselftest-too-many.tap||passed=2 failed=2 skipped=0|3 results, but the plan was 2"
)

echo "TAP version 13"
echo "1..${#cases[@]}"
n=0
failed=0
for c in "${cases[@]}"; do
	IFS='|' read -r input opts want note <<<"$c"
	n=$((n + 1))
	# shellcheck disable=SC2086 # opts is word-split on purpose
	out=$(python3 "$tapcount" $opts "$dir/tapcount/$input" 2>&1)
	got=$(sed -n 's/^counts: //p' <<<"$out")
	name="$input${opts:+ ($opts)}"
	if [ "$got" = "$want" ] && { [ -z "$note" ] || grep -qF -- "$note" <<<"$out"; }; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# expected: counts: $want${note:+, a note with \"$note\"}"
		while IFS= read -r l; do echo "# got: $l"; done <<<"$out"
		failed=$((failed + 1))
	fi
done
[ $failed = 0 ]
