#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests of the cpufeat tool: the unit tests of its pure logic
# (tests/unit.c) and the command line against a fake system
# (CPUFEAT_SYSROOT: a made-up /proc, cgroup2 tree and C library).  Needs no
# root and no cpufeat kernel.  Prints one TAP stream; exits 1 if a test
# failed.
#
#   tests/host-test.sh            (builds with make in a temporary directory)
#   CPUFEAT=path CPUFEAT_UNIT=path tests/host-test.sh
set -u

dir=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "${CPUFEAT:-}" ] || [ -z "${CPUFEAT_UNIT:-}" ]; then
	make -s -C "$dir" O="$tmp/build" "$tmp/build/cpufeat" \
		"$tmp/build/cpufeat-unit" >&2 || { echo "Bail out! build failed"; exit 1; }
	CPUFEAT=$tmp/build/cpufeat
	CPUFEAT_UNIT=$tmp/build/cpufeat-unit
fi

n=0
failed=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

echo "TAP version 13"

# The unit tests, renumbered into this stream.
unit_out=$("$CPUFEAT_UNIT" "$dir/tests/kernel-names-6.12.txt"); unit_rc=$?
unit_seen=0
unit_failed=0
while IFS= read -r line; do
	case "$line" in
	"ok "*) unit_seen=1; pass "unit: ${line#ok * - }" ;;
	"not ok "*) unit_seen=1; unit_failed=1; fail "unit: ${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <<<"$unit_out"
if [ $unit_seen = 0 ] || { [ $unit_rc != 0 ] && [ $unit_failed = 0 ]; }; then
	fail "unit test binary exited $unit_rc"
fi

# The JSON parser and the NFD label reader under AddressSanitizer and
# UBSan, with mutated node lists (tests/unit.c: test_fuzz()).
if ${CC:-cc} -fsanitize=address,undefined -fno-sanitize-recover=all -O1 -g \
	-D_GNU_SOURCE -I"$dir" "$dir/tests/unit.c" "$dir/features.c" "$dir/classes.c" \
	"$dir/json.c" "$dir/nfd.c" "$dir/record.c" -o "$tmp/unit-asan" 2>"$tmp/err"; then
	if "$tmp/unit-asan" --fuzz 20000 >"$tmp/out" 2>&1 && grep -q "^ok 1 - fuzz" "$tmp/out"; then
		pass "ASan/UBSan: $(sed -n 's/^ok 1 - //p' "$tmp/out")"
	else
		fail "ASan/UBSan fuzz of the JSON parser"
		sed 's/^/# /' "$tmp/out" | head -30
	fi
else
	pass "ASan/UBSan fuzz of the JSON parser # SKIP no -fsanitize=address here"
fi

# The list of the kernel's feature names that the unit tests hold the
# feature table to (tests/kernel-names-6.12.txt) is what the kernel tree
# says: build/linux (make tree) if there is one, else Debian's source
# package.
names_src=
top=$(cd "$dir/../.." && pwd)
if [ -f "${BUILD:-$top/build}/linux/arch/x86/include/asm/cpufeatures.h" ] &&
   [ -f "${BUILD:-$top/build}/linux/arch/x86/kernel/cpu/cpufeat.c" ]; then
	names_src=${BUILD:-$top/build}/linux
elif [ -f /usr/src/linux-source-6.12.tar.xz ]; then
	mkdir -p "$tmp/src"
	tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$tmp/src" --strip-components=1 \
		--wildcards '*/arch/x86/include/asm/cpufeatures.h' \
		'*/arch/x86/include/asm/cpufeature.h' '*/arch/arm64/include/asm/hwcap.h' \
		'*/arch/arm64/include/uapi/asm/hwcap.h' '*/arch/arm64/kernel/cpuinfo.c' 2>/dev/null
	# cpufeat_x86_regs[] is ours: from the repository
	mkdir -p "$tmp/src/arch/x86/kernel/cpu"
	cp "$top/arch/x86/kernel/cpu/cpufeat.c" "$tmp/src/arch/x86/kernel/cpu/"
	[ -f "$tmp/src/arch/x86/include/asm/cpufeatures.h" ] && names_src=$tmp/src
fi
if [ -n "$names_src" ]; then
	if python3 "$dir/tests/kernel-names.py" "$names_src" >"$tmp/names" 2>"$tmp/err" &&
	   diff -u "$dir/tests/kernel-names-6.12.txt" "$tmp/names" >"$tmp/diff"; then
		pass "kernel-names-6.12.txt is what $names_src lists"
	else
		fail "kernel-names-6.12.txt is what $names_src lists"
		sed 's/^/# /' "$tmp/err" "$tmp/diff" | head -40
	fi
else
	pass "kernel-names-6.12.txt against a kernel tree # SKIP no build/linux or linux-source-6.12"
fi

