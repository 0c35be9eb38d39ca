// SPDX-License-Identifier: GPL-2.0
/*
 * idregs: print the user-visible arm64 ID registers as this program reads
 * them with MRS, one "NAME=0x%016lx" a line, in a fixed order.
 *
 * EL0 reads of these registers trap and the kernel emulates them
 * (Documentation/arch/arm64/cpu-feature-registers.rst), so what this prints
 * is what the kernel tells this program: the sanitised registers, or the
 * masked view of its cpufeat cgroup.  arm64-oracle.sh compares the output
 * of a masked program with that of an unmasked one on a kernel booted with
 * the arm64.no* overrides.
 *
 * The registers are named by their encodings so that any assembler takes
 * them.  Besides the ones that carry hwcaps, ID_AA64PFR2_EL1,
 * ID_AA64SMFR0_EL1, ID_AA64ISAR3_EL1, ID_AA64MMFR3_EL1 and ID_AA64MMFR4_EL1
 * are read too: the kernel emulates them as well (as zero where it knows no
 * visible field), and they must not differ either.
 *
 * Exit status 0; on anything but arm64 it prints "n/a" and exits with 1.
 */
#include <stdio.h>

#ifdef __aarch64__

#define MRS(enc) ({						\
	unsigned long __v;					\
	asm volatile("mrs %0, " enc : "=r" (__v));		\
	__v;							\
})

int main(void)
{
	/* Each line: the register's name and its value. */
	printf("ID_AA64PFR0_EL1=0x%016lx\n", MRS("S3_0_C0_C4_0"));
	printf("ID_AA64PFR1_EL1=0x%016lx\n", MRS("S3_0_C0_C4_1"));
	printf("ID_AA64PFR2_EL1=0x%016lx\n", MRS("S3_0_C0_C4_2"));
	printf("ID_AA64ZFR0_EL1=0x%016lx\n", MRS("S3_0_C0_C4_4"));
	printf("ID_AA64SMFR0_EL1=0x%016lx\n", MRS("S3_0_C0_C4_5"));
	printf("ID_AA64DFR0_EL1=0x%016lx\n", MRS("S3_0_C0_C5_0"));
	printf("ID_AA64ISAR0_EL1=0x%016lx\n", MRS("S3_0_C0_C6_0"));
	printf("ID_AA64ISAR1_EL1=0x%016lx\n", MRS("S3_0_C0_C6_1"));
	printf("ID_AA64ISAR2_EL1=0x%016lx\n", MRS("S3_0_C0_C6_2"));
	printf("ID_AA64ISAR3_EL1=0x%016lx\n", MRS("S3_0_C0_C6_3"));
	printf("ID_AA64MMFR0_EL1=0x%016lx\n", MRS("S3_0_C0_C7_0"));
	printf("ID_AA64MMFR1_EL1=0x%016lx\n", MRS("S3_0_C0_C7_1"));
	printf("ID_AA64MMFR2_EL1=0x%016lx\n", MRS("S3_0_C0_C7_2"));
	printf("ID_AA64MMFR3_EL1=0x%016lx\n", MRS("S3_0_C0_C7_3"));
	printf("ID_AA64MMFR4_EL1=0x%016lx\n", MRS("S3_0_C0_C7_4"));
	return 0;
}

#else

int main(void)
{
	puts("n/a");
	return 1;
}

#endif
