#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the initramfs of the cpufeat test guest for one architecture:
#
#   mkinitramfs.sh x86_64|arm64
#
# Output: $BUILD/ARCH/initramfs.cpio.gz with static busybox and its applet
# links, /init (guest/init), the static test programs in /usr/bin, and the
# guest runner: /usr/bin/cpufeat-run (guest/run.sh) with guest/ktap.sh,
# guest/alarms, guest/view.sh and each suite's guest side
# (suites/SUITE/guest.sh as suites/SUITE.sh) in /usr/lib/cpufeat.  The
# programs compile against the UAPI headers build-kernel.sh installs in
# $BUILD/ARCH/headers.  Programs and archive are only rebuilt when
# something they are made from changed.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
SRC=$BUILD/linux

arch=${1:-}
case "$arch" in
x86_64)
	cc=gcc
	busybox=/bin/busybox
	;;
arm64)
	cc=aarch64-linux-gnu-gcc
	busybox=$BUILD/deps/arm64/busybox
	;;
*)
	die "usage: mkinitramfs.sh x86_64|arm64"
	;;
esac

OUT=$BUILD/$arch
PROGS=$OUT/progs
HDRS=$OUT/headers/include
SELFTESTS=$SRC/tools/testing/selftests

# The guest's programs, all in one place.  One line each:
#   name in /usr/bin|source directory|sources (first one decides)|cflags[|compiler]
# (the compiler: the architecture's $cc unless the line names another).
# A program whose first source does not exist yet is skipped.
# test_cpufeat and cpufeat_probe (which the test, the demo, the oracle and
# the other suites run) share their helpers and the architecture's file, as
# the selftest's Makefile builds them.
CGROUP_ST=tools/testing/selftests/cgroup
CPUFEAT_COMMON="$CGROUP_ST/cpufeat_util.c $CGROUP_ST/cgroup_util.c $CGROUP_ST/cpufeat_$([ "$arch" = x86_64 ] && echo x86 || echo arm64).c"
PROGRAMS=(
	"test_cpufeat|$SRC|$CGROUP_ST/test_cpufeat.c $CGROUP_ST/cpufeat_writes.c $CGROUP_ST/cpufeat_restore.c $CPUFEAT_COMMON|-pthread -I$SELFTESTS"
	"cpufeat_probe|$SRC|$CGROUP_ST/cpufeat_probe.c $CPUFEAT_COMMON|-pthread -I$SELFTESTS"
	"cpufeat|$TOP|tools/cpufeat/cpufeat.c tools/cpufeat/criu.c tools/cpufeat/features.c tools/cpufeat/classes.c tools/cpufeat/json.c tools/cpufeat/nfd.c tools/cpufeat/record.c|-I$TOP/tools/cpufeat"
	"cpufeat-stress|$TOP|tools/testing/cpufeat/programs/stress.c|-pthread"
	"cpufeat-bench|$TOP|tools/testing/cpufeat/programs/bench.c|"
	"cpufeat-bench-exit|$TOP|tools/testing/cpufeat/programs/bench-exit.c|-nostdlib -ffreestanding -fno-stack-protector"
)
# x86_64 only: the 32-bit (ia32) program of test_cpufeat's compat test.  No
# 32-bit libc needed, only gcc's -m32 code generation (flags as in the
# selftest's Makefile).
[ "$arch" != x86_64 ] || PROGRAMS+=(
	"cpufeat_cpuid32|$SRC|tools/testing/selftests/cgroup/cpufeat_cpuid32.c|-m32 -nostdlib -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns"
)
# x86_64 only: the check of the patched QEMU's CPUID faulting
# (setup/qemu/README), the core suite's part "cpuid-fault".
[ "$arch" != x86_64 ] || PROGRAMS+=(
	"cpuid-fault-test|$TOP|tools/testing/cpufeat/programs/cpuid-fault-test.c|"
)
# arm64 only: the upstream hwcap kselftest (tools/testing/selftests/arm64/abi:
# hwcap is built from hwcap.c alone, with the include paths of
# selftests/arm64/Makefile: tools/include has its u64), which the core suite
# runs in the root cgroup and in a masked one.
[ "$arch" != arm64 ] || PROGRAMS+=(
	"hwcap|$SRC|tools/testing/selftests/arm64/abi/hwcap.c|-I$SELFTESTS -I$SRC/tools/include"
)
# arm64 only: the AArch32 (armhf) program of test_cpufeat's compat test,
# freestanding (flags as in the selftest's Makefile): Debian's armhf cross
# compiler, no 32-bit libc.
[ "$arch" != arm64 ] || PROGRAMS+=(
	"cpufeat_hwcap32|$SRC|tools/testing/selftests/cgroup/cpufeat_hwcap32.c|-marm -nostdlib -ffreestanding -fno-pic -no-pie -fno-stack-protector -fno-tree-loop-distribute-patterns|arm-linux-gnueabihf-gcc"
)
# As in tools/testing/selftests/lib.mk, plus -static: no libc in the guest.
CFLAGS=(-O2 -Wall -static -D_GNU_SOURCE= -isystem "$HDRS")

[ -x "$busybox" ] || die "$busybox is missing: run 'make deps'"
[ -d "$HDRS" ] || die "no UAPI headers in $OUT/headers: run 'make kernel-$arch' first"
command -v "$cc" >/dev/null || die "$cc not found: run 'make deps'"
mkdir -p "$PROGS"

lock "$OUT/.mkinitramfs.lock"