# A fake x86_64 machine: root cgroup with cpufeat enabled, a process whose
# view hides avx2, a C library built for x86-64-v2.
R=$tmp/root
MACH="fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 sse4_2 popcnt cx16 lahf_lm xsave avx avx2"
mkdir -p "$R/sys/fs/cgroup/a" "$R/proc/self" "$R/proc/1" "$R/proc/42" "$R/lib64" "$R/etc"
echo "cpu cpufeat memory" >"$R/sys/fs/cgroup/cgroup.controllers"
echo "cpufeat" >"$R/sys/fs/cgroup/cgroup.subtree_control"
echo "$MACH" >"$R/sys/fs/cgroup/cpufeat.hwcap.effective"
echo "cpufeat" >"$R/sys/fs/cgroup/a/cgroup.controllers"
echo "" >"$R/sys/fs/cgroup/a/cgroup.subtree_control"
echo "$MACH" >"$R/sys/fs/cgroup/a/cpufeat.hwcap.effective"
echo "max" >"$R/sys/fs/cgroup/a/cpufeat.hwcap"
echo "${MACH% avx2}" >"$R/proc/self/cpufeat"
echo "$MACH" >"$R/proc/1/cpufeat"
echo "fpu sse sse2" >"$R/proc/42/cpufeat"
echo "0::/a" >"$R/proc/self/cgroup"
printf 'processor\t: 0\nmodel name\t: Fake CPU @ 1GHz\nflags\t\t: fpu\n' >"$R/proc/cpuinfo"
python3 - "$R/lib64/ld-linux-x86-64.so.2" <<'EOF'
import struct, sys
# ELF64 header, one PT_GNU_PROPERTY segment, ISA_1_NEEDED = baseline|v2
note = struct.pack("<III4sIII4x", 4, 16, 5, b"GNU", 0xc0008002, 4, 3)
eh = b"\x7fELF\x02\x01\x01" + b"\0" * 25 + struct.pack("<Q", 64) + b"\0" * 14 + struct.pack("<HH", 56, 1) + b"\0" * 6
ph = struct.pack("<IIQQQQQQ", 0x6474e553, 4, 120, 0, 0, len(note), len(note), 8)
open(sys.argv[1], "wb").write(eh + ph + note)
EOF

cf() { CPUFEAT_SYSROOT=$R CPUFEAT_ARCH=x86_64 "$CPUFEAT" "$@"; }

# expect STATUS DESCRIPTION -- COMMAND...: run it, check its exit status;
# its stdout and stderr are in $out and $err.
expect() {
	local want=$1 what=$2 rc
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
	if [ "$rc" = "$want" ]; then
		pass "$what (exit $rc)"
		return 0
	fi
	fail "$what (exit $rc, want $want)"
	sed 's/^/# out: /' "$tmp/out"
	sed 's/^/# err: /' "$tmp/err"
	return 1
}
# check DESCRIPTION COMMAND...: a test of the last output
check() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; echo "# out: $out"; echo "# err: $err"; fi
}
has() { grep -q -- "$1" <<<"$2"; }
has_word() { [[ " $2 " == *" $1 "* ]]; }
nl=$'\n'

expect 0 "help" -- cf help
check "help lists every command and exit status" \
	eval 'for w in list show baseline check set run presets "Exit status"; do has "$w" "$out" || exit 1; done'
expect 2 "no command" -- cf
expect 2 "unknown command" -- cf frob
check "unknown command named" has 'unknown command "frob"' "$err"
expect 2 "unknown option" -- cf list --frob

expect 0 "list" -- cf list
check "list: every machine feature, avx2 marked hidden" \
	eval '[ "$(wc -l <<<"$out")" = 19 ] && has "^avx2 hidden$" "$out" && has "^avx$" "$out"'
expect 0 "list --all" -- cf list --all
check "list --all: preset features this machine lacks marked absent" \
	eval 'has "^avx512f absent$" "$out" && has "^bmi1 absent$" "$out" && ! has "^fpu absent" "$out"'
expect 0 "list --save" -- cf list --save "$tmp/this.feat"
check "saved file: magic, arch, kernel, cpu, features" \
	eval 'f=$(cat "$tmp/this.feat"); has "^cpufeat-features 1$" "$f" && has "^arch x86_64$" "$f" &&
	      has "^kernel " "$f" && has "^cpu Fake CPU @ 1GHz$" "$f" && has "^features $MACH$" "$f"'
expect 0 "list --save -" -- cf list --save -
check "list --save - writes to stdout" has "^features fpu" "$out"

expect 0 "show" -- cf show
check "show: own view" test "$out" = "${MACH% avx2}"
expect 0 "show 42" -- cf show 42
check "show PID" test "$out" = "fpu sse sse2"
expect 0 "show --hidden 42" -- cf show --hidden 42
check "show --hidden lists what the view lacks" eval 'has "^fpu\|fpu " "$out" || has "avx2" "$out" && ! has "sse2" "$out"'
expect 3 "show of a missing process" -- cf show 4242
check "show: no such process" has "no process 4242" "$err"
expect 2 "show bad pid" -- cf show abc

cat >"$tmp/weak.feat" <<EOF
# a made-up older machine
cpufeat-features 1
arch x86_64
kernel 6.12.0
cpu Old CPU
features fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 popcnt
EOF
cat >"$tmp/arm.feat" <<EOF
cpufeat-features 1
arch arm64
features fp asimd cpuid
EOF
expect 0 "baseline of two files" -- cf baseline "$tmp/this.feat" "$tmp/weak.feat"
check "baseline: intersection in the first file's order" \
	test "$out" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 popcnt"
