#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Differential test of the arm64 masking against the kernel's own reduced
# view (host side):
#
#   oracle.sh [FULL OVERRIDE]
#   oracle.sh --overrides
#
# Booting with "arm64.nosve arm64.nopauth arm64.nobti arm64.nomte" makes
# the kernel itself drop SVE, pointer authentication, BTI and MTE from its
# sanitised ID registers, and so from every hwcap, MRS and /proc/cpuinfo
# answer: the oracle.  Hiding the same hwcaps through cpufeat (the cgroup's
# cpufeat.hwcap "-sve -paca -pacg -bti -mte", guest.sh) must tell a program
# exactly what the oracle boot tells a program in the root cgroup.
#
# FULL and OVERRIDE are the KTAP documents of two boots of the arm64 guest
# that ran part "oracle" (guest.sh: cpufeat-run oracle/oracle), FULL as is,
# OVERRIDE with the overrides on its command line (--overrides prints
# them); check.sh has the first in its arm64 boot.  Without them this
# script boots the arm64 guest twice itself (vm, VM_BUILD=0: run "make
# guest-arm64" first), keeping the documents in $ORACLE_LOGDIR (default
# $BUILD/check) as arm64.oracle-full.log and arm64.oracle-override.log.
#
# It compares, from the records of the guest part (guest/view.sh): AT_HWCAP
# and AT_HWCAP2, the user-visible ID registers as MRS reads them
# (cpufeat_probe --idregs), the "Features" line of /proc/cpuinfo as the
# program reads it.  Prints
# KTAP, one result per compared item plus three checks that the comparison
# means something (the full boot has the features, the oracle boot does
# not, and hiding them again on the oracle boot changes nothing), with the
# differences field by field as "#" lines.  Exit status 0 if every result
# is "ok".
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
# shellcheck source=SCRIPTDIR/../../guest/ktap.sh
. "$HARNESS/guest/ktap.sh"

OVERRIDES="arm64.nosve arm64.nopauth arm64.nobti arm64.nomte"
if [ "${1:-}" = --overrides ]; then
	echo "$OVERRIDES"
	exit 0
fi
# In the order cpufeat_probe --idregs prints them.
REGS=(ID_AA64PFR0_EL1 ID_AA64PFR1_EL1 ID_AA64PFR2_EL1 ID_AA64ZFR0_EL1
      ID_AA64SMFR0_EL1 ID_AA64DFR0_EL1 ID_AA64ISAR0_EL1 ID_AA64ISAR1_EL1
      ID_AA64ISAR2_EL1 ID_AA64ISAR3_EL1 ID_AA64MMFR0_EL1 ID_AA64MMFR1_EL1
      ID_AA64MMFR2_EL1 ID_AA64MMFR3_EL1 ID_AA64MMFR4_EL1)
SYSREG=$BUILD/linux/arch/arm64/tools/sysreg
HWCAP_H=$BUILD/arm64/headers/include/asm/hwcap.h

