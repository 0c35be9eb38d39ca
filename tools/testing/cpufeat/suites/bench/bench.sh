#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The cpufeat benchmarks (make bench):
#
#   bench.sh [--smoke [--no-baseline]] [--runs N] [--only boot|eval]
#            [x86_64] [arm64]
#
# Boots the cpufeat kernel and the baseline kernel (the same base and
# configuration without the series, build-kernel.sh ARCH baseline) of each
# architecture under "vm --icount", runs the part "bench" (guest.sh) in
# them and prints one table: metric, value, baseline, ratio, target, verdict.  The
# table also goes to $BUILD/bench/results.tsv, the guests' raw output to
# $BUILD/bench/raw-ARCH-FLAVOUR[-runK].txt.
#
# Under -icount shift=0 the guest clock advances one nanosecond per
# instruction the guest retires, so every figure is a count of guest
# instructions (user, kernel and interrupts alike) and does not depend on
# the host or its load: a run prints the same numbers every time.  The
# "clock" row checks that a loop of two instructions per round reads as 2.
#
#   --smoke    few iterations; prints TAP, one "ok" per metric that
#              produced a number, and asserts nothing about the numbers
#   --no-baseline
#              with --smoke: boot only the cpufeat kernels (make check's
#              smoke, which does not build the baselines); the rows that
#              compare with the baseline kernel are reported as skipped
#   --runs N   boot each guest N times and say whether the raw results of
#              the runs are identical (the table shows the first run)
#   --only boot   boot the guests and keep their raw output, nothing more
#   --only eval   only make the table (or the smoke's TAP) of the raw output
#              an earlier --only boot left (check.sh boots its smoke's
#              guests beside its other guests, then counts the smoke)
#
# The guests boot with "maxcpus=1 norandmaps": one CPU, so that nothing
# runs beside the benchmark while the clock counts, and no address-space
# randomisation.  QEMU gets -seed (the random numbers it gives the guest:
# RDRAND, RNDR, the boot RNG seeds, come from a fixed seed) and an RTC that
# starts at a fixed date and follows the guest clock: nothing from the host
# reaches the guest but its program.
#
# x86_64 has a third guest, "amd": the cpufeat kernel on an AMD-vendor
# CPU (lib.sh's AMD_CPU), for the CPUID rows on AMD's CPUID faulting.
#
# The guests of an architecture, and the two architectures, run side by
# side, two QEMUs at a time.  Environment: BUILD, VM_TIMEOUT (per guest),
# VM_BUILD=0 (do not build: e.g. to measure a kernel of your own, put it
# with a copy of the initramfs in DIR/ARCH/, link DIR/ARCH-baseline and
# DIR/qemu to those of build/, and run BUILD=DIR VM_BUILD=0 bench.sh).
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"

mode=full
flavours=(patched baseline)
runs=1
only=
arches=()
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) mode=smoke; shift ;;
	--no-baseline) flavours=(patched); shift ;;
	--runs) [ $# -ge 2 ] || die "--runs needs a value"; runs=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || die "--only needs a value"; only=$2; shift 2 ;;
	x86_64 | arm64) arches+=("$1"); shift ;;
	*) die "usage: bench.sh [--smoke [--no-baseline]] [--runs N] [--only boot|eval] [x86_64] [arm64]" ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
