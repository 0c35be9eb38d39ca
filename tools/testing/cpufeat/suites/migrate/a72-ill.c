// SPDX-License-Identifier: GPL-2.0
/*
 * Which of the instructions the arm64 migration's workload may pick does
 * this CPU execute, and which raise SIGILL?  Machine B of the arm64
 * migration is QEMU TCG's cortex-a72 (Armv8.0: AES, SHA-1, SHA-256, CRC32
 * and nothing later); machine A is "max".  migrate-guest.sh runs this on
 * both, so that B is known to be weaker where the workload would notice:
 * OpenSSL's SHA-512 (SHA512H) and SHA-3 (EOR3), the LSE atomics of Go's
 * runtime and of GCC's outline atomics (LDADD), SVE (RDVL) and pointer
 * authentication (PACGA).  AESE, which both have, is the control.
 *
 * The instructions are written as .inst words (no assembler extension
 * needed).  Prints "NAME executes" or "NAME SIGILL" for each; exits 0.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;

static void on_sigill(int sig)
{
	siglongjmp(back, 1);
}

static void aese(void)		/* aese v0.16b, v1.16b */
{
	asm volatile(".inst 0x4e284820" ::: "v0");
}

static void sha512h(void)	/* sha512h q0, q1, v2.2d */
{
	asm volatile(".inst 0xce628020" ::: "v0");
}

static void eor3(void)		/* eor3 v0.16b, v1.16b, v2.16b, v3.16b */
{
	asm volatile(".inst 0xce020c20" ::: "v0");
}

static void ldadd(void)		/* ldadd w1, w2, [x0] */
{
	static unsigned int word;
	register unsigned int *x0 asm("x0") = &word;

	asm volatile("mov w1, #1\n\t.inst 0xb8210002"
		     : : "r"(x0) : "x1", "x2", "memory");
}

static void rdvl(void)		/* rdvl x0, #1 */
{
	asm volatile(".inst 0x04bf5020" ::: "x0");
}

static void pacga(void)		/* pacga x0, x1, x2 */
{
	asm volatile(".inst 0x9ac23020" ::: "x0");
}

static const struct {
	const char *name;
	void (*insn)(void);
} insns[] = {
	{ "aes aese", aese },
	{ "sha512 sha512h", sha512h },
	{ "sha3 eor3", eor3 },
	{ "atomics ldadd", ldadd },
	{ "sve rdvl", rdvl },
	{ "pacg pacga", pacga },
};

int main(void)
{
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigill;
	sigaction(SIGILL, &sa, NULL);
	for (i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		if (sigsetjmp(back, 1) == 0) {
			insns[i].insn();
			printf("%s executes\n", insns[i].name);
		} else {
			printf("%s SIGILL\n", insns[i].name);
		}
	}
	return 0;
}