expect 0 "baseline of a file and a preset" -- cf baseline "$tmp/this.feat" x86-64-v1
check "baseline with a preset" test "$out" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm"
expect 0 "baseline --save" -- cf baseline --save "$tmp/base.feat" "$tmp/this.feat" "$tmp/weak.feat"
check "baseline --save writes a saved file" \
	eval 'has "^cpu baseline of " "$(cat "$tmp/base.feat")" && has "^arch x86_64" "$(cat "$tmp/base.feat")"'
expect 2 "baseline refuses to mix architectures" -- cf baseline "$tmp/this.feat" "$tmp/arm.feat"
check "mixing error names both" has "refusing to mix architectures" "$err"
expect 2 "baseline of x86 and arm64 presets" -- cf baseline x86-64-v2 armv8.0-a
expect 2 "baseline without operands" -- cf baseline
expect 2 "baseline of a nonexistent name" -- cf baseline nosuch
check "neither file nor preset" has "neither a file nor a preset" "$err"
printf 'cpufeat-features 1\narch x86_64\nfeatures fpu Bad\n' >"$tmp/bad.feat"
expect 2 "malformed file" -- cf baseline "$tmp/bad.feat"
check "malformed file: file and line named" has "bad.feat:3: invalid feature name \"Bad\"" "$err"
head -c 100 /dev/zero >"$tmp/bin.feat"
expect 2 "binary file" -- cf check "$tmp/bin.feat"
printf 'cpufeat-features 1\narch x86_64\nfeatures fpu\n' >"$tmp/one.feat"
printf 'cpufeat-features 1\narch x86_64\nfeatures avx\n' >"$tmp/two.feat"
expect 1 "baseline with nothing in common" -- cf baseline "$tmp/one.feat" "$tmp/two.feat"

expect 0 "check a weaker file" -- cf check "$tmp/weak.feat"
check "check: ok line" has "^ok: this machine has all 13 features" "$out"
expect 0 "check -q prints nothing" -- cf check -q x86-64-v2
check "quiet" test -z "$out"
expect 1 "check x86-64-v3 (no bmi1, bmi2, abm, movbe, f16c, fma)" -- cf check x86-64-v3
check "check lists what is missing" has "^missing 6 of the 25 features of x86-64-v3: bmi1 bmi2 f16c fma abm movbe$" "$out"
expect 1 "check --pid 42 x86-64-v1" -- cf check --pid 42 x86-64-v1
check "check --pid uses the process's view" has "missing 6 of the 9 features of x86-64-v1: cx8 cmov mmx fxsr syscall lm" "$out"
expect 0 "check --pid self x86-64-v2" -- cf check --pid self x86-64-v2
expect 1 "check an arm64 file on x86_64" -- cf check "$tmp/arm.feat"
check "arch mismatch said" has "is for arm64, this machine is x86_64" "$out"
expect 2 "check without operand" -- cf check

expect 0 "presets" -- cf presets
check "x86 presets listed, not arm64 ones" eval 'has "^x86-64-v4 " "$out" && ! has armv8 "$out"'
expect 0 "presets x86-64-v2" -- cf presets x86-64-v2
check "preset features" test "$out" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm cx16 lahf_lm popcnt pni ssse3 sse4_1 sse4_2"
expect 0 "arm64 presets" -- env CPUFEAT_ARCH=arm64 CPUFEAT_SYSROOT="$R" "$CPUFEAT" presets
check "arm64 presets listed" eval 'has "^armv8.0-a " "$out" && has "^armv9.0-a " "$out" && ! has x86-64 "$out"'

# set: the fake cgroup files are plain files, so what is written stays.
CG=$R/sys/fs/cgroup
expect 0 "set --dry-run x86-64-v2" -- cf set --dry-run a x86-64-v2
check "dry run prints the list and writes nothing" \
	eval '[ "$out" = "$(cf presets x86-64-v2)" ] && [ "$(cat "$CG/a/cpufeat.hwcap")" = max ]'
check "no warning at the C library's level" test -z "$err"
expect 0 "set a x86-64-v1" -- cf set a x86-64-v1
check "written" test "$(cat "$CG/a/cpufeat.hwcap")" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm"
check "warns: below the C library's x86-64-v2" \
	eval 'has "warning: this hides .*popcnt.* of x86-64-v2" "$err" && has "ld-linux-x86-64.so.2" "$err" && has "CPU does not support x86-64-v2" "$err"'