# Content hash of the files a .d dependency file lists (one sha256sum for
# all); fails if one is gone (a header was removed, say), which forces a
# rebuild.
deps_hash() {
	sed -e 's/^[^:]*://' -e 's/\\$//' "$1" | tr -s ' \t' '\n' | sed '/^$/d' |
		sort -u | xargs -r sha256sum | sha
}

# Compile one program unless its sources, headers, flags and compiler are
# unchanged.
build_prog() {
	local name=$1 dir=$2 cc=${5:-$cc} s paths=() flags cmd want
	command -v "$cc" >/dev/null || die "$cc not found: run 'make deps'"
	for s in $3; do
		paths+=("$dir/$s")
	done
	read -ra flags <<<"$4"
	cmd="$cc ${CFLAGS[*]} ${flags[*]} ${paths[*]}"
	if [ -f "$PROGS/$name" ] && [ -f "$PROGS/$name.d" ] &&
	   want=$( { echo "$cmd"; deps_hash "$PROGS/$name.d"; } | sha256sum) &&
	   [ "$want" = "$(cat "$PROGS/$name.stamp" 2>/dev/null)" ]; then
		return
	fi
	printf '  %-7s %s %s\n' CC "$arch" "$name"
	rm -f "$PROGS/$name.stamp"
	# -M lists every file the sources read, for the check above.
	"$cc" "${CFLAGS[@]}" ${flags[@]+"${flags[@]}"} -M "${paths[@]}" >"$PROGS/$name.d" ||
		die "$name: cannot list its dependencies"
	"$cc" "${CFLAGS[@]}" ${flags[@]+"${flags[@]}"} -o "$PROGS/$name" "${paths[@]}" || die "$name: compile failed"
	{ echo "$cmd"; deps_hash "$PROGS/$name.d"; } | sha256sum >"$PROGS/$name.stamp"
}

# gen_init_cpio (from the tree) writes device nodes and root-owned files
# without needing root, with fixed timestamps.
gen=$BUILD/tools/gen_init_cpio
if [ ! -x "$gen" ] || [ "$SRC/usr/gen_init_cpio.c" -nt "$gen" ]; then
	mkdir -p "$BUILD/tools"
	gcc -O2 -o "$gen" "$SRC/usr/gen_init_cpio.c" || die "cannot build gen_init_cpio"
fi

progs=()
for p in "${PROGRAMS[@]}"; do
	IFS='|' read -r name dir srcs flags prog_cc <<<"$p"
	[ -f "$dir/${srcs%% *}" ] || continue
	build_prog "$name" "$dir" "$srcs" "$flags" "$prog_cc"
	progs+=("file /usr/bin/$name $PROGS/$name 0755 0 0")
done

list=$OUT/initramfs.list
{
	cat <<EOF
dir /bin 0755 0 0
dir /sbin 0755 0 0
dir /usr 0755 0 0
dir /usr/bin 0755 0 0
dir /usr/sbin 0755 0 0
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0555 0 0
dir /sys 0555 0 0
dir /tmp 1777 0 0
dir /root 0700 0 0
dir /etc 0755 0 0
file /etc/passwd $OUT/passwd 0644 0 0
file /etc/group $OUT/group 0644 0 0
file /init $HARNESS/guest/init 0755 0 0
file /bin/busybox $busybox 0755 0 0
file /usr/bin/cpufeat-run $HARNESS/guest/run.sh 0755 0 0
dir /usr/lib 0755 0 0
dir /usr/lib/cpufeat 0755 0 0
dir /usr/lib/cpufeat/suites 0755 0 0
file /usr/lib/cpufeat/ktap.sh $HARNESS/guest/ktap.sh 0644 0 0
file /usr/lib/cpufeat/alarms $HARNESS/guest/alarms 0644 0 0
file /usr/lib/cpufeat/view.sh $HARNESS/guest/view.sh 0644 0 0
file /usr/lib/cpufeat/cpufeat-tool-test.sh $TOP/tools/cpufeat/tests/guest-test.sh 0755 0 0
file /usr/lib/cpufeat/cpufeat-criu-test.sh $TOP/tools/cpufeat/tests/criu-test.sh 0755 0 0
file /usr/lib/cpufeat/eco-containers.sh $HARNESS/suites/eco/containers.sh 0755 0 0
EOF
	for f in "$HARNESS"/suites/*/guest.sh; do
		s=${f%/guest.sh}
		echo "file /usr/lib/cpufeat/suites/${s##*/}.sh $f 0755 0 0"
	done
	# busybox --install cannot run the arm64 binary here: both guests get
	# the applet list of the host's busybox-static, the same Debian build.
	# (linuxrc, the one applet outside a directory, is not wanted.)
	/bin/busybox --list-full | grep / | grep -vx bin/busybox | sort |
		sed 's|.*|slink /& /bin/busybox 0777 0 0|'
	[ ${#progs[@]} = 0 ] || printf '%s\n' "${progs[@]}"
} >"$list.new"

# Numeric ids are what the tests use; names make ls -l and id readable.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$OUT/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$OUT/group"

# Rebuild the archive when the list or any file it packs changed.
state=$( { cat "$list.new" "$0"; awk '$1 == "file" { print $3 }' "$list.new" |
	xargs sha256sum; } | sha256sum | cut -d' ' -f1)
mv "$list.new" "$list"
if [ -f "$OUT/initramfs.cpio.gz" ] &&
   [ "$(cat "$OUT/.stamp-initramfs" 2>/dev/null)" = "$state" ]; then
	exit 0
fi
printf '  %-7s %s\n' CPIO "$arch"
"$gen" -t 0 "$list" | gzip -n -6 >"$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
echo "$state" >"$OUT/.stamp-initramfs"
