// SPDX-License-Identifier: GPL-2.0
/*
 * Does this CPU raise #UD (SIGILL) for AVX and AVX2 instructions?  Used to
 * check that QEMU TCG's CPU model without avx/avx2 behaves as a weaker CPU
 * would, so that machine B of the migration test proves something.
 *
 * Prints, for each instruction, "executes" or "SIGILL"; exits 0.
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

static void vpaddd_ymm(void)	/* AVX2 */
{
	asm volatile("vpaddd %%ymm0, %%ymm0, %%ymm0" ::: "xmm0");
}

static void vxorps_ymm(void)	/* AVX */
{
	asm volatile("vxorps %%ymm1, %%ymm1, %%ymm1" ::: "xmm1");
}

static void try(const char *name, void (*insn)(void))
{
	if (sigsetjmp(back, 1) == 0) {
		insn();
		printf("%s executes\n", name);
	} else {
		printf("%s SIGILL\n", name);
	}
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigill;
	sigaction(SIGILL, &sa, NULL);
	try("avx2 vpaddd-ymm", vpaddd_ymm);
	try("avx vxorps-ymm", vxorps_ymm);
	return 0;
}
