#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a cpufeat test kernel for one architecture:
#
#   build-kernel.sh x86_64|arm64 [debug|baseline]
#
# Source: $BUILD/linux (see series.sh).  Output, in $BUILD/ARCH (the test
# kernel) or $BUILD/ARCH-FLAVOUR: obj/ (O=), kernel (bzImage or Image),
# headers/ (UAPI headers the guest programs compile against) and build.log.
#
# The configuration is "make tinyconfig" + configs/common.config +
# configs/ARCH.config, then for a flavour configs/FLAVOUR.config and
# configs/ARCH-FLAVOUR.config where they exist, regenerated only when a
# fragment or a Kconfig file changes.  Flavours:
#   debug     the same kernel with KASAN, lockdep, UBSAN, kmemleak and the
#             other debug checks (configs/debug.config), for the debug suite
#   baseline  the same configuration built from the base without the series
#             ($BUILD/linux-baseline, a git worktree of $BUILD/linux at its
#             "base" tag), for the benchmarks' "costs nothing" comparisons
#
# Each fragment is applied in turn.  A fingerprint of the whole tree lets an unchanged tree skip
# kbuild altogether, so "make guest-ARCH" is a quick no-op for vm.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
SRC=$BUILD/linux
CONFIGS=$HARNESS/setup/configs

arch=${1:-}
flavour=${2:-}
case "$flavour" in
"" | debug) ;;
baseline) SRC=$BUILD/linux-baseline ;;
*) die "unknown flavour '$flavour' (debug or baseline)" ;;
esac
case "$arch" in
x86_64)
	cross=
	target=bzImage
	image=arch/x86/boot/bzImage
	;;
arm64)
	cross=aarch64-linux-gnu-
	target=Image
	image=arch/arm64/boot/Image
	;;
*)
	die "usage: build-kernel.sh x86_64|arm64 [debug|baseline]"
	;;
esac

OUT=$BUILD/$arch${flavour:+-$flavour}
OBJ=$OUT/obj
LOG=$OUT/build.log
frags=("$CONFIGS/common.config" "$CONFIGS/$arch.config")
if [ -n "$flavour" ]; then
	for f in "$flavour" "$arch-$flavour"; do
		[ ! -f "$CONFIGS/$f.config" ] || frags+=("$CONFIGS/$f.config")
	done
fi

# The baseline tree: the base commit of $BUILD/linux, checked out apart.
if [ "$flavour" = baseline ]; then
	[ -d "$BUILD/linux/.git" ] || die "no kernel tree at $BUILD/linux: run 'make tree' first"
	base=$(git -C "$BUILD/linux" rev-parse base)
	if [ "$(git -C "$SRC" rev-parse HEAD 2>/dev/null)" != "$base" ]; then
		rm -rf "$SRC"
		git -C "$BUILD/linux" worktree prune
		git -C "$BUILD/linux" worktree add -q --detach "$SRC" "$base" ||
			die "cannot check out the base in $SRC"
	fi
fi

[ -f "$SRC/Makefile" ] || die "no kernel tree at $SRC: run 'make tree' first"
command -v "${cross}gcc" >/dev/null || die "${cross}gcc not found: run 'make deps'"
mkdir -p "$OBJ"

# One build per architecture at a time (vm and make may race).
lock "$OUT/.build-kernel.lock"

# ccache only wraps the compilers; its absence just makes builds slower.
kmake=(make -C "$SRC" O="$OBJ" ARCH="$arch" -j"$(nproc)")
[ -n "$cross" ] && kmake+=(CROSS_COMPILE="$cross")
if command -v ccache >/dev/null; then
	kmake+=(CC="ccache ${cross}gcc" HOSTCC="ccache gcc")
fi
# Fixed build identity: fewer spurious differences between builds.
export KBUILD_BUILD_USER=cpufeat KBUILD_BUILD_HOST=cpufeat

# kstep TAG CMD...: one step, quiet, logged (lib.sh's step).
kstep() {
	local tag=$1
	shift
	step "$tag" "$arch${flavour:+ $flavour}" "$@"
}