[ ${#arches[@]} -gt 0 ] || arches=(x86_64 arm64)
[ $mode = smoke ] || [ ${#flavours[@]} = 2 ] || die "--no-baseline goes with --smoke"
case "$only" in
"" | boot | eval) ;;
*) die "--only boot or --only eval" ;;
esac

# The smoke keeps its output apart from that of the real runs.
OUT=$BUILD/bench
[ $mode = full ] || OUT=$BUILD/bench-smoke
QEMU_FIXED="-seed 1 -rtc base=2020-01-01T00:00:00,clock=vm"
mkdir -p "$OUT"
start=$SECONDS

# Build what the guests need first, one at a time (vm would otherwise run
# make from every job at once); VM_BUILD=0 takes what is in $BUILD as it is.
for arch in "${arches[@]}"; do
	if [ "${VM_BUILD:-1}" = 0 ] || [ "$only" = eval ]; then
		break
	fi
	targets=("guest-$arch")
	[ ${#flavours[@]} = 1 ] || targets+=("kernel-$arch-baseline")
	make -C "$TOP" --no-print-directory "${targets[@]}" >&2 ||
		die "cannot build the $arch guests"
done

# guest ARCH FLAVOUR RUN: one boot, its output in raw-ARCH-FLAVOUR[-runK].txt.
raw() {
	local r=
	[ "$3" = 1 ] || r=-run$3
	echo "$OUT/raw-$1-$2$r.txt"
}
guest() {
	local arch=$1 flavour=$2 file flav=() cpu=${QEMU_CPU:-}
	file=$(raw "$@")
	case "$flavour" in
	patched) ;;
	amd) cpu=$AMD_CPU ;;
	*) flav=(--flavour "$flavour") ;;
	esac
	if VM_BUILD=0 VM_TIMEOUT=${VM_TIMEOUT:-1800} QEMU_CPU=$cpu \
		QEMU_X86_64="${QEMU_X86_64:-$BUILD/qemu/bin/qemu-system-x86_64} $QEMU_FIXED" \
		QEMU_ARM64="${QEMU_ARM64:-qemu-system-aarch64} $QEMU_FIXED" \
		"$HARNESS/vm" --arch "$arch" \
		${flav[@]+"${flav[@]}"} --icount --append "maxcpus=1 norandmaps" -- \
		env BENCH_MODE="$mode" BENCH_FLAVOUR="$flavour" cpufeat-run bench \
		>"$file.tmp" 2>&1; then
		mv "$file.tmp" "$file"
	else
		echo "bench.sh: the $arch $flavour guest failed (output: $file.tmp):" >&2
		tail -n 5 "$file.tmp" >&2
		return 1
	fi
}

# guest_flavours ARCH: the guests of ARCH.
guest_flavours() {
	local f=("${flavours[@]}")
	[ "$1" != x86_64 ] || f+=(amd)
	echo "${f[*]}"
}

# The longest guests first, at most two at a time.
jobs_list=()
for run in $(seq "$runs"); do
	for flavour in "${flavours[@]}" amd; do
		for arch in "${arches[@]}"; do
			[[ " $(guest_flavours "$arch") " == *" $flavour "* ]] || continue
			jobs_list+=("$arch $flavour $run")
		done
	done
done
failed=0
running=0
[ "$only" != eval ] || jobs_list=()
for j in ${jobs_list[@]+"${jobs_list[@]}"}; do
	# shellcheck disable=SC2086 # "arch flavour run"
	rm -f "$(raw $j)"
	if [ $running -ge 2 ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
	echo "  BENCH   $j" >&2
	# shellcheck disable=SC2086
	guest $j &
	running=$((running + 1))
done
while [ $running -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
if [ "$only" = boot ]; then
	[ $failed = 0 ] || die "a guest failed"
	exit 0
fi

# Results: R[ARCH:FLAVOUR:NAME] = instructions per operation (or bytes),
# the RESULT lines of one NAME added up (interleaved rounds).
declare -A R=() I=()
for arch in "${arches[@]}"; do
	for flavour in $(guest_flavours "$arch"); do
		f=$(raw "$arch" "$flavour" 1)
		[ -f "$f" ] || continue
		while read -r tag name a; do
			case "$tag" in
			RESULT) R[$arch:$flavour:$name]=$a ;;
			INFO) I[$arch:$name]=$a ;;
			esac
		done < <(awk '{ sub(/^ *# /, "") }
			$1 == "RESULT" { t[$2] += $3; n[$2] += $4 }
			$1 == "INFO" { print }
			END { for (k in t) printf "RESULT %s %.6f\n", k, n[k] ? t[k] / n[k] : 0 }' "$f")
	done
done

calc() { awk "BEGIN { $1 }" </dev/null; }

# One table row per metric.
rows=()
tsv=()
ntap=0
tap=()
# row ARCH METRIC UNIT VALUE BASELINE KIND LIMIT
#   KIND pct: ratio VALUE/BASELINE as a change in %, met if <= +LIMIT %
#   KIND x:   ratio as a factor, met if <= LIMIT
#   KIND le:  VALUE <= LIMIT (no ratio)
#   KIND eq:  VALUE within 1 % of LIMIT
#   KIND report: no target
#   KIND rpct: no target, the ratio as a change in %
row() {
	local arch=$1 metric=$2 unit=$3 v=$4 b=$5 kind=$6 limit=${7:-}
	local ratio=- target=report verdict=report
	case "$kind" in
	pct) target="<= +$limit %" ;;
	rpct) target=report ;;
	x) target="<= ${limit}x" ;;
	le) target="<= $limit $unit" ;;
	eq) target="= $limit" ;;
	esac
	if [ -n "$v" ] && [ -z "$b" ] && [[ $kind == pct || $kind == x ]] &&
	   [ ${#flavours[@]} = 1 ]; then
		verdict="no baseline"
	elif [ -z "$v" ] || { [[ $kind == pct || $kind == x ]] && [ -z "$b" ]; }; then
		verdict="NO DATA"
		v=${v:--}
	else
		case "$kind" in
		pct | rpct)
			ratio=$(calc "printf \"%+.2f %%\", ($v / $b - 1) * 100")
			[ "$kind" = pct ] || verdict=report
			[ "$kind" = rpct ] ||
				verdict=$(calc "print (($v / $b - 1) * 100 <= $limit) ? \"met\" : \"MISSED\"")
			;;
		x)
			ratio=$(calc "printf \"%.3fx\", $v / $b")
			verdict=$(calc "print ($v / $b <= $limit) ? \"met\" : \"MISSED\"")
			;;
		le)
			verdict=$(calc "print ($v <= $limit) ? \"met\" : \"MISSED\"")
			;;
		eq)
			verdict=$(calc "d = $v / $limit - 1; print (d < 0.01 && d > -0.01) ? \"met\" : \"MISSED\"")
			;;
		report)
			[ -z "$b" ] || ratio=$(calc "printf \"%.3fx\", $v / $b")
			;;
		esac
		[ "$mode" = full ] || verdict="smoke"
	fi
	v=$(fmt "$v")
	b=$(fmt "$b")
	rows+=("$arch|$metric|$v $unit|${b:+$b $unit}|$ratio|$target|$verdict")
	tsv+=("$arch	$metric	$v	${b:--}	$unit	$ratio	$target	$verdict")
	ntap=$((ntap + 1))
	if [ "$verdict" = "NO DATA" ]; then
		tap+=("not ok $ntap - $arch $metric: no number")
	elif [ "$verdict" = "no baseline" ]; then
		tap+=("ok $ntap - $arch $metric: $v $unit # SKIP no baseline kernel booted")
	else
		tap+=("ok $ntap - $arch $metric: $v $unit")
	fi
}
# Numbers: one decimal up to 100, whole above.
fmt() {
	case "$1" in
	"" | -) echo "$1" ;;
	*) calc "v = $1; if (v < 100) printf \"%.2f\", v; else printf \"%.0f\", v" ;;
	esac
}

