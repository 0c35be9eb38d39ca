#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Debian 12's systemd 252 with our patches (0*.patch here: the
# cpufeat controller and AllowedCPUFeatures=) and install what the test
# guest needs into an overlay tree, $BUILD/systemd/overlay:
#
#   systemd/build.sh [VERSION]
#
# VERSION is a Debian source version of systemd (default: the version
# apt would install); mkimage.sh passes the version of its image, so the
# patched binaries and the rest of the image come from the same release.
#
# Only PID 1 (systemd), systemctl, systemd-run and systemd-nspawn (whose
# --property= must know AllowedCPUFeatures=) are built, with their two
# private libraries, and meson is configured with every optional feature
# off.  The libraries get their own tag (libsystemd-shared-cpufeat.so,
# libsystemd-core-cpufeat.so), so they sit next to Debian's in
# /usr/lib/x86_64-linux-gnu/systemd and Debian's other programs keep
# theirs.  The paths (split-usr, rootlibdir, sulogin, ...) are those of
# debian/rules.
#
# A quick no-op when the overlay's stamp (the version, the patches and
# meson's options) is current.  The build log is $BUILD/systemd/build.log.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
HERE=$HARNESS/suites/systemd
OUT=$BUILD/systemd
OVERLAY=$OUT/overlay
LOG=$OUT/build.log
MULTIARCH=x86_64-linux-gnu

# meson's hard requirements for these targets with every option off:
# gperf, libcap, libmount, libcrypt (from libc6-dev), jinja2; and chrpath
# for the installed run paths.  "apt-get build-dep systemd" would pull in
# some 150 packages more.
PKGS=(dpkg-dev xz-utils build-essential meson ninja-build pkg-config
      gperf libcap-dev libmount-dev python3-jinja2 chrpath)
# --deps: the packages, for setup/install-deps.sh.
[ "${1:-}" != --deps ] || { printf '%s\n' "${PKGS[@]}"; exit 0; }

mkdir -p "$OUT"
lock "$OUT/.build.lock"

patches=("$HERE"/0*.patch)
[ -f "${patches[0]}" ] || die "no patches in $HERE"

