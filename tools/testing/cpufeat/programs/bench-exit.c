// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat-bench-exit: the smallest static program, for the exec benchmarks
 * of cpufeat-bench.  No libc: its entry point makes the exit system call
 * at once, so that an execve() of it costs the kernel's work alone (a libc
 * start-up would add its own, CPUID included, see bench.c).
 *
 * Built with -nostdlib -ffreestanding -fno-stack-protector.
 */

void _start(void)
{
#if defined(__x86_64__)
	asm volatile("mov $60, %eax\n\t"	/* __NR_exit */
		     "xor %edi, %edi\n\t"
		     "syscall");
#elif defined(__aarch64__)
	asm volatile("mov x8, #93\n\t"		/* __NR_exit */
		     "mov x0, #0\n\t"
		     "svc #0");
#else
#error "cpufeat-bench-exit: x86_64 and arm64 only"
#endif
	for (;;)
		;
}