r() { echo "${R[$1]:-}"; }
# memavg ARCH:FLAVOUR KIND: bytes per cgroup of mem-KIND-1 and -2, averaged.
memavg() {
	local a b
	a=$(r "$1:mem-$2-1")
	b=$(r "$1:mem-$2-2")
	[ -z "$a" ] || [ -z "$b" ] || calc "printf \"%.1f\", ($a + $b) / 2"
}

for arch in "${arches[@]}"; do
	P=$arch:patched
	B=$arch:baseline
	row "$arch" "clock: instructions per round of a 2-instruction loop" insn \
		"$(r "$P:calib")" "" eq 2
	row "$arch" "fork+exec+exit+wait, root, vs baseline kernel" insn/op \
		"$(r "$P:spawn-root")" "$(r "$B:spawn-root")" pct 0.5
	row "$arch" "  noise: the same again, same boot" insn/op \
		"$(r "$P:spawn-root-again")" "$(r "$P:spawn-root")" rpct
	row "$arch" "  the same, static key on (a cgroup masks)" insn/op \
		"$(r "$P:spawn-root-keyon")" "$(r "$B:spawn-root")" rpct
	row "$arch" "fork+exec+exit+wait, masked vs root cgroup" insn/op \
		"$(r "$P:spawn-masked")" "$(r "$P:spawn-root-keyon")" pct 1
	row "$arch" "  the same of a glibc static program" insn/op \
		"$(r "$P:spawn-masked-glibc")" "$(r "$P:spawn-root-glibc")" rpct
	local_e=${I[$arch:glibc-execs]:-}
	for key in emulated_cpuid emulated_mrs; do
		local_c=${I[$arch:glibc-$key]:-}
		if [ -z "$local_c" ] || [ -z "$local_e" ] || [ "$local_e" = 0 ]; then
			continue
		fi
		row "$arch" "  ${key#emulated_} emulated per glibc static exec" insn/exec \
			"$(calc "printf \"%.2f\", $local_c / $local_e")" "" report
	done
	d1=$(r "$P:spawn-depth-1")
	for d in 4 32 128; do
		v=$(r "$P:spawn-depth-$d")
		[ -n "$v" ] || continue
		row "$arch" "fork+exec+exit+wait, depth $d vs depth 1 (masked)" insn/op \
			"$v" "$d1" pct 0.5
	done
	if [ "$arch" = x86_64 ]; then
		row "$arch" "emulated CPUID (masked) vs getppid round trip" insn/op \
			"$(r "$P:cpuid-masked")" "$(r "$P:getppid")" x 1.5
		row "$arch" "emulated CPUID vs user-space emulation (SIGSEGV)" insn/op \
			"$(r "$P:cpuid-masked")" "$(r "$P:cpuid-user")" x 0.25
		row "$arch" "  CPUID, unmasked (executed, not emulated)" insn/op \
			"$(r "$P:cpuid-root")" "" report
		A=$arch:amd
		row "$arch" "AMD-vendor CPU: emulated CPUID (masked) vs getppid" insn/op \
			"$(r "$A:cpuid-masked")" "$(r "$A:getppid")" x 1.5
		row "$arch" "  AMD-vendor: emulated CPUID vs user-space emulation" insn/op \
			"$(r "$A:cpuid-masked")" "$(r "$A:cpuid-user")" x 0.25
		# The baseline kernel's rows: not without it (--no-baseline).
		if [ ${#flavours[@]} -gt 1 ]; then
			row "$arch" "  baseline kernel's emulated SMSW (UMIP) vs getppid" insn/op \
				"$(r "$B:smsw-root")" "$(r "$B:getppid")" report
			row "$arch" "  emulated CPUID vs the baseline's emulated SMSW" insn/op \
				"$(r "$P:cpuid-masked")" "$(r "$B:smsw-root")" report
		fi
	else
		row "$arch" "emulated MRS, masked vs unmasked" insn/op \
			"$(r "$P:mrs-masked")" "$(r "$P:mrs-root")" x 1.1
		row "$arch" "  emulated MRS vs getppid round trip" insn/op \
			"$(r "$P:mrs-masked")" "$(r "$P:getppid")" report
	fi
	row "$arch" "pipe round trip (2 switches), unmasked pair, vs baseline" insn/op \
		"$(r "$P:pingpong-root")" "$(r "$B:pingpong-root")" pct 0.5
	row "$arch" "pipe round trip, masked <-> unmasked vs unmasked pair" insn/op \
		"$(r "$P:pingpong-mixed")" "$(r "$P:pingpong-root")" rpct
	row "$arch" "pipe round trip, masked pair vs unmasked pair" insn/op \
		"$(r "$P:pingpong-masked")" "$(r "$P:pingpong-root")" rpct
	row "$arch" "/proc/cpuinfo read, masked vs unmasked reader" insn/op \
		"$(r "$P:cpuinfo-masked")" "$(r "$P:cpuinfo-root")" x 1.2
	# cpufeat.hwcap writes: per write at each size, then the cost per
	# descendant between sizes; linear if those slopes agree within 25 %.
	sizes=()
	for s in 1 10 100 1000 10000; do
		[ -z "$(r "$P:hwcap-write-$s")" ] || sizes+=("$s")
	done
	w1=$(r "$P:hwcap-write-1")
	slopes=()
	prev=
	for s in ${sizes[@]+"${sizes[@]}"}; do
		w=$(r "$P:hwcap-write-$s")
		row "$arch" "write cpufeat.hwcap, $s descendants" insn/write "$w" "$w1" report
		if [ -n "$prev" ]; then
			pw=$(r "$P:hwcap-write-$prev")
			slopes+=("$(calc "printf \"%.2f\", ($w - $pw) / ($s - $prev)")")
			row "$arch" "  per descendant, $prev to $s" insn/desc "${slopes[-1]}" "" report
		fi
		prev=$s
	done
	if [ ${#slopes[@]} -ge 2 ]; then
		a=${slopes[-2]}
		b=${slopes[-1]}
		lin=$(calc "q = $b / $a; print (q >= 0.8 && q <= 1.25) ? \"met\" : \"MISSED\"")
		[ "$mode" = full ] || lin=smoke
		ntap=$((ntap + 1))
		tap+=("ok $ntap - $arch hwcap write linear: $a, $b insn/desc")
		rows+=("$arch|  linear: last two slopes|$(fmt "$b") insn/desc|$(fmt "$a") insn/desc|$(calc "printf \"%.3fx\", $b / $a")|linear|$lin")
		tsv+=("$arch	linear: last two slopes	$b	$a	insn/desc	-	linear	$lin")
	fi
	mkd=
	[ ${#sizes[@]} = 0 ] || mkd=$(r "$P:mkdir-${sizes[-1]}")
	[ -z "$mkd" ] || row "$arch" "  mkdir of a cgroup (for scale)" insn/op "$mkd" "" report
	# The same writes where every descendant hides the mask itself: no
	# write changes a descendant's set.
	prev=
	for s in ${sizes[@]+"${sizes[@]}"}; do
		w=$(r "$P:hwcap-kept-$s")
		[ -n "$w" ] || continue
		row "$arch" "write cpufeat.hwcap, $s descendants keeping their sets" insn/write \
			"$w" "$(r "$P:hwcap-kept-1")" report
		[ -z "$prev" ] || row "$arch" "  per descendant, $prev to $s" insn/desc \
			"$(calc "printf \"%.2f\", ($w - $(r "$P:hwcap-kept-$prev")) / ($s - $prev)")" "" report
		prev=$s
	done
	# Memory: (with the controller - without) per cgroup, the mean of two
	# rounds; pids, another small controller, for comparison.
	off=$(memavg "$P" off)
	[ -z "$off" ] || row "$arch" "memory per cgroup, no controller (Slab+Percpu)" bytes \
		"$off" "" report
	m=
	on=$(memavg "$P" on)
	[ -z "$off" ] || [ -z "$on" ] || m=$(calc "printf \"%.1f\", $on - $off")
	row "$arch" "memory per cgroup, added by cpufeat" bytes "$m" "" le 512
	pids=$(memavg "$P" pids)
	[ -z "$off" ] || [ -z "$pids" ] || row "$arch" "  added by pids, for comparison" bytes \
		"$(calc "printf \"%.1f\", $pids - $off")" "" report
	set=$(memavg "$P" set)
	[ -z "$off" ] || [ -z "$set" ] || row "$arch" "  added by cpufeat, each hiding what its siblings hide" bytes \
		"$(calc "printf \"%.1f\", $set - $off")" "" report
done

if [ "$mode" = smoke ]; then
	echo "TAP version 13"
	echo "1..$ntap"
	printf '%s\n' "${tap[@]}"
	[ $failed = 0 ] || echo "# a guest failed, see $OUT"
	exit 0
fi

{
	printf 'arch\tmetric\tvalue\tbaseline\tunit\tratio\ttarget\tverdict\n'
	printf '%s\n' "${tsv[@]}"
} >"$OUT/results.tsv"

{
	echo "arch|metric|value|baseline|ratio|target|verdict"
	printf '%s\n' "${rows[@]}"
} | column -t -s '|'

if [ "$runs" -gt 1 ]; then
	for arch in "${arches[@]}"; do
		for flavour in $(guest_flavours "$arch"); do
			same=yes
			for run in $(seq 2 "$runs"); do
				if ! cmp -s <(grep -E '^ *# (RESULT|INFO) ' "$(raw "$arch" "$flavour" 1)") \
					<(grep -E '^ *# (RESULT|INFO) ' "$(raw "$arch" "$flavour" "$run")"); then
					same=no
				fi
			done
			echo "determinism: $arch $flavour, $runs runs: bit-identical: $same"
		done
	done
fi
echo "results: $OUT/results.tsv; raw guest output: $OUT/raw-*.txt"
echo "bench: $((SECONDS - start)) s"
[ $failed = 0 ] || die "a guest failed"
