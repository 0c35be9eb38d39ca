// SPDX-License-Identifier: GPL-2.0
//
// gowork: the migration test's Go workload (suites/migrate).  Go reads
// CPUID itself (internal/cpu): on machine A its runtime's memmove uses AVX,
// bytes.Equal and bytes.Index AVX2, crypto/sha256 AVX2 (or SHA-NI) when the
// CPU says so.  Each round copies a buffer, compares and searches it, hashes
// it and checks the digest against a known value, then sleeps 0.1 s, so a
// checkpoint lands between rounds.  Prints its progress; exits 1 on a wrong
// result, 0 after all rounds.  Built static (CGO_ENABLED=0) by fetch.sh.
//
//	gowork [ROUNDS]		(default 300)
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"time"
)

const (
	bufSize = 64 << 10
	// sha256 of pattern(): python3 -c 'import hashlib;
	// print(hashlib.sha256(bytes((i * 131 + (i >> 9)) & 0xff
	// for i in range(64 << 10))).hexdigest())'
	wantDigest = "75e7c9c3fdb1ffef6e74d4eb9e6fab0cb71c4e29374ecf8bbb96e6eb9f59aeaf"
	marker     = "cpufeat-marker"
	markerAt   = bufSize - 4096
)

func pattern() []byte {
	b := make([]byte, bufSize)
	for i := range b {
		b[i] = byte(i*131 + i>>9)
	}
	return b
}

// round does one round's work on src and dst and says what went wrong.
func round(src, dst []byte) string {
	copy(dst, src)
	if !bytes.Equal(dst, src) {
		return "copy differs"
	}
	sum := sha256.Sum256(dst)
	if hex.EncodeToString(sum[:]) != wantDigest {
		return "sha256 " + hex.EncodeToString(sum[:])
	}
	copy(dst[markerAt:], marker)
	if bytes.Equal(dst, src) {
		return "bytes.Equal misses the marker"
	}
	if at := bytes.Index(dst, []byte(marker)); at != markerAt {
		return fmt.Sprintf("marker found at %d, not %d", at, markerAt)
	}
	return ""
}

func main() {
	rounds := 300
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: gowork [ROUNDS]")
			os.Exit(2)
		}
		rounds = n
	}
	src := pattern()
	dst := make([]byte, bufSize)
	fmt.Printf("gowork %d: %d rounds\n", os.Getpid(), rounds)
	for r := 1; r <= rounds; r++ {
		if what := round(src, dst); what != "" {
			fmt.Printf("gowork: round %d: wrong result: %s\n", r, what)
			os.Exit(1)
		}
		if r%50 == 0 {
			fmt.Printf("gowork: round %d right\n", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("gowork: %d rounds, results right\n", rounds)
}
