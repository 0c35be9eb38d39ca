#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check of the QEMU the x86_64 guest runs under: the one vm
# picks (QEMU_X86_64, else $BUILD/qemu/bin/qemu-system-x86_64) is the
# build with CPUID faulting (setup/qemu/README) and starts the guest's
# machine and CPU model.  Whether CPUID faulting works is for the guest to
# tell (programs/cpuid-fault-test.c, the core suite's part "cpuid-fault").
# Prints KTAP; exits non-zero if a case fails.  Takes well under a second.
set -uo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../guest/ktap.sh
. "$HARNESS/guest/ktap.sh"

# What setup/qemu/build.sh puts in the version string (--with-pkgversion).
MARK="cpufeat CPUID faulting"

qemu_command x86_64
ktap_header
ktap_plan 3

ktap_check "qemu_present ${qemu[0]}" command -v "${qemu[0]}"
# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
ktap_check "qemu_is_patched" sh -c '
	out=$("$1" --version 2>&1) || { echo "$out"; exit 1; }
	echo "$out" | grep -qF "$2" && exit
	echo "$out"
	echo "not the patched QEMU: its version does not mention \"$2\""
	exit 1' sh "${qemu[0]}" "$MARK"
# The machine as vm starts it, stopped before the first instruction: this
# loads the BIOS and option ROMs, from Debian's qemu-system-x86 package.
ktap_check "qemu_starts_pc_machine" sh -c 'echo quit | timeout 60 "$@" -S -monitor stdio' \
	sh "${qemu[@]}"
ktap_finished