ver=${1:-}
if [ -z "$ver" ]; then
	ver=$(apt-cache policy systemd 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
		die "no systemd version in the APT lists (apt-get update?)"
fi

# meson's options: Debian's paths, every optional feature off, -O1 without
# debug information (the build time matters more than the speed here).
meson_options() {
	printf '%s\n' \
		--buildtype=plain -Dc_args=-O1 \
		-Dmode=release \
		-Dversion-tag="$ver" \
		-Dshared-lib-tag=cpufeat \
		-Dsplit-usr=true \
		-Drootlibdir=/usr/lib/$MULTIARCH \
		-Ddefault-hierarchy=unified \
		-Dsulogin-path=/sbin/sulogin \
		-Dmount-path=/bin/mount \
		-Dumount-path=/bin/umount \
		-Dkmod-path=/bin/kmod \
		-Dtelinit-path=/lib/sysvinit/telinit \
		-Dsysvinit-path=/etc/init.d \
		-Dsysvrcnd-path=/etc \
		-Ddebug-shell=/bin/bash \
		-Dnologin-path=/usr/sbin/nologin \
		-Ddefault-kill-user-processes=false \
		-Dstatus-unit-format-default=combined \
		-Dsystem-uid-max=999 \
		-Dsystem-gid-max=999 \
		-Dnobody-user=nobody \
		-Dnobody-group=nogroup \
		-Ddns-servers= \
		-Dntp-servers= \
		-Dtests=false -Dman=false -Dhtml=false -Dtranslations=false \
		-Dlog-message-verification=false -Dbpf-framework=false \
		-Dseccomp=false -Dselinux=false -Dapparmor=false -Dsmack=false \
		-Dpolkit=false -Dima=false -Dacl=false -Daudit=false \
		-Dblkid=false -Dfdisk=false -Dkmod=false -Dpam=false \
		-Dpwquality=false -Dmicrohttpd=false -Dlibcryptsetup=false \
		-Dlibcryptsetup-plugins=false -Dlibcurl=false -Didn=false \
		-Dlibidn2=false -Dlibidn=false -Dlibiptc=false -Dqrencode=false \
		-Dgcrypt=false -Dgnutls=false -Dopenssl=false -Dp11kit=false \
		-Dlibfido2=false -Dtpm2=false -Delfutils=false -Dzlib=false \
		-Dbzip2=false -Dxz=false -Dlz4=false -Dzstd=false \
		-Dxkbcommon=false -Dpcre2=false -Dglib=false -Ddbus=false \
		-Dgnu-efi=false -Defi=false -Dtpm=false -Drepart=false \
		-Dsysupdate=false -Dhomed=false -Dremote=false -Dimportd=false \
		-Dnss-mymachines=false -Dnss-resolve=false -Ddns-over-tls=false \
		-Dkernel-install=false -Danalyze=false -Durlify=false \
		-Dvalgrind=false
}

# The programs built and installed (with the two libraries they link).
targets=(systemd systemctl systemd-run systemd-nspawn)

# The stamps: what the build tree is configured from, and what the
# overlay is made of.
cfgkey=$({ echo "$ver"; cat "${patches[@]}"; meson_options; } | sha)
key=$({ echo "$cfgkey"; echo "${targets[*]}"; } | sha)
if [ -f "$OVERLAY/usr/lib/systemd/systemd" ] && stamp_is "$OUT/stamp" "$key"; then
	exit 0
fi
rm -f "$OUT/stamp"

# From here on everything is logged; on failure show the log's tail.
: >"$LOG"

# (a) Packages.
apt_install "${PKGS[@]}"

# (b) Debian's source, with Debian's patches and ours.
deb_source systemd "$ver" "$BUILD/systemd-src" "${patches[@]}"
S=$DEB_TREE
[ -f "$S/meson.build" ] || fail "apt-get source systemd (no $S/meson.build)"

# (c) Configure.
if ! stamp_is "$S/build/cfgkey" "$cfgkey"; then
	msg CONFIG "systemd (log: $LOG)"
	rm -rf "$S/build"
	mapfile -t options < <(meson_options)
	run "meson setup" meson setup "$S/build" "$S" "${options[@]}"
	echo "$cfgkey" >"$S/build/cfgkey"
fi

# (d) Build only the programs (and the two libraries they link).
step NINJA "${targets[*]} (-j$(nproc), log: $LOG)" \
	ninja -C "$S/build" -j"$(nproc)" "${targets[@]}"

# (e) The overlay, at merged-/usr paths (bookworm's layout).  The run
# paths are the build tree's: set them as "meson install" would (they are
# long enough for chrpath to rewrite them in place).
rm -rf "$OVERLAY.new"
libdir=$OVERLAY.new/usr/lib/$MULTIARCH/systemd
mkdir -p "$OVERLAY.new/usr/lib/systemd" "$OVERLAY.new/usr/bin" "$libdir"
install -m 755 -s "$S/build/systemd" "$OVERLAY.new/usr/lib/systemd/systemd"
install -m 755 -s "$S/build/systemctl" "$S/build/systemd-run" \
	"$S/build/systemd-nspawn" "$OVERLAY.new/usr/bin/"
install -m 644 -s "$S/build/src/shared/libsystemd-shared-cpufeat.so" \
	"$S/build/src/core/libsystemd-core-cpufeat.so" "$libdir/"
for f in "$OVERLAY.new/usr/lib/systemd/systemd" "$OVERLAY.new/usr/bin/systemctl" \
	"$OVERLAY.new/usr/bin/systemd-run" "$OVERLAY.new/usr/bin/systemd-nspawn"; do
	run "chrpath $f" chrpath -r "/usr/lib/$MULTIARCH/systemd" "$f"
done
run "chrpath libsystemd-core" chrpath -r '$ORIGIN' "$libdir/libsystemd-core-cpufeat.so"
rm -rf "$OVERLAY"
mv "$OVERLAY.new" "$OVERLAY"
echo "$ver" >"$OUT/version"
echo "$key" >"$OUT/stamp"
msg INSTALL "$OVERLAY"
