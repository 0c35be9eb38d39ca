#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Show what cpufeat does: boot a guest once and put side by side what a
# program is told about the CPU in the root cgroup and in a cgroup whose
# cpufeat.hwcap hides some features.
#
#   demo.sh [x86_64|arm64]        (default x86_64; "make demo")
#
# DEMO_HIDE overrides what the cgroup hides (cpufeat.hwcap syntax);
# GUEST_ADD names more files for the guest's /tmp/in, which is on its PATH
# after /usr/bin.  The guest side is the part "demo" (guest.sh), which
# records what programs are told (guest/view.sh); this script only lays out
# the records.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"

arch=${1:-x86_64}
case "$arch" in
x86_64)
	# An older machine, as a checkpoint might have to be restored on:
	# no AVX (nor what needs it), no FSGSBASE, and a hypervisor that does
	# not pass the ACPI thermal and self-snoop bits through.  The last
	# three are in AT_HWCAP/AT_HWCAP2, so the auxiliary vector changes;
	# all four are CPUID bits, so CPUID and /proc/cpuinfo change too,
	# and only they lose AVX and what needs it (AVX2, FMA, F16C, VAES).
	hide=${DEMO_HIDE:--avx -fsgsbase -acpi -ss}
	;;
arm64)
	hide=${DEMO_HIDE:--aes -sha3 -sve}
	;;
*)
	echo "usage: demo.sh [x86_64|arm64]" >&2
	exit 2
	;;
esac

out=$(mktemp)
trap 'rm -f "$out"' EXIT
adds=()
for f in ${GUEST_ADD:-}; do
	adds+=(--add "$f")
done
echo "Booting the $arch guest..."
if ! "$HARNESS/vm" --arch "$arch" ${adds[@]+"${adds[@]}"} \
	-- env DEMO_HIDE="$hide" cpufeat-run demo >"$out"; then
	echo "demo: the guest failed:" >&2
	cat "$out" >&2
	exit 1
fi
if ! grep -qx 'ok 1 demo' "$out"; then
	echo "demo: the guest part failed:" >&2
	grep -v '^ *# view ' "$out" >&2
fi

bold='' plain=''
if [ -t 1 ]; then
	bold=$(tput bold 2>/dev/null || true)
	plain=$(tput sgr0 2>/dev/null || true)
fi

# Two columns of 48 with " | " between: 99 characters.
awk -v W=48 -v bold="$bold" -v plain="$plain" \
	-f "$HARNESS/suites/demo/words.awk" -f /dev/stdin "$out" <<'EOF'
function wrap(text, width, lines,    n, i, words, nw, line) {
	nw = split(text, words, " ")
	n = 0
	line = ""
	for (i = 1; i <= nw; i++) {
		if (line != "" && length(line) + 1 + length(words[i]) > width) {
			lines[++n] = line
			line = words[i]
		} else {
			line = line == "" ? words[i] : line " " words[i]
		}
	}
	if (line != "" || n == 0)
		lines[++n] = line
	return n
}



function heading(text) {
	printf "\n%s%s%s\n", bold, text, plain
}

# One row: the two texts wrapped into their columns, side by side.
function row(left, right,    l, r, nl, nr, i) {
	nl = wrap(left, W, l)
	nr = wrap(right, W, r)
	for (i = 1; i <= nl || i <= nr; i++)
		printf "%-*s | %s\n", W, i <= nl ? l[i] : "", i <= nr ? r[i] : ""
}

# The records, "# view SIDE KEY VALUE..."; a repeated KEY adds words.
$1 == "#" && $2 == "view" {
	key = $3 SUBSEP $4
	$1 = $2 = $3 = $4 = ""
	sub(/^ +/, "")
	sub(/ +$/, "")
	# (mawk makes v[key] before it tests "key in v" in one statement)
	val = $0
	if (key in v)
		val = v[key] " " val
	v[key] = val
}