expect 0 "set --quiet" -- cf set --quiet a x86-64-v1
check "no warning with --quiet" test -z "$err"
expect 0 "set --isa x86-64-v1 x86-64-v1" -- cf set --isa x86-64-v1 /a x86-64-v1
check "--isa overrides the detected level" test -z "$err"
expect 0 "set of edits" -- cf set /sys/fs/cgroup/a -- -avx2 +avx
check "edits written verbatim (+ first)" test "$(cat "$CG/a/cpufeat.hwcap")" = "+avx -avx2"
expect 0 "set max -avx2" -- cf set a max -avx2
check "max -NAME: the machine's features minus NAME" test "$(cat "$CG/a/cpufeat.hwcap")" = "${MACH% avx2}"
expect 0 "set a saved file" -- cf set a "$tmp/weak.feat" -popcnt
check "file minus an edit" test "$(cat "$CG/a/cpufeat.hwcap")" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1"
check "warns about sse4_2 popcnt cx16 lahf_lm" has "hides cx16 lahf_lm popcnt sse4_2 of x86-64-v2" "$err"
echo max >"$CG/a/cpufeat.hwcap"
expect 0 "set -- -sse2 warns at the v1 level" -- cf set --isa x86-64-v1 a -- -sse2
check "warning names sse2 and x86-64-v1" has "hides sse2 of x86-64-v1" "$err"
expect 2 "set of a bad spec" -- cf set a "max fpu"
check "bad spec explained" has '"max" cannot be combined' "$err"
expect 2 "set of an arm64 preset" -- cf set a armv8.0-a
expect 2 "set without a spec" -- cf set a
expect 2 "set of the root cgroup" -- cf set / max
expect 2 "set with .." -- cf set a/../b max
expect 3 "set of a missing cgroup" -- cf set nosuch max
check "suggests --create" has "(--create makes it)" "$err"
mkdir "$CG/b"
echo cpufeat >"$CG/b/cgroup.controllers"
: >"$CG/b/cgroup.subtree_control"
# (a fake cgroup made by mkdir has no files: the write itself fails here)
expect 3 "set --create b/c" -- cf set --create b/c fpu sse
check "created, cpufeat enabled in the parent, then the write tried" \
	eval '[ -d "$CG/b/c" ] && [ "$(cat "$CG/b/cgroup.subtree_control")" = +cpufeat ] && has "b/c/cpufeat.hwcap does not exist" "$err"'
expect 2 "set --isa of another arch" -- cf set --isa armv8.0-a a max
expect 0 "RHEL 9 without marked libc: x86-64-v2" -- \
	env CPUFEAT_SYSROOT="$R" CPUFEAT_ARCH=x86_64 sh -c \
	'rm -f "$CPUFEAT_SYSROOT/lib64/ld-linux-x86-64.so.2"; printf "NAME=x\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n" >"$CPUFEAT_SYSROOT/etc/os-release"; "$0" set a x86-64-v1' "$CPUFEAT"
check "warning names Enterprise Linux 9" has "x86-64-v2, the level Enterprise Linux 9 requires" "$err"

# set --predict: what the kernel will do with a write (kernel syntax with
# --raw), without writing.
echo max >"$CG/a/cpufeat.hwcap"
expect 0 "set --predict of a spec" -- cf set --predict a max -avx2
words() { tr ' ' '\n' | sed '/^$/d' | sort; }
same_set() { [ "$(words <<<"$1")" = "$(words <<<"$2")" ]; }
check "prediction: the value, ok, the setting (in the kernel's order) and the effective set" \
	eval 'has "^write ${MACH% avx2}$" "$out" && has "^result ok$" "$out" &&
	      same_set "$(sed -n "s/^setting //p" <<<"$out")" "${MACH% avx2}" &&
	      has "^setting fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 cx16 sse4_1" "$out" &&
	      has "^effective ${MACH% avx2}$" "$out"'
check "--predict writes nothing" test "$(cat "$CG/a/cpufeat.hwcap")" = max
expect 0 "set --predict --raw of edits" -- cf set --predict --raw a "-avx2 -sse4_2"
check "edits of max: every name the kernel knows less two; the machine's features less two" \
	eval 'set=$(sed -n "s/^setting //p" <<<"$out"); [ "$(wc -w <<<"$set")" = 223 ] &&
	      ! has_word avx2 "$set" && ! has_word sse4_2 "$set" && has_word la57 "$set" &&
	      has "^effective fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 popcnt cx16 lahf_lm xsave avx$" "$out"'
expect 0 "set --predict --raw of a repeated name" -- cf set --predict --raw a "fpu fpu"
check "predicted EINVAL, named, nothing changes" \
	eval 'has "^result EINVAL$" "$out" && has "^reason \"fpu\" given twice$" "$out" && has "^setting max$" "$out" && has "^effective $MACH$" "$out"'
expect 0 "set --predict --raw keeps white space" -- cf set --predict --raw a "$(printf ' max\t\n')"
check "escaped in the write line" has '^write  max\\t$' "$out"
expect 0 "set --predict --raw of names the machine lacks" -- cf set --predict --raw a "fpu avx512f"
check "known to the kernel: kept in the setting, not in the effective set" \
	eval 'has "^setting fpu avx512f$" "$out" && has "^effective fpu$" "$out"'
expect 0 "set --predict --raw of an unknown name" -- cf set --predict --raw a "fpu zz_nosuch"
check "predicted EINVAL for the unknown name" has '^reason unknown feature name "zz_nosuch"$' "$out"
expect 0 "set --predict --raw of 8193 bytes" -- cf set --predict --raw a "$(printf 'fpu%8190s' '')"
check "predicted E2BIG" has "^result E2BIG$" "$out"
expect 0 "set --dry-run --raw of a name the kernel lacks" -- cf set --dry-run --raw a "fpu constant_tsc"
check "dry run warns that the kernel would reject it" \
	has 'would reject this (EINVAL): unknown feature name "constant_tsc"' "$err"
