#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The migration test's workload, from Debian 12: perl-base (its string
# compares are glibc's memcmp, an ifunc that picks AVX2 on machine A) and
# openssl (OpenSSL 3.0, whose SHA-512 picks its AVX2 code from CPUID),
# and gowork (gowork.go, static Go: its runtime reads CPUID itself), built
# with Debian's golang-go and cached in $BUILD/migrate/go keyed on its
# source and the Go version.
# "apt-get download"s them into $BUILD/migrate/debs and unpacks them into
# $BUILD/migrate/work, which "vm --add" takes into both boots at the same
# path (/tmp/in/work: CRIU restores the mapped files from there).
# The C library comes from the eco overlay (vm --eco).  Prints that path.
set -euo pipefail

HARNESS=$(cd "$(dirname "$0")/../.." && pwd)
TOP=${TOP:-$(cd "$HARNESS/../../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
OUT=$BUILD/migrate
pkgs=(perl-base openssl libssl3 libcrypt1)

state="${pkgs[*]} $(sha256sum "$0" | cut -d' ' -f1)"
if ! [ -d "$OUT/work" ] || [ "$(cat "$OUT/.stamp" 2>/dev/null)" != "$state" ]; then
	rm -rf "$OUT/debs" "$OUT/work"
	mkdir -p "$OUT/debs" "$OUT/work"
	chmod 0777 "$OUT/debs" # _apt writes there
	(cd "$OUT/debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1) || {
		echo "migrate/fetch.sh: apt-get download ${pkgs[*]} failed" >&2
		exit 1
	}
	for deb in "$OUT"/debs/*.deb; do
		dpkg-deb -x "$deb" "$OUT/work"
	done
	rm -rf "$OUT/work/usr/share"
	echo "$state" >"$OUT/.stamp"
fi

# gowork: built once per source and Go version, installed into the work
go_state="$(sha256sum "$HARNESS/suites/migrate/gowork.go" | cut -d' ' -f1) $(go version)" || {
	echo "migrate/fetch.sh: no Go (golang-go: make deps)" >&2
	exit 1
}
if [ "$(cat "$OUT/go/.stamp" 2>/dev/null)" != "$go_state" ]; then
	rm -rf "$OUT/go"
	mkdir -p "$OUT/go"
	(cd "$OUT/go" && HOME=$OUT/go GOCACHE=$OUT/go/cache CGO_ENABLED=0 \
		go build -trimpath -ldflags=-s -o gowork "$HARNESS/suites/migrate/gowork.go") || {
		echo "migrate/fetch.sh: go build gowork.go failed" >&2
		exit 1
	}
	rm -rf "$OUT/go/cache"
	echo "$go_state" >"$OUT/go/.stamp"
fi
cmp -s "$OUT/go/gowork" "$OUT/work/usr/bin/gowork" ||
	install -m 0755 "$OUT/go/gowork" "$OUT/work/usr/bin/gowork"
echo "$OUT/work"
