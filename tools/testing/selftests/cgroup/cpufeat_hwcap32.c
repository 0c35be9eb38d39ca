// SPDX-License-Identifier: GPL-2.0
/*
 * An AArch32 (armhf) program for test_cpufeat: it reports the AArch32
 * hwcaps it is told,
 *
 *   hwcap32 hwcap=0x... hwcap2=0x...
 *
 * from its auxiliary vector (AT_HWCAP: HWCAP_NEON..., AT_HWCAP2:
 * HWCAP2_AES, HWCAP2_SHA2, HWCAP2_CRC32...), and with the argument
 * "cpuinfo" also the Features line of /proc/cpuinfo as it reads it with
 * the PER_LINUX32 personality (as under linux32: without it, arm64 shows
 * an AArch32 program the AArch64 line):
 *
 *   features32 NAMES
 *
 * ("features32" alone if there is none).
 *
 * It needs no 32-bit libc: build it with
 *
 *   arm-linux-gnueabihf-gcc -marm -static -nostdlib -ffreestanding
 *       -fno-pic -no-pie -fno-stack-protector
 *       -fno-tree-loop-distribute-patterns
 *
 * which is why it has its own _start and makes its own system calls
 * (svc 0, the EABI numbers).
 */

#define NR_personality	136

#define PER_LINUX32	0x0008

static long syscall3(long nr, long a, long b, long c)
{
	register long r0 asm("r0") = a;
	register long r1 asm("r1") = b;
	register long r2 asm("r2") = c;
	register long r7 asm("r7") = nr;

	asm volatile ("svc 0"
		      : "+r" (r0)
		      : "r" (r1), "r" (r2), "r" (r7)
		      : "memory");
	return r0;
}

#include "cpufeat_freestanding.h"

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* "features32 NAMES": the first Features line of /proc/cpuinfo. */
static void put_features(void)
{
	const char *p = text;

	put_str("features32");
	if (syscall3(NR_personality, PER_LINUX32, 0, 0) < 0 ||
	    read_file("/proc/cpuinfo", text, sizeof(text)) < 0) {
		put_char('\n');
		return;
	}
	while (*p) {
		const char *a = p, *b = "Features";

		while (*b && *a == *b) {
			a++;
			b++;
		}
		if (!*b) {
			while (*a && *a != ':' && *a != '\n')
				a++;
			if (*a == ':') {
				for (a++; *a == ' ' || *a == '\t'; a++)
					;
				put_char(' ');
				while (*a && *a != '\n')
					put_char(*a++);
				break;
			}
		}
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	put_char('\n');
}

/*
 * The C side of _start (global, so that it stays): @sp points at argc,
 * then argv, envp and auxv.  It does not return.
 */
void start_c(unsigned long *sp)
{
	unsigned long argc = sp[0], hwcap = 0, hwcap2 = 0, *p;
	char **argv = (char **)(sp + 1);

	for (p = sp + argc + 2; *p; p++)
		;
	for (p++; p[0] != AT_NULL; p += 2) {
		if (p[0] == AT_HWCAP)
			hwcap = p[1];
		else if (p[0] == AT_HWCAP2)
			hwcap2 = p[1];
	}
	put_str("hwcap32 hwcap=");
	put_hex_prefixed(hwcap);
	put_str(" hwcap2=");
	put_hex_prefixed(hwcap2);
	put_char('\n');
	if (argc > 1 && same(argv[1], "cpuinfo"))
		put_features();
	flush_and_exit(0);
}

asm (".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov r0, sp\n"
	"	bic sp, sp, #7\n"
	"	bl start_c\n");