expect 2 "set --raw takes one value" -- cf set --raw a fpu sse
expect 0 "set --raw writes verbatim" -- cf set --raw a "fpu  sse"
check "the value as given" test "$(cat "$CG/a/cpufeat.hwcap")" = "fpu  sse"
echo max >"$CG/a/cpufeat.hwcap"

# run: only the parts that fail before anything is executed
expect 125 "run without --" -- cf run x86-64-v2 true
expect 125 "run without a spec" -- cf run -- true
expect 125 "run without a command" -- cf run x86-64-v2 --
expect 125 "run with a bad spec" -- cf run SSE -- true

# check: the classes of what is missing.
printf 'cpufeat-features 1\narch x86_64\nfeatures fpu sse sse2 erms fsrm vmx hypervisor\n' >"$tmp/mixed.feat"
expect 0 "check: only hints and kernel-only features missing" -- cf check "$tmp/mixed.feat"
check "ok, with a note for the hints and the ignored ones" \
	eval 'has "^ok: this machine has every feature of .*mixed.feat that programs need (4 of 7 missing" "$out" &&
	      has "^note: erms fsrm: performance hints" "$out" && has "^ignored: vmx hypervisor: for the kernel" "$out"'
expect 0 "check --quiet: nothing printed" -- cf check --quiet "$tmp/mixed.feat"
check "quiet" test -z "$out"
expect 1 "check --strict refuses hints too" -- cf check --strict "$tmp/mixed.feat"
check "the missing line names all four" has "^missing 4 of the 7 features of .*: erms fsrm vmx hypervisor$" "$out"
printf 'cpufeat-features 1\narch x86_64\nfeatures fpu avx2 avx512f avx512bw amx_tile erms zz_future\n' >"$tmp/state.feat"
expect 1 "check: instruction sets and state missing" -- cf check "$tmp/state.feat"
check "refused: avx512f and amx_tile said to be state, zz_future unknown, erms a note" \
	eval 'has "^missing 4 of the 7 features of .*: avx512f avx512bw amx_tile zz_future$" "$out" &&
	      has "^state: avx512f amx_tile: a checkpoint holds their register state" "$out" &&
	      has "^unknown: zz_future: not in cpufeat.s feature table" "$out" && has "^note: erms" "$out"'
expect 0 "classes" -- cf classes
check "classes: every x86 name of Linux 6.12, with class and kind" \
	eval '[ "$(wc -l <<<"$out")" = 286 ] && has "^erms hint cpufeat$" "$out" &&
	      has "^avx512f state cpufeat$" "$out" && has "^constant_tsc hint cpuinfo$" "$out"'
expect 1 "classes of names, one unknown" -- cf classes avx2 sve
check "one line each" test "$out" = "avx2 isa cpufeat${nl}sve unknown -"
expect 0 "arm64 classes" -- env CPUFEAT_ARCH=arm64 CPUFEAT_SYSROOT="$R" "$CPUFEAT" classes sve paca bti
check "arm64: sve and paca state, bti a hint" test "$out" = "sve state cpufeat${nl}paca state cpufeat${nl}bti hint cpufeat"

# --json: one document on one line, parsed with Python; exit codes as
# without it.
json_is() {	# DESCRIPTION PYTHON-EXPRESSION-ON-d
	if python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
sys.exit(0 if eval("(" + sys.argv[1] + ")") else 1)' "$2" <<<"$out" 2>"$tmp/pyerr" &&
	   [ "$(wc -l <<<"$out")" = 1 ]; then
		pass "$1"
	else
		fail "$1"
		echo "# out: $out"
		sed 's/^/# python: /' "$tmp/pyerr" | tail -3
	fi
}
expect 0 "list --json" -- cf list --json --all
json_is "list --json: arch, features, hidden, absent" \
	'sorted(d) == ["absent", "arch", "features", "hidden"] and d["arch"] == "x86_64" and
	 len(d["features"]) == 19 and d["hidden"] == ["avx2"] and "avx512f" in d["absent"]'
expect 2 "list --json --save is a usage error" -- cf list --json --save "$tmp/x"
expect 0 "show --json" -- cf show --json 42
json_is "show --json: pid, hidden, features" \
	'd == {"pid": "42", "hidden": False, "features": ["fpu", "sse", "sse2"]}'
expect 0 "show --json --hidden" -- cf show --json --hidden
json_is "show --json --hidden: what the view lacks" 'd["hidden"] is True and d["features"] == ["avx2"] and d["pid"] == "self"'
expect 3 "show --json of a missing process: exit 3" -- cf show --json 4242
expect 0 "baseline --json" -- cf baseline --json "$tmp/this.feat" "$tmp/weak.feat"
json_is "baseline --json: arch, sources, features, nfd_unmapped, nfd_undecided" \
	'sorted(d) == ["arch", "features", "nfd_undecided", "nfd_unmapped", "sources"] and
	 d["features"] == "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 popcnt".split() and
	 len(d["sources"]) == 2 and d["nfd_unmapped"] == []'
