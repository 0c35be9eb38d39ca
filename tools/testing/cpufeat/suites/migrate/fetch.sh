#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The migration test's workload for ARCH (x86_64, the default, or arm64),
# from Debian 12: perl-base (on x86_64 its string compares are glibc's
# memcmp, an ifunc that picks AVX2 on machine A) and openssl (OpenSSL 3.0,
# whose SHA-512 picks its AVX2 code from CPUID, on arm64 its SHA512H code
# from AT_HWCAP), and gowork (gowork.go, static Go: its runtime reads
# CPUID itself, on arm64 AT_HWCAP for its LSE atomics), built with
# Debian's golang-go for ARCH and cached in $BUILD/migrate/ARCH/go keyed
# on its source and the Go version.  arm64 also gets a72-ill (a72-ill.c,
# static): which instructions machine B's model raises SIGILL for.
# "apt-get download"s the packages of ARCH into $BUILD/migrate/ARCH/debs
# and unpacks them into $BUILD/migrate/ARCH/work, which "vm --add" takes
# into both boots at the same path (/tmp/in/work: CRIU restores the
# mapped files from there).  The C library comes from the eco overlay
# (vm --eco).  Prints that path.
#
#   suites/migrate/fetch.sh [x86_64|arm64]
set -euo pipefail

# shellcheck source=SCRIPTDIR/../../lib.sh
. "$(dirname "$0")/../../lib.sh"
S=$HARNESS/suites/migrate
arch=${1:-x86_64}
case "$arch" in
x86_64) debarch=amd64 goarch=amd64 ;;
arm64) debarch=arm64 goarch=arm64 ;;
*) die "unknown architecture '$arch' (x86_64 or arm64)" ;;
esac
OUT=$BUILD/migrate/$arch
pkgs=(perl-base openssl libssl3 libcrypt1)

state="$arch ${pkgs[*]} $(sha <"$0")"
if ! [ -d "$OUT/work" ] || ! stamp_is "$OUT/.stamp" "$state"; then
	rm -rf "$OUT/debs" "$OUT/work"
	mkdir -p "$OUT/debs" "$OUT/work"
	chmod 0777 "$OUT/debs" # _apt writes there
	(cd "$OUT/debs" && apt-get download -q "${pkgs[@]/%/:$debarch}" >/dev/null 2>&1) ||
		die "apt-get download ${pkgs[*]} ($debarch) failed"
	for deb in "$OUT"/debs/*.deb; do
		dpkg-deb -x "$deb" "$OUT/work"
	done
	rm -rf "$OUT/work/usr/share"
	echo "$state" >"$OUT/.stamp"
fi

# gowork: built once per source, Go version and architecture, installed
# into the work
go_state="$(sha <"$S/gowork.go") $(go version) $goarch" ||
	die "no Go (golang-go: make deps)"
if ! stamp_is "$OUT/go/.stamp" "$go_state"; then
	rm -rf "$OUT/go"
	mkdir -p "$OUT/go"
	(cd "$OUT/go" && HOME=$OUT/go GOCACHE=$OUT/go/cache CGO_ENABLED=0 GOARCH=$goarch \
		go build -trimpath -ldflags=-s -o gowork "$S/gowork.go") ||
		die "go build gowork.go ($goarch) failed"
	rm -rf "$OUT/go/cache"
	echo "$go_state" >"$OUT/go/.stamp"
fi
cmp -s "$OUT/go/gowork" "$OUT/work/usr/bin/gowork" ||
	install -m 0755 "$OUT/go/gowork" "$OUT/work/usr/bin/gowork"

# a72-ill: arm64 only, static (it runs before anything else is checked)
if [ "$arch" = arm64 ] &&
   { ! [ -x "$OUT/work/usr/bin/a72-ill" ] || [ "$S/a72-ill.c" -nt "$OUT/work/usr/bin/a72-ill" ]; }; then
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$OUT/work/usr/bin/a72-ill" "$S/a72-ill.c" ||
		die "aarch64-linux-gnu-gcc a72-ill.c failed"
fi
echo "$OUT/work"
