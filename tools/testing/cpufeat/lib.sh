# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The harness's shell library (bash), sourced by every host-side script
# of tools/testing/cpufeat:
#
#   . "$(dirname "$0")/../lib.sh"       (from setup/, suites/ or tests/:
#                                        one more ../ a level further down)
#
# Paths, exported:  HARNESS (this folder), TOP (the repository), BUILD
# (what is built, default $TOP/build).  PROG is the script's name for
# messages.
#
# Messages:  msg TAG TEXT...  prints "  TAG     TEXT", as kbuild does;
#            die TEXT...      prints "PROG: TEXT" to stderr and exits
#                             $DIE_STATUS (default 1).
# Logged steps (set LOG first):
#            run WHAT CMD...  CMD's output goes to $LOG; if it fails, fail;
#            fail WHAT        show the last lines of $LOG and die;
#            step TAG TEXT CMD...  msg TAG TEXT, then run.
# Caching:   sha              the SHA-256 of stdin;
#            stamp_is FILE KEY  FILE holds KEY;
#            lock FILE        hold an exclusive lock on FILE (fd 9) until exit.
# Debian:    installed PKG, apt_install PKG..., apt_update (once a run),
#            apt_deb_src (deb-src entries for apt-get source),
#            deb_source ... (a Debian source package with our patches).
# Archives:  cpio_pack DIR    DIR as a newc archive on stdout, root-owned;
#            cpio_append FILE ARCHIVE  the kernel looks for the next archive
#                             of an initramfs only at a 4-byte boundary.
# Guests:    qemu_command ARCH  sets the array "qemu": the QEMU binary and
#                             machine of ARCH's test guests (QEMU_X86_64,
#                             QEMU_ARM64 and QEMU_CPU override);
#            AMD_CPU          the -cpu of the AMD-vendor x86_64 guests
#                             (check.sh's x86_64-amd, the bench's amd row);
#            view_records FILE SIDE KEY  records of guest/view.sh.