expect 1 "baseline --json with nothing in common: exit 1" -- cf baseline --json "$tmp/one.feat" "$tmp/two.feat"
json_is "and the JSON says so" 'd["features"] == []'
expect 2 "baseline --json --save is a usage error" -- cf baseline --json --save x "$tmp/one.feat"
expect 1 "check --json of a stronger set" -- cf check --json "$tmp/state.feat"
json_is "check --json: ok false, refused, missing by class" \
	'sorted(d) == ["arch", "features", "file", "machine_arch", "missing", "ok", "pid", "refused", "target"] and
	 d["ok"] is False and d["features"] == 7 and d["target"] == "machine" and d["pid"] is None and
	 d["missing"]["state"] == ["avx512f", "amx_tile"] and d["missing"]["unknown"] == ["zz_future"] and
	 d["missing"]["hint"] == ["erms"] and d["missing"]["isa"] == ["avx512bw"] and
	 sorted(d["missing"]) == ["hint", "isa", "kernel", "state", "unknown"]'
expect 0 "check --json --pid of a weaker set" -- cf check --json --pid 42 "$tmp/one.feat"
json_is "check --json: ok true, pid" 'd["ok"] is True and d["target"] == "pid" and d["pid"] == "42" and d["refused"] == []'
expect 1 "check --json of another architecture" -- cf check --json "$tmp/arm.feat"
json_is "check --json: the architectures" 'd == {"file": "'"$tmp/arm.feat"'", "arch": "arm64", "machine_arch": "x86_64", "ok": False}'
expect 0 "presets --json" -- cf presets --json
json_is "presets --json: this arch's presets with their features" \
	'd["arch"] == "x86_64" and [p["name"] for p in d["presets"]] == ["x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4"] and
	 d["presets"][1]["base"] == "x86-64-v1" and d["presets"][0]["base"] is None and
	 len(d["presets"][3]["features"]) == 30 and sorted(d["presets"][0]) == ["arch", "base", "description", "features", "name"]'
expect 0 "presets --json PRESET" -- cf presets --json x86-64-v2
json_is "one preset" 'd["name"] == "x86-64-v2" and len(d["features"]) == 16'
expect 2 "presets --json of no preset" -- cf presets --json nosuch
expect 0 "classes --json" -- cf classes --json
json_is "classes --json: every name with class and kind" \
	'd["arch"] == "x86_64" and len(d["features"]) == 286 and
	 {"name": "fsrm", "class": "hint", "kind": "cpufeat"} in d["features"]'

# Kubernetes: baselines of the NFD labels of "kubectl get nodes -o json"
# (tests/nfd: label sets as NFD's docs/usage/features.md and its x86 and
# arm64 sources name them).
N=$dir/tests/nfd
expect 0 "baseline of three x86 nodes' NFD labels" -- cf baseline "$N/x86-nodes.json"
check "what all three have, in the kernel's order" \
	test "$out" = "fpu cx8 sep cmov mmx fxsr sse sse2 syscall lm fma movbe aes xsave avx lahf_lm avx2 xsaveopt"
check "names the labels cpufeat has no name for" \
	has "NFD labels without a feature name cpufeat controls, not used: CETSS IBPB OSXSAVE SPEC_CTRL_SSBD STIBP CPBOOST IBRS AVXSLOW FP256$" "$err"
check "names what NFD does not label and no level label implies (the Haswell node)" \
	eval 'has "NFD does not label .*popcnt.*(its default attributeBlacklist)" "$err" && has "does not label.* bmi1 " "$err"'
expect 0 "baseline of one node from standard input, with a preset" -- \
	sh -c '"$0" baseline - x86-64-v3 <"$1"' "$CPUFEAT" "$N/x86-node.json"
check "its X86_64_V4 label implies the v3 features NFD does not label" \
	same_set "$out" "$(cf presets x86-64-v3)"
expect 0 "baseline --json of the NFD labels" -- cf baseline --json "$N/x86-nodes.json"
json_is "nfd_unmapped and nfd_undecided in the JSON" \
	'"AVXSLOW" in d["nfd_unmapped"] and "popcnt" in d["nfd_undecided"] and "avx2" in d["features"]'
expect 0 "baseline --save of NFD labels and a saved file" -- \
	cf baseline --save "$tmp/k8s.feat" "$N/x86-nodes.json" "$tmp/this.feat"
check "a saved file that set takes" \
	eval 'cf set --dry-run --quiet a "$tmp/k8s.feat" >/dev/null && has "^cpu baseline of .*x86-nodes.json" "$(cat "$tmp/k8s.feat")"'
expect 0 "arm64 nodes" -- env CPUFEAT_ARCH=arm64 CPUFEAT_SYSROOT="$R" "$CPUFEAT" baseline "$N/arm64-nodes.json"
check "arm64: the hwcaps both Graviton nodes have" \
	test "$out" = "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs"
