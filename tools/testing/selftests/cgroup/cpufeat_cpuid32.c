// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit (ia32) program for test_cpufeat: it reports what
 * "cpufeat_probe --script rc" reports, from 32-bit mode:
 *
 *   view hwcap=0x... hwcap2=0x... secure=N cpufeat=NAMES
 *   cpuid cpu=N LEAF.SUBLEAF:EAX:EBX:ECX:EDX ...
 *
 * AT_HWCAP, AT_HWCAP2 and AT_SECURE come from /proc/self/auxv (32-bit
 * entries), the names from /proc/self/cpufeat, then what CPUID answers for
 * the queries of cpufeat_x86.h, in the same order.  It ignores its
 * arguments.
 *
 * It needs no 32-bit libc: build it with
 *
 *   gcc -m32 -static -nostdlib -ffreestanding -fno-pic -fno-stack-protector
 *       -fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns
 *
 * which is why it makes its own system calls (int $0x80) and avoids
 * anything that would call libgcc, such as 64-bit division.
 */

#define NR_getcpu	318

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#include "cpufeat_x86.h"

static unsigned int auxv[1024];

static long syscall3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "0" (nr), "b" (a), "c" (b), "d" (c)
		      : "memory");
	return ret;
}

#include "cpufeat_freestanding.h"

static void put_dec(int v)
{
	char digits[12];
	unsigned int u = v;
	int n = 0;

	if (v < 0) {
		put_char('-');
		u = -(unsigned int)v;
	}
	do {
		digits[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	while (n)
		put_char(digits[--n]);
}

static void fail(const char *what, long err)
{
	put_str("error: ");
	put_str(what);
	put_str(": errno ");
	put_dec(-err);
	put_char('\n');
	flush_and_exit(1);
}

static void report_view(void)
{
	unsigned int hwcap = 0, hwcap2 = 0, secure = 0, i;
	long len;

	len = read_file("/proc/self/auxv", (char *)auxv, sizeof(auxv));
	if (len < 0)
		fail("/proc/self/auxv", len);
	for (i = 0; i + 1 < len / sizeof(auxv[0]) && auxv[i] != AT_NULL;
	     i += 2) {
		if (auxv[i] == AT_HWCAP)
			hwcap = auxv[i + 1];
		else if (auxv[i] == AT_HWCAP2)
			hwcap2 = auxv[i + 1];
		else if (auxv[i] == AT_SECURE)
			secure = auxv[i + 1];
	}

	len = read_file("/proc/self/cpufeat", text, sizeof(text));
	if (len < 0)
		fail("/proc/self/cpufeat", len);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';

	put_str("view hwcap=");
	put_hex_prefixed(hwcap);
	put_str(" hwcap2=");
	put_hex_prefixed(hwcap2);
	put_str(" secure=");
	put_dec(secure);
	put_str(" cpufeat=");
	put_str(text);
	put_char('\n');
}

static void report_cpuid(void)
{
	unsigned int i, j, regs[4], cpu;

	if (syscall3(NR_getcpu, (long)&cpu, 0, 0))
		cpu = -1;
	put_str("cpuid cpu=");
	put_dec(cpu);
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		asm volatile ("cpuid"
			      : "=a" (regs[0]), "=b" (regs[1]),
				"=c" (regs[2]), "=d" (regs[3])
			      : "0" (cpuid_queries[i].leaf), "2" (cpuid_queries[i].subleaf));
		put_char(' ');
		put_hex(cpuid_queries[i].leaf);
		put_char('.');
		put_hex(cpuid_queries[i].subleaf);
		for (j = 0; j < 4; j++) {
			put_char(':');
			put_hex(regs[j]);
		}
	}
	put_char('\n');
}

/* Not static: only _start, in assembly, calls it. */
void cpuid32_main(void);

void cpuid32_main(void)
{
	report_view();
	report_cpuid();
	flush_and_exit(0);
}

/* The kernel starts us with argc at the top of the stack; align it. */
asm (".globl _start\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	andl $-16, %esp\n"
	"	call cpuid32_main\n"
	"	hlt\n");