if [ $# = 2 ]; then
	FULL=$1 OVERRIDE=$2
elif [ $# = 0 ]; then
	LOGDIR=${ORACLE_LOGDIR:-$BUILD/check}
	mkdir -p "$LOGDIR"
	FULL=$LOGDIR/arm64.oracle-full.log
	OVERRIDE=$LOGDIR/arm64.oracle-override.log
	VM_BUILD=0 "$HARNESS/vm" --arch arm64 -- cpufeat-run oracle >"$FULL" 2>&1 ||
		echo "# the full boot: vm exited with status $? (log: $FULL)"
	VM_BUILD=0 "$HARNESS/vm" --arch arm64 --append "$OVERRIDES" \
		-- cpufeat-run oracle >"$OVERRIDE" 2>&1 ||
		echo "# the override boot: vm exited with status $? (log: $OVERRIDE)"
else
	die "usage: oracle.sh [FULL OVERRIDE] | --overrides"
fi

# rec NAME SIDE KEY: the values of the records KEY of SIDE (guest/view.sh)
# in the document of the boot NAME (full or override), one a line.
rec() {
	local doc=$FULL
	[ "$1" = full ] || doc=$OVERRIDE
	view_records "$doc" "$2" "$3"
}

# What the guest part hid, and the names of those hwcaps.
HIDE=$(rec full masked written)
read -ra HIDDEN_NAMES <<<"${HIDE//-/}"

# auxv NAME SIDE WORD: AT_HWCAP or AT_HWCAP2 (WORD) as a hex number, or
# nothing.
auxv() {
	rec "$1" "$2" auxv | head -n 1 | tr ' ' '\n' | sed -n "s/^$3=\(0x[0-9a-fA-F]*\)$/\1/p"
}

# idreg NAME SIDE REG: the register's value, or nothing.
idreg() {
	rec "$1" "$2" idreg | sed -n "s/^$3=\(0x[0-9a-fA-F]*\)$/\1/p" | head -n 1
}

# Names of the hwcap bits, from the UAPI header: "AT_HWCAP 22 SVE".
hwcap_bits() {
	sed -nE 's/^#define[[:space:]]+HWCAP(2?)_([A-Z0-9_]+)[[:space:]]+\(1(UL)?[[:space:]]*<<[[:space:]]*([0-9]+)\).*/AT_HWCAP\1 \4 \2/p' \
		"$HWCAP_H" 2>/dev/null || true
}

# The fields of REG, "HI LO NAME" a line, from arch/arm64/tools/sysreg; the
# sixteen 4-bit fields if the file does not describe REG.
fields() {
	local reg=$1 out=
	[ ! -f "$SYSREG" ] || out=$(awk -v reg="$reg" '
		$1 == "Sysreg" { on = ($2 == reg) ; next }
		$1 == "EndSysreg" { on = 0 }
		on && $2 ~ /^[0-9]+(:[0-9]+)?$/ &&
		$1 ~ /^(Field|Enum|SignedEnum|UnsignedEnum|Res0|Res1)$/ {
			n = split($2, b, ":")
			hi = b[1]; lo = (n == 2) ? b[2] : b[1]
			print hi, lo, ($1 ~ /^Res/) ? $1 "_" hi "_" lo : $3
		}' "$SYSREG")
	if [ -n "$out" ]; then
		echo "$out"
	else
		for ((lo = 60; lo >= 0; lo -= 4)); do
			echo "$((lo + 3)) $lo bits$((lo + 3))_$lo"
		done
	fi
}

# has_bits NAME SIDE: which of HIDDEN_NAMES the auxv of SIDE has, "name=0|1".
has_bits() {
	local name word bit v
	for name in "${HIDDEN_NAMES[@]}"; do
		word='' bit=''
		read -r word bit < <(hwcap_bits | awk -v n="${name^^}" '$3 == n { print $1, $2; exit }') || true
		v=$(auxv "$1" "$2" "${word:-none}")
		if [ -z "${bit:-}" ] || [ -z "$v" ]; then
			echo "$name=?"
		else
			echo "$name=$(((v >> bit) & 1))"
		fi
	done | tr '\n' ' ' | sed 's/ $//'
}

# same_value TEST A B: the result TEST when cpufeat's value A and the
# oracle's B are the same number, or when either is missing; returns 1
# (and prints no result) when they differ, for the caller to explain.
same_value() {
	local test=$1 a=$2 b=$3
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "# $test: missing (cpufeat '${a:-none}', oracle '${b:-none}')"
		ktap_not_ok "$test"
	elif [ $((a)) = $((b)) ]; then
		echo "# $test: $a"
		ktap_ok "$test"
	else
		echo "# $test: cpufeat $a, oracle $b"
		return 1
	fi
}

# cmp_auxv WORD: AT_HWCAP or AT_HWCAP2 of cpufeat (full boot, masked
# cgroup) against the oracle (override boot, root cgroup).
cmp_auxv() {
	local word=$1 a b x bit name
	a=$(auxv full masked "$word")
	b=$(auxv override root "$word")
	same_value "auxv $word" "$a" "$b" && return
	x=$((a ^ b))
	for ((bit = 0; bit < 64; bit++)); do
		(((x >> bit) & 1)) || continue
		name=$(hwcap_bits | awk -v w="$word" -v b="$bit" '$1 == w && $2 == b { print $3 }')
		echo "#   bit $bit (${name:-?}): cpufeat $(((a >> bit) & 1)), oracle $(((b >> bit) & 1))"
	done
	ktap_not_ok "auxv $word"
}

# cmp_reg REG: one ID register, field by field.
cmp_reg() {
	local reg=$1 a b hi lo fname width fa fb
	a=$(idreg full masked "$reg")
	b=$(idreg override root "$reg")
	same_value "$reg" "$a" "$b" && return
	while read -r hi lo fname; do
		width=$((hi - lo + 1))
		fa=$(((a >> lo) & ((1 << width) - 1)))
		fb=$(((b >> lo) & ((1 << width) - 1)))
		[ $fa = $fb ] || echo "#   $reg.$fname [$hi:$lo]: cpufeat $fa, oracle $fb"
	done < <(fields "$reg")
	ktap_not_ok "$reg"
}

# cmp_features: the Features lines.
cmp_features() {
	local a b
	a=$(rec full masked features)
	b=$(rec override root features)
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "# Features: missing"
		ktap_not_ok "Features"
		return
	fi
	if [ "$a" = "$b" ]; then
		echo "# Features: $(wc -w <<<"$a") names, $(wc -l <<<"$a") distinct line(s)"
		ktap_ok "Features"
		return
	fi
	echo "# Features: cpufeat and oracle differ"
	echo "#   cpufeat only: $(comm -23 <(tr ' ' '\n' <<<"$a" | sort -u) <(tr ' ' '\n' <<<"$b" | sort -u) | tr '\n' ' ')"
	echo "#   oracle only: $(comm -13 <(tr ' ' '\n' <<<"$a" | sort -u) <(tr ' ' '\n' <<<"$b" | sort -u) | tr '\n' ' ')"
	[ "$(wc -l <<<"$a")" = 1 ] || echo "#   cpufeat: $(wc -l <<<"$a") distinct Features lines"
	[ "$(wc -l <<<"$b")" = 1 ] || echo "#   oracle: $(wc -l <<<"$b") distinct Features lines"
	ktap_not_ok "Features"
}

# all_records NAME SIDE: everything SIDE told, for an overall comparison.
all_records() {
	local key
	for key in auxv idreg features; do
		rec "$1" "$2" "$key" | sed "s/^/$key /"
	done
}

ktap_header
ktap_plan $((6 + ${#REGS[@]}))
echo "# cpufeat '$HIDE' on the full boot against the boot with '$OVERRIDES'"

# The comparison only means something if the machine has the features and
# the overrides take them away.
# all_set VALUE: "name=VALUE" for each of HIDDEN_NAMES, as has_bits prints.
all_set() {
	printf "%s=$1 " "${HIDDEN_NAMES[@]}" | sed 's/ $//'
}
bits=$(has_bits full root)
echo "# full boot, root cgroup: $bits"
ktap_check "full boot: the root cgroup has ${HIDDEN_NAMES[*]}" \
	test "$bits" = "$(all_set 1)"
bits=$(has_bits override root)
echo "# override boot, root cgroup: $bits"
ktap_check "override boot: the root cgroup lacks ${HIDDEN_NAMES[*]}" \
	test "$bits" = "$(all_set 0)"

echo "# effective set of the masked cgroup: $(rec full masked effective)"
cmp_auxv AT_HWCAP
cmp_auxv AT_HWCAP2
for reg in "${REGS[@]}"; do
	cmp_reg "$reg"
done
cmp_features

# On the oracle boot, hiding what is already gone must change nothing.
a=$(all_records override masked)
b=$(all_records override root)
if [ -n "$a" ] && [ "$a" = "$b" ]; then
	ktap_ok "override boot: a cgroup hiding the same features sees the root's view"
else
	echo "# override boot, masked against root cgroup:"
	diff <(echo "$b") <(echo "$a") | sed -n 's/^[<>] /#   &/p' || true
	ktap_not_ok "override boot: a cgroup hiding the same features sees the root's view"
fi

ktap_finished
