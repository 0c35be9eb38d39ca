#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show the two-machine migration on one screen ("make demo-migrate"): run
# suites/migrate/run.sh (machine A, -cpu max, checkpoints the workload;
# machine B, A's model without avx and avx2, restores it) and lay out its
# KTAP document: both machines' features, the baseline mask, the dump on A,
# the restore on B with the workload's view and results, then the unmasked
# workload refused by the hook and, restored without it, dying of SIGILL.
# The guest side (suites/migrate/migrate-guest.sh) prints "# demo KEY
# TEXT" records beside its checks; this script only lays them out.  The
# whole document stays in $BUILD/migrate/demo.tap.
#
#   demo/migrate.sh       (VM_BUILD=0: no make, as for run.sh)
#   demo/migrate.sh DOC   lay out DOC, a document run.sh printed, only
set -uo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"

st=0
if [ $# -gt 0 ]; then
	doc=$1
else
	doc=$BUILD/migrate/demo.tap
	mkdir -p "$BUILD/migrate"
	echo "Booting machine A (QEMU -cpu max), then machine B (max,-avx2,-avx):"
	echo "a few minutes under TCG..."
	VM_TIMEOUT=${VM_TIMEOUT:-1800} "$HARNESS/suites/migrate/run.sh" >"$doc" || st=$?
fi

bold='' plain=''
if [ -t 1 ]; then
	bold=$(tput bold 2>/dev/null || true)
	plain=$(tput sgr0 2>/dev/null || true)
fi

awk -v bold="$bold" -v plain="$plain" \
	-f "$HARNESS/suites/demo/words.awk" -f /dev/stdin "$doc" <<'EOF'
function has(text, word,    w, n, i) {
	n = split(text, w, " ")
	for (i = 1; i <= n; i++)
		if (w[i] == word)
			return "yes"
	return "no"
}
function heading(text) {
	printf "\n%s%s%s\n", bold, text, plain
}
function val(key) {
	return key in v ? v[key] : "(not reached)"
}
function viewline(view) {
	return count(view) " features, avx: " has(view, "avx") ", avx2: " has(view, "avx2")
}

/^  # Subtest: / { part = $3 }
/^  # demo / {
	key = $3
	$1 = $2 = $3 = ""
	sub(/^ +/, "")
	v[key] = $0
	next
}
/^  (not )?ok / {
	line = $0
	sub(/^  /, "", line)
	if (line ~ /^not ok/)
		bad = bad "  " part ": " line "\n"
	else
		good[part]++
}

END {
	printf "%sCheckpoint on machine A, restore on machine B%s (x86_64, QEMU TCG, CRIU)\n",
		bold, plain
	printf "  A: -cpu max                  %s\n", viewline(v["A.features"])
	printf "  B: -cpu max,-avx2,-avx       %s\n", viewline(v["B.features"])
	printf "  A has, B lacks: %s\n", minus(v["A.features"], v["B.features"])
	printf "  cpufeat baseline A.feat B.feat > job/cpufeat.hwcap: %d features, %s\n",
		count(v["mask"]), v["mask"] == v["B.features"] ? "all of B\047s" : "(not B\047s set)"

	heading("Machine A: the workload (perl, openssl, gowork) in two cgroups, dumped")
	print "  cgroup with the baseline:  gowork sees " viewline(v["A.view.masked"])
	print "  cgroup without a mask:     gowork sees " viewline(v["A.view.full"])
	print "  criu dump --action-script cpufeat-criu-hook: status " val("dump.masked") \
		" (masked), " val("dump.full") " (unmasked)"

	heading("Machine B: criu restore of the masked workload, in the masked cgroup")
	print "  status " val("restore.masked") "; gowork sees " viewline(v["B.view.masked"]) \
		" (as on A)"
	print "  results: " val("result.masked")
	print "  gowork: " val("golog.masked")

	heading("Machine B: the unmasked workload")
	print "  with the hook: refused (status " val("refused") ")"
	print "  without the hook: restored (status " val("restore.full") "), then SIGILL kills:"
	print "    " val("sigill")
	print "  gowork (Go handles SIGILL itself): " val("golog.full")

	heading("Checks")
	printf "  A: %d ok, B: %d ok\n", good["A"], good["B"]
	printf "%s", bad
}
EOF
echo
python3 "$HARNESS/tapcount.py" --parts --expect A,B "$doc" | tail -n 1
exit $st