check "arm64: no note" test -z "$err"
expect 2 "x86 and arm64 nodes are not mixed" -- cf baseline "$N/x86-nodes.json" "$N/arm64-nodes.json"
check "the node named, and how to select" eval 'has "node graviton2" "$err" && has "kubernetes.io/arch" "$err"'
echo '{"kind": "List", "items": [' >"$tmp/bad.json"
expect 2 "malformed JSON" -- cf baseline "$tmp/bad.json"
check "where" has "not JSON: .* at byte" "$err"
echo '{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "plain", "labels": {"kubernetes.io/arch": "amd64"}}}]}' >"$tmp/nonfd.json"
expect 2 "a node without NFD labels" -- cf baseline "$tmp/nonfd.json"
check "said so" has "node plain has no feature.node.kubernetes.io/cpu-cpuid" "$err"
expect 2 "check of a node list" -- cf check "$N/x86-nodes.json"
check "check points to baseline" has "3 nodes; take their baseline first" "$err"
expect 1 "check of one node's labels (an Ice Lake: more than this machine)" -- cf check "$N/x86-node.json"
check "avx512f named as state" has "^state: avx512f: " "$out"

# criu-hook: CRIU's action script, as criu runs it (CRTOOLS_* in the
# environment), against a fake process tree: 100 (the dumped root) with a
# child 101 and a zombie grandchild 102, and 200 outside the tree.
fake_proc() {	# PID PPID NSPID [VIEW]
	mkdir -p "$R/proc/$1"
	echo "$1 (prog $1) S $2 $1 $1 0 -1" >"$R/proc/$1/stat"
	printf 'Name:\tprog\nPid:\t%s\nNSpid:\t%s\t%s\n' "$1" "$1" "$3" >"$R/proc/$1/status"
	printf '%s\n' "${4:-}" >"$R/proc/$1/cpufeat"
	[ -n "${4:-}" ] || : >"$R/proc/$1/cpufeat"
}
fake_proc 100 1 1 "${MACH% avx2}"
fake_proc 101 100 2 "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt xsave avx"
fake_proc 102 101 3
fake_proc 200 1 200 "$MACH"
IMG=$tmp/img
mkdir -p "$IMG"
hook() {	# ACTION INIT_PID [OPTIONS]
	local action=$1 pid=$2
	shift 2
	env CRTOOLS_SCRIPT_ACTION="$action" CRTOOLS_IMAGE_DIR="$IMG" CRTOOLS_INIT_PID="$pid" \
		CPUFEAT_SYSROOT="$R" CPUFEAT_ARCH=x86_64 "$CPUFEAT" criu-hook "$@"
}
expect 0 "criu-hook post-dump" -- hook post-dump 100
check "the record: magic, arch, machine, the three processes of the tree by namespace pid" \
	eval 'f=$(cat "$IMG/cpufeat-criu.txt"); has "^cpufeat-criu 1$" "$f" && has "^arch x86_64$" "$f" &&
	      has "^machine $MACH$" "$f" && has "^process 1 ${MACH% avx2}$" "$f" &&
	      has "^process 2 fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt xsave avx$" "$f" &&
	      has "^process 3$" "$f" && [ "$(grep -c ^process <<<"$f")" = 3 ] && has "recorded the views of 3 processes" "$err"'
check "nothing else left in the image directory" test "$(ls "$IMG")" = cpufeat-criu.txt
# A kernel that cannot narrow a view has a read-only /proc/PID/cpufeat.
chmod 0444 "$R/proc/self/cpufeat"
expect 0 "criu-hook pre-restore on the same machine" -- hook pre-restore ""
check "nothing refused; warned that process 2's view is not criu's" \
	test "$(grep -c . <<<"$err")" = 1 -a -n "$(grep "warning: 1 of the 2 recorded views are not the view criu runs with" <<<"$err")"
chmod 0644 "$R/proc/self/cpufeat"
expect 0 "criu-hook pre-restore, a kernel that narrows views" -- hook pre-restore ""
check "no warning: post-restore narrows process 2's view" test -z "$err"
echo "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 sse4_2 cx16 lahf_lm xsave" >"$CG/cpufeat.hwcap.effective"
expect 1 "criu-hook pre-restore on a machine without popcnt and avx: criu aborts" -- hook pre-restore ""
check "the features named, avx as state" \
	eval 'has "refusing to restore on this machine: it lacks 2 of the features" "$err" &&
	      has "cpufeat: missing: popcnt avx$" "$err" && has "state a checkpoint holds.*: avx$" "$err"'
expect 1 "criu-hook --images DIR pre-restore, by hand" -- \
	env CPUFEAT_SYSROOT="$R" CPUFEAT_ARCH=x86_64 "$CPUFEAT" criu-hook --images "$IMG" pre-restore
echo "$MACH" >"$CG/cpufeat.hwcap.effective"
echo "$MACH" >"$R/proc/self/cpufeat"
chmod 0444 "$R/proc/self/cpufeat"
expect 0 "pre-restore: criu's own view differs from the recorded ones" -- hook pre-restore ""
check "warned: the restored processes get criu's view" \
	has "warning: 2 of the 2 recorded views are not the view criu runs with" "$err"
