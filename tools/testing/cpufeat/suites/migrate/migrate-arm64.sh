#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The arm64 side of the two-machine migration (check.sh's boot
# arm64-migrate): migrate-guest.sh sources it on arm64 for what differs
# from x86_64.  Machine A is QEMU's "max", machine B its "cortex-a72"
# (Armv8.0: fp asimd aes pmull sha1 sha2 crc32, no LSE atomics, SHA-512,
# SHA-3, SVE or pointer authentication).  What the workload would use on
# A and B lacks: OpenSSL's SHA-512 (SHA512H, from AT_HWCAP's sha512), Go's
# runtime atomics and GCC's outline atomics (LSE, from atomics).
# shellcheck disable=SC2034 # the variables are migrate-guest.sh's

# B's model as a cpufeat.hwcap setting on A (the hwcaps a Cortex-A72 has,
# evtstrm and cpuid are the kernel's), and what B lacks of what the
# workload uses on A (migrate-guest.sh)
LIBDIR=aarch64-linux-gnu
B_MODEL="fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid"
B_NAME="QEMU cortex-a72 (derived)"
B_LACKS='sha512\|atomics'
B_LACK=sha512
# Go's runtime on arm64 does not get to report the SIGILL (measured: its
# log ends with the last round it finished); the kernel does
# (print-fatal-signals=1)
GO_SIGILL_BY="the kernel's report"
GO_SIGILL="dmesg | grep -q 'gowork: potentially unexpected fatal signal 4'"
# The unmasked tree, restored without the hook, is left stopped and
# continued after criu let go of it: on arm64 a restored process could
# die of SIGILL before criu detached from it, and criu then failed the
# restore ("Unable to detach 20011: No such process", 1 run of 4)
RESTORE_STOPPED=--leave-stopped

# a72-ill's lines on each machine: A executes everything, B only AES
ILL_A="aes aese executes
sha512 sha512h executes
sha3 eor3 executes
atomics ldadd executes
sve rdvl executes
pacg pacga executes"
ILL_B="aes aese executes
sha512 sha512h SIGILL
sha3 eor3 SIGILL
atomics ldadd SIGILL
sve rdvl SIGILL
pacg pacga SIGILL"

# probe_view CGROUP: what a program started in CGROUP is told, on stdout:
# the hwcap names of its auxv, the ID register fields of the features
# (cpufeat_probe --idregs: AES, SHA3, SVE, APA, API) and the view the
# probe checked its auxv against (--check); fails if they disagree
probe_view() {
	sh -c 'echo $$ >'"$CG"'/$1/cgroup.procs &&
		cpufeat_probe --names && cpufeat_probe --idregs | grep "\." &&
		cpufeat_probe --check' probe "$1"
}

# arch_phase_A: on A, before the dump: the instructions run, and the view
# of a program in the masked cgroup, kept for B
arch_phase_A() {
	a72-ill >/tmp/ill.a 2>&1
	show /tmp/ill.a
	ktap_check "machine A (max) executes SHA512H, EOR3, LDADD, RDVL, PACGA" \
		sh -c "echo \"\$1\" | cmp -s - /tmp/ill.a" ill "$ILL_A"
	probe_view job >"$I/probe.a" 2>&1
	st=$?
	show "$I/probe.a"
	ktap_check "a program in the masked cgroup on A: auxv, ID registers and view agree" [ $st = 0 ]
	ktap_check "and it is told of none of sha512 atomics sha3 sve paca pacg (its hwcaps)" \
		sh -c "! head -n 1 $I/probe.a | grep -qw 'sha512\|atomics\|sha3\|sve\|paca\|pacg'"
}

# arch_phase_B: on B, after the masked restore: B raises SIGILL where A
# executed, and a program in the masked cgroup is told what it was on A
arch_phase_B() {
	a72-ill >/tmp/ill.b 2>&1
	show /tmp/ill.b
	ktap_check "machine B (cortex-a72) raises SIGILL for all but AESE" \
		sh -c "echo \"\$1\" | cmp -s - /tmp/ill.b" ill "$ILL_B"
	probe_view job >/tmp/probe.b 2>&1
	st=$?
	ktap_check "a program in the masked cgroup on B: auxv, ID registers and view agree" [ $st = 0 ]
	diff "$I/probe.a" /tmp/probe.b | show
	ktap_check "and it is told exactly what it was told on A (hwcaps, ID register fields)" \
		cmp -s "$I/probe.a" /tmp/probe.b
}