END {
	if (!(("demo" SUBSEP "effective") in v)) {
		print "demo: no results from the guest" > "/dev/stderr"
		exit 1
	}
	written = v["demo", "written"]
	printf "%scpufeat: what programs are told about the CPU%s (%s guest, QEMU TCG)\n",
		bold, plain, v["root", "machine"]
	print ""
	printf "  echo \"%s\" > /sys/fs/cgroup%s/cpufeat.hwcap\n", written, v["demo", "path"]
	print ""
	print "Left: a program started in the root cgroup.  Right: the same program"
	print "started in " v["demo", "path"] ".  Each column is what that program is told."
	# "auxv yes cpuid yes cpuinfo yes": what this kernel filters.
	nf = split(v["root", "filters"], fw, " ")
	filters = ""
	for (i = 1; i + 1 <= nf; i += 2) {
		filtered[fw[i]] = fw[i + 1]
		filters = filters (filters == "" ? "" : ", ") fw[i] " " fw[i + 1]
	}
	print "Filtered by this kernel (cpufeat.filters): " \
		(filters == "" ? v["root", "filters"] : filters)

	heading(sprintf("%-*s   %s", W, "root cgroup (" v["root", "path"] ")",
			"demo cgroup (" v["demo", "path"] ")"))
	line = ""
	for (i = 0; i < 2 * W + 3; i++)
		line = line "="
	print line

	heading("cpufeat.hwcap: the setting")
	row("(none in the root: it allows everything)",
	    "written: " written "; it reads back as the other " \
	    count(v["demo", "hwcap"]) " names the kernel knows")

	heading("cpufeat.hwcap.effective: setting, within the parent, closed under dependencies")
	row(count(v["root", "effective"]) " features", count(v["demo", "effective"]) " features")
	row(v["root", "effective"], v["demo", "effective"])

	heading("auxiliary vector (cpufeat_probe --hwcap)")
	row(v["root", "auxv"], v["demo", "auxv"])

	heading("AT_HWCAP and AT_HWCAP2 bits, by name (cpufeat_probe --names)")
	row(v["root", "auxv_names"], v["demo", "auxv_names"])

	heading("/proc/self/cpufeat: the view latched at exec")
	for (s = 1; s <= 2; s++) {
		side = s == 1 ? "root" : "demo"
		if (v[side, "proc_cpufeat"] == v[side, "effective"])
			pc[side] = "the same " count(v[side, "effective"]) \
				" features as cpufeat.hwcap.effective"
		else
			pc[side] = v[side, "proc_cpufeat"]
	}
	row(pc["root"], pc["demo"])

	x86 = v["root", "machine"] == "x86_64"
	idregs = ("root", "idregs") in v && ("demo", "idregs") in v
	if (x86 || !idregs) {
		heading("CPUID instruction, executed by the program (cpufeat_probe --cpuid)")
		if (x86 && filtered["cpuid"] != "yes")
			print "(this kernel does not filter CPUID: both columns show the CPU)"
		row(v["root", "cpuid"], v["demo", "cpuid"])
	}
	if (x86) {
		print "  registers (cpufeat_probe --cpuid-raw):"
		row(v["root", "cpuid_raw"], v["demo", "cpuid_raw"])
	}

	# arm64: "NAME=0x... REG.FIELD=N ...", paired up by name.
	differ_regs = differ_fields = ""
	if (idregs) {
		heading("ID registers (MRS), read by the program (cpufeat_probe --idregs)")
		if (filtered["mrs"] != "yes")
			print "(this kernel does not filter MRS: both columns show the CPU)"
		nr = split(v["root", "idregs"], rw, " ")
		nd = split(v["demo", "idregs"], dw, " ")
		for (i = 1; i <= nd; i++)
			if (split(dw[i], kv, "=") == 2)
				dv[kv[1]] = kv[2]
		if (nr && index(rw[1], "=") && nd && index(dw[1], "=")) {
			for (i = 1; i <= nr; i++) {
				if (split(rw[i], kv, "=") != 2)
					continue
				if (kv[1] ~ /\./ && !fields++)
					print "  fields:"
				right = kv[1] in dv ? kv[1] "=" dv[kv[1]] : "(" kv[1] " not read)"
				if (kv[1] in dv && dv[kv[1]] != kv[2]) {
					right = right "  (masked)"
					if (kv[1] ~ /\./)
						differ_fields = differ_fields \
							(differ_fields == "" ? "" : ", ") \
							kv[1] " " kv[2] "->" dv[kv[1]]
					else
						differ_regs = differ_regs \
							(differ_regs == "" ? "" : " ") kv[1]
				}
				row(rw[i], right)
			}
		} else {
			row(v["root", "idregs"], v["demo", "idregs"])
		}
	}

	heading(sprintf("/proc/cpuinfo %s line, the same selection (cpufeat_probe --cpuinfo)",
			x86 ? "flags" : "Features"))
	if (filtered["cpuinfo"] != "yes")
		print "(this kernel does not filter /proc/cpuinfo: both columns show the CPU)"
	row(v["root", "cpuinfo_count"] " flags in all; of the selection:",
	    v["demo", "cpuinfo_count"] " flags in all; of the selection:")
	row(v["root", "cpuinfo"], v["demo", "cpuinfo"])

	heading("cpufeat.stat")
	row("(none in the root)", v["demo", "stat"] " (the programs started above)")

	heading("What " v["demo", "path"] " hides")
	hidden = minus(v["root", "effective"], v["demo", "effective"])
	n = wrap("features (" count(hidden) "): " hidden, 2 * W + 3, l)
	for (i = 1; i <= n; i++)
		print l[i]
	hidden_auxv = minus(v["root", "auxv_names"], v["demo", "auxv_names"])
	hidden_cpuid = minus(v["root", "cpuid"], v["demo", "cpuid"])
	n = wrap("AT_HWCAP/AT_HWCAP2 bits: " hidden_auxv, 2 * W + 3, l)
	for (i = 1; i <= n; i++)
		print l[i]
	if (x86) {
		n = wrap("CPUID, of the selection: " \
			 (hidden_cpuid == "" ? "none" : hidden_cpuid), 2 * W + 3, l)
		for (i = 1; i <= n; i++)
			print l[i]
	}
	if (idregs) {
		n = wrap("ID registers (MRS): " \
			 (differ_regs == "" ? "none differ" : differ_regs) \
			 (differ_fields == "" ? "" : "; fields " differ_fields),
			 2 * W + 3, l)
		for (i = 1; i <= n; i++)
			print l[i]
	}
	hidden_cpuinfo = minus(v["root", "cpuinfo"], v["demo", "cpuinfo"])
	n = wrap("/proc/cpuinfo, of the selection: " \
		 (hidden_cpuinfo == "" ? "none" : hidden_cpuinfo) " (" \
		 v["root", "cpuinfo_count"] - v["demo", "cpuinfo_count"] \
		 " flags fewer in all)", 2 * W + 3, l)
	for (i = 1; i <= n; i++)
		print l[i]
	only = minus(hidden_cpuid, hidden_auxv)
	if (x86 && only != "") {
		n = wrap("The auxiliary vector carries only CPUID 1 EDX (AT_HWCAP) and " \
			 "ring3mwait, fsgsbase (AT_HWCAP2), so " only " go missing only " \
			 "from CPUID and /proc/cpuinfo.", 2 * W + 3, l)
		for (i = 1; i <= n; i++)
			print l[i]
	}
	print "Hiding a feature also hides every feature that needs it."
}
EOF