# Everything the result depends on besides the tree: the fragments, this
# script and the toolchain.
harness_state() {
	echo "$arch $flavour ${kmake[*]}"
	cat "${frags[@]}" "$0"
	"${cross}gcc" --version | head -n 1
}

# The tree's content: the committed trees, uncommitted edits and untracked
# (also ignored) files, so hand edits in $SRC are noticed as well.  Neither
# the kernel nor its UAPI headers are made from tools/testing and
# Documentation: editing the kselftest must not cost a kbuild run.
tree_state() {
	local only=(-- . ':(exclude)tools/testing' ':(exclude)Documentation')
	git -C "$SRC" ls-tree HEAD | grep -Pv '\t(tools|Documentation)$'
	git -C "$SRC" ls-tree HEAD:tools | grep -Pv '\ttesting$'
	git -C "$SRC" diff HEAD --binary "${only[@]}"
	git -C "$SRC" ls-files -o -z "${only[@]}" | (cd "$SRC" && xargs -0r sha256sum)
}

# The configuration depends on the fragments and every Kconfig file.
config_state() {
	harness_state
	(cd "$SRC" && find . -name .git -prune -o -name 'Kconfig*' -type f -print0 |
		sort -z | xargs -0 sha256sum)
}

# Merge the fragments over tinyconfig, then check each requested option
# made it through olddefconfig (an unmet dependency silently drops it).
make_config() {
	kstep TINYCFG "${kmake[@]}" tinyconfig
	kstep MERGE env -C "$OBJ" "$SRC/scripts/kconfig/merge_config.sh" -m \
		-O "$OBJ" "$OBJ/.config" "${frags[@]}"
	kstep OLDCFG "${kmake[@]}" olddefconfig
	check_config
}

check_config() {
	local line sym want bad=() have_cpufeat=1
	grep -q '^config CGROUP_CPUFEAT$' "$SRC/init/Kconfig" || have_cpufeat=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			want=$line
			;;
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%" is not set"}
			want=
			;;
		*)
			continue
			;;
		esac
		# The controller's options only exist once its patch is in.
		if [ $have_cpufeat = 0 ] && [[ $sym == CONFIG_CGROUP_CPUFEAT* ]]; then
			continue
		fi
		if [ -n "$want" ]; then
			grep -qxF "$want" "$OBJ/.config" ||
				bad+=("$want (got: $(grep -E "^(# )?${sym}[= ]" "$OBJ/.config" || echo unset))")
		elif grep -q "^$sym=" "$OBJ/.config"; then
			bad+=("$sym off (got: $(grep "^$sym=" "$OBJ/.config"))")
		fi
	done < <(cat "${frags[@]}")
	if [ $have_cpufeat = 0 ] && [ "$flavour" != baseline ]; then
		echo "build-kernel.sh: note: init/Kconfig has no CGROUP_CPUFEAT yet, building without it" >&2
	fi
	if [ ${#bad[@]} -gt 0 ]; then
		echo "build-kernel.sh: $arch: these options from configs/ did not survive olddefconfig" >&2
		echo "(missing dependency or unknown symbol; see $OBJ/.config):" >&2
		printf '  %s\n' "${bad[@]}" >&2
		exit 1
	fi
}

full=$( { harness_state; tree_state; } | sha)
if stamp_is "$OUT/.stamp-kernel" "$full" &&
   [ -f "$OUT/kernel" ] && [ -d "$OUT/headers/include" ]; then
	exit 0
fi
rm -f "$OUT/.stamp-kernel"
: >"$LOG"

cfg=$(config_state | sha)
if ! stamp_is "$OUT/.stamp-config" "$cfg" || [ ! -f "$OBJ/.config" ]; then
	rm -f "$OUT/.stamp-config"
	make_config
	echo "$cfg" >"$OUT/.stamp-config"
fi

kstep KERNEL "${kmake[@]}" "$target"
# Start from an empty directory so removed headers do not linger.
rm -rf "$OUT/headers"
kstep HEADERS "${kmake[@]}" headers_install INSTALL_HDR_PATH="$OUT/headers"
cp "$OBJ/$image" "$OUT/kernel.tmp"
mv "$OUT/kernel.tmp" "$OUT/kernel"
echo "$full" >"$OUT/.stamp-kernel"