HARNESS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=${TOP:-$(cd "$HARNESS/../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
export TOP BUILD HARNESS
PROG=$(realpath -s --relative-to="$HARNESS" "$0" 2>/dev/null || basename "$0")

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

msg() {
	local tag=$1
	shift
	printf '  %-7s %s\n' "$tag" "$*"
}

die() {
	echo "$PROG: $*" >&2
	exit "${DIE_STATUS:-1}"
}

fail() {
	echo "$PROG: $1 failed; last lines of $LOG:" >&2
	tail -n 40 "$LOG" >&2
	exit "${DIE_STATUS:-1}"
}

run() {
	local what=$1
	shift
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 </dev/null || fail "$what"
}

step() {
	local tag=$1 text=$2
	shift 2
	msg "$tag" "$text"
	run "$tag $text" "$@"
}

sha() {
	sha256sum | cut -d' ' -f1
}

stamp_is() {
	[ -f "$1" ] && [ "$(cat "$1")" = "$2" ]
}

lock() {
	exec 9>"$1"
	flock 9
}

installed() {
	dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# apt_update: "apt-get update", at most once per run of the script.
APT_UPDATED=0
apt_update() {
	[ $APT_UPDATED = 0 ] || return 0
	if [ -n "${LOG:-}" ]; then
		run "apt-get update" $SUDO apt-get update -q
	else
		$SUDO apt-get update -q >/dev/null || die "apt-get update failed"
	fi
	APT_UPDATED=1
}

# apt_install PKG...: install those of PKG that are missing.  dpkg
# skips its fsync()s (--force-unsafe-io): a first "make" installs a few
# hundred packages at once, none of which must survive a power cut then.
apt_install() {
	local p absent=() have
	# One dpkg-query for all: "PACKAGE STATUS" of those it knows.
	have=$(dpkg-query -W -f '${Package}:${Status}\n' "$@" 2>/dev/null |
		sed -n 's/:install ok installed$//p')
	for p in "$@"; do
		grep -qx -- "${p%%:*}" <<<"$have" || absent+=("$p")
	done
	[ ${#absent[@]} -gt 0 ] || return 0
	msg DEPS "installing ${absent[*]}"
	apt_update
	if [ -n "${LOG:-}" ]; then
		run "apt-get install" $SUDO env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends \
			-o Dpkg::Options::=--force-unsafe-io "${absent[@]}"
	else
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
			"${absent[@]}" >/dev/null ||
			die "apt-get install ${absent[*]} failed"
	fi
}

has_deb_src() {
	grep -Eqs '^[[:space:]]*Types:.*\bdeb-src\b' /etc/apt/sources.list.d/*.sources ||
		grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list \
			/etc/apt/sources.list.d/*.list
}

# apt_deb_src: make "apt-get source" work, adding deb-src entries for the
# configured archive if there are none.
apt_deb_src() {
	has_deb_src && return 0
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		msg DEPS "enabling deb-src in /etc/apt/sources.list.d/debian.sources"
		$SUDO sed -i -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb deb-src/' \
			/etc/apt/sources.list.d/debian.sources
	elif grep -Eqs '^deb[[:space:]]' /etc/apt/sources.list; then
		msg DEPS "adding deb-src entries in /etc/apt/sources.list.d/cpufeat-deb-src.list"
		sed -n -E 's/^deb([[:space:]])/deb-src\1/p' /etc/apt/sources.list |
			$SUDO tee /etc/apt/sources.list.d/cpufeat-deb-src.list >/dev/null
	fi
	has_deb_src || die "no deb-src entry in the APT sources and none could be added"
	APT_UPDATED=0
	apt_update
}

# deb_source [--or-current] PKG VERSION DIR PATCH...: Debian's source of
# PKG at VERSION, with Debian's patches (dpkg-source applies them) and
# PATCH... on top, unpacked in DIR; sets DEB_TREE to the source tree.  The
# tree is kept while VERSION and the patches stay the same, so a failed or
# interrupted build goes on where it stopped.  If the archive no longer
# has VERSION, --or-current takes the version it has.  Needs LOG.
deb_source() {
	local any=0 pkg ver dir key tree p
	[ "$1" != --or-current ] || { any=1; shift; }
	pkg=$1 ver=$2 dir=$3
	shift 3
	key=$({ echo "$ver"; cat "$@"; } | sha)
	tree=
	! stamp_is "$dir/srckey" "$key" || tree=$(cat "$dir/tree")
	if [ -n "$tree" ] && [ -d "$dir/$tree" ]; then
		# shellcheck disable=SC2034 # for the caller
		DEB_TREE=$dir/$tree
		return
	fi
	apt_deb_src
	msg SOURCE "$pkg $ver (apt-get source)"
	rm -rf "$dir"
	mkdir -p "$dir"
	# Stale package lists, or the archive has moved on: retry after an
	# update, then (--or-current) take what the archive has.
	if ! (cd "$dir" && apt-get source -q --only-source "$pkg=$ver") >>"$LOG" 2>&1; then
		apt_update
		if ! (cd "$dir" && apt-get source -q --only-source "$pkg=$ver") >>"$LOG" 2>&1; then
			[ $any = 1 ] || fail "apt-get source $pkg=$ver"
			msg SOURCE "$pkg $ver is not in the archive, using its current version"
			(cd "$dir" && run "apt-get source $pkg" apt-get source -q --only-source "$pkg")
		fi
	fi
	tree=$(cd "$dir" && find . -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" -printf '%f\n')
	[ -n "$tree" ] || fail "apt-get source $pkg (no $pkg-* tree)"
	for p in "$@"; do
		msg PATCH "$(basename "$p")"
		run "applying $(basename "$p")" patch -d "$dir/$tree" -p1 -N -i "$p"
	done
	echo "$tree" >"$dir/tree"
	echo "$key" >"$dir/srckey"
	# shellcheck disable=SC2034 # for the caller
	DEB_TREE=$dir/$tree
}

cpio_pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

cpio_append() {
	local pad
	pad=$(( (4 - $(stat -c %s "$1") % 4) % 4 ))
	head -c "$pad" /dev/zero >>"$1"
	cat "$2" >>"$1"
}

# Intel's CPUID faulting is what Linux 6.12 probes, and only on an Intel
# CPU (setup/qemu/README): the default x86_64 CPU says GenuineIntel.
# The x86_64 guests' second machine: the same CPU with AMD's vendor, whose
# CPUID faulting is AMD's (CPUID 0x80000021 EAX bit 17, HWCR bit 35).
# shellcheck disable=SC2034 # for the scripts that source this
AMD_CPU=max,vendor=AuthenticAMD

qemu_command() {
	local bin
	case "$1" in
	x86_64)
		bin=${QEMU_X86_64:-$BUILD/qemu/bin/qemu-system-x86_64}
		read -ra qemu <<<"$bin"
		qemu+=(-M pc -cpu "${QEMU_CPU:-max,vendor=GenuineIntel}")
		;;
	arm64)
		# pauth-impdef: QEMU's default (architected QARMA) pointer
		# authentication is very slow under TCG; the hwcaps are the same.
		# MTE only with "max": QEMU refuses mte=on for a model without
		# it (the migration's machine B, cortex-a72).
		read -ra qemu <<<"${QEMU_ARM64:-qemu-system-aarch64}"
		local machine=virt,mte=on
		[[ ${QEMU_CPU:-max} == max* ]] || machine=virt
		qemu+=(-M "$machine" -cpu "${QEMU_CPU:-max,pauth-impdef=on}")
		;;
	*)
		die "unknown architecture '$1' (x86_64 or arm64)"
		;;
	esac
	qemu+=(-accel tcg -nodefaults -display none)
}

# view_records FILE SIDE KEY: the values of the records KEY of SIDE
# (guest/view.sh) in the KTAP document FILE, one a line.
view_records() {
	sed -n "s/^ *# view $2 $3 //p" "$1" 2>/dev/null || true
}