expect 1 "pre-restore --strict refuses that" -- hook pre-restore "" --strict
chmod 0644 "$R/proc/self/cpufeat"
expect 0 "pre-restore --strict, criu's view wider and a kernel that narrows" -- hook pre-restore "" --strict
check "nothing said" test -z "$err"
echo "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt xsave avx" >"$R/proc/self/cpufeat"
expect 1 "pre-restore --strict, criu's view narrower than a recorded one" -- hook pre-restore "" --strict
check "refused: a view is never widened" \
	has "refusing to restore: 1 of the 2 recorded views have features the view criu runs with lacks" "$err"
echo "${MACH% avx2}" >"$R/proc/self/cpufeat"
sed -i "s/^arch x86_64/arch arm64/" "$IMG/cpufeat-criu.txt"
expect 1 "criu-hook pre-restore of a record from arm64" -- hook pre-restore ""
check "said so" has "the checkpoint was made on arm64, this machine is x86_64" "$err"
sed -i "s/^arch arm64/arch x86_64/" "$IMG/cpufeat-criu.txt"
# the restored tree: 300 (ns pid 1), 301 (2), 302 (3, a zombie)
fake_proc 300 1 1 "${MACH% avx2}"
fake_proc 301 300 2 "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt xsave avx"
fake_proc 302 301 3
expect 0 "criu-hook post-restore: every view as recorded" -- hook post-restore 300
check "said so" has "the 3 restored processes have the views they were dumped with" "$err"
fake_proc 301 300 2 "$MACH"
expect 0 "criu-hook post-restore: criu's wider view narrowed to the recorded one" -- hook post-restore 300
check "process 2's view written to its /proc/PID/cpufeat, and said so" \
	eval 'test "$(cat "$R/proc/301/cpufeat")" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt xsave avx" &&
	      has "narrowed the views of 1 restored processes to the recorded ones" "$err" &&
	      has "the 3 restored processes have the views they were dumped with" "$err"'
fake_proc 301 300 2 "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt"
expect 1 "criu-hook post-restore: a view narrower than the recorded one, criu kills the tree" -- hook post-restore 300
check "the process named, what it would need" \
	has "restored process 2 (pid 301 here) cannot get its recorded view: it would need xsave avx, which the view criu runs with lacks" "$err"
check "its view left as it was" \
	test "$(cat "$R/proc/301/cpufeat")" = "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni popcnt"
fake_proc 301 300 2 "$MACH"
chmod 0444 "$R/proc/301/cpufeat"
expect 1 "criu-hook post-restore: a view differs, criu kills the tree" -- hook post-restore 300
check "the process named, what it gained and lost" \
	eval 'has "restored process 2 (pid 301 here) has another view than it was dumped with: it now sees ssse3 sse4_1 sse4_2 cx16 lahf_lm avx2$" "$err"'
ln -s "$CPUFEAT" "$tmp/cpufeat-criu-hook"
expect 1 "executed as cpufeat-criu-hook (criu executes a path without arguments)" -- \
	env CRTOOLS_SCRIPT_ACTION=post-restore CRTOOLS_IMAGE_DIR="$IMG" CRTOOLS_INIT_PID=300 \
	CPUFEAT_SYSROOT="$R" CPUFEAT_ARCH=x86_64 "$tmp/cpufeat-criu-hook"
check "it is criu-hook" has "restored process 2 (pid 301 here) has another view" "$err"
expect 0 "criu-hook: other actions do nothing" -- hook network-lock 100
check "quietly" test -z "$out$err"
expect 3 "criu-hook post-dump without CRTOOLS_INIT_PID" -- hook post-dump ""
rm "$IMG/cpufeat-criu.txt"
expect 0 "criu-hook pre-restore of images dumped without the hook" -- hook pre-restore ""
check "warns that nothing was checked" has "no record: the images were dumped without" "$err"
expect 2 "criu-hook outside criu" -- cf criu-hook
printf 'cpufeat-criu 1\narch x86_64\nmachine fpu\n' >"$IMG/cpufeat-criu.txt"
expect 3 "criu-hook of a malformed record" -- hook pre-restore ""
check "file and problem named" has "cpufeat-criu.txt: no \"process\" line" "$err"
rm -rf "$IMG" "$R/proc/100" "$R/proc/101" "$R/proc/102" "$R/proc/200" "$R/proc/300" "$R/proc/301" "$R/proc/302"

# A machine without cpufeat in the kernel.
R2=$tmp/root2
mkdir -p "$R2/sys/fs/cgroup" "$R2/proc/self"
echo "cpu memory" >"$R2/sys/fs/cgroup/cgroup.controllers"
expect 3 "no cpufeat controller" -- env CPUFEAT_SYSROOT="$R2" "$CPUFEAT" list
check "said so" has "no cpufeat controller" "$err"
echo "cpu cpufeat" >"$R2/sys/fs/cgroup/cgroup.controllers"
expect 3 "cpufeat not enabled in the root" -- env CPUFEAT_SYSROOT="$R2" "$CPUFEAT" list
check "explains how to enable it" has "echo +cpufeat > .*cgroup.subtree_control" "$err"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
