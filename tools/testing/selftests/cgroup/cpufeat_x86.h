/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where x86 features are in CPUID, from the Intel SDM and the AMD APM (not
 * from the kernel), and what the probes ask CPUID: shared by cpufeat_x86.c
 * and the 32-bit probe, cpufeat_cpuid32.c, which defines ARRAY_SIZE first.
 */
#ifndef __CPUFEAT_X86_H
#define __CPUFEAT_X86_H

#include <stdbool.h>

/* CPUID_ALL_REGS: in feature_regs[], every register of a leaf. */
enum { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX, CPUID_ALL_REGS };

static const char * const cpuid_reg_names[] = { "EAX", "EBX", "ECX", "EDX" };

/* The registers of CPUID that mirror Linux capability words. */
enum {
	W_1_EDX, W_8000_0001_EDX, W_1_ECX, W_8000_0001_ECX, W_7_0_EBX,
	W_D_1_EAX, W_7_1_EAX, W_8000_0008_EBX, W_6_EAX, W_8000_000A_EDX,
	W_7_0_ECX, W_8000_0007_EBX, W_7_0_EDX, W_8000_001F_EAX,
	W_8000_0021_EAX, NR_CPUID_WORDS
};

static const struct cpuid_word {
	unsigned int leaf;
	unsigned int subleaf;
	int reg;
} cpuid_words[NR_CPUID_WORDS] = {
	[W_1_EDX]		= { 0x00000001, 0, CPUID_EDX },
	[W_8000_0001_EDX]	= { 0x80000001, 0, CPUID_EDX },
	[W_1_ECX]		= { 0x00000001, 0, CPUID_ECX },
	[W_8000_0001_ECX]	= { 0x80000001, 0, CPUID_ECX },
	[W_7_0_EBX]		= { 0x00000007, 0, CPUID_EBX },
	[W_D_1_EAX]		= { 0x0000000d, 1, CPUID_EAX },
	[W_7_1_EAX]		= { 0x00000007, 1, CPUID_EAX },
	[W_8000_0008_EBX]	= { 0x80000008, 0, CPUID_EBX },
	[W_6_EAX]		= { 0x00000006, 0, CPUID_EAX },
	[W_8000_000A_EDX]	= { 0x8000000a, 0, CPUID_EDX },
	[W_7_0_ECX]		= { 0x00000007, 0, CPUID_ECX },
	[W_8000_0007_EBX]	= { 0x80000007, 0, CPUID_EBX },
	[W_7_0_EDX]		= { 0x00000007, 0, CPUID_EDX },
	[W_8000_001F_EAX]	= { 0x8000001f, 0, CPUID_EAX },
	[W_8000_0021_EAX]	= { 0x80000021, 0, CPUID_EAX },
};

/*
 * Where some features are in CPUID: architectural facts from the Intel SDM
 * and the AMD APM, not the kernel's numbering, under their /proc/cpuinfo
 * names.  CPUID 1 EDX is AT_HWCAP: its names are hwcap_names[].  The tests
 * only hide features listed here or in hwcap_names[], and what needs them.
 */
static const struct cpuid_bit {
	const char *name;
	int word;
	int bit;
} cpuid_bits[] = {
	{ "pni",		W_1_ECX,		0 },
	{ "pclmulqdq",		W_1_ECX,		1 },
	{ "ssse3",		W_1_ECX,		9 },
	{ "fma",		W_1_ECX,		12 },
	{ "cx16",		W_1_ECX,		13 },
	{ "sse4_1",		W_1_ECX,		19 },
	{ "sse4_2",		W_1_ECX,		20 },
	{ "popcnt",		W_1_ECX,		23 },
	{ "aes",		W_1_ECX,		25 },
	{ "xsave",		W_1_ECX,		26 },
	{ "avx",		W_1_ECX,		28 },
	{ "f16c",		W_1_ECX,		29 },
	{ "rdrand",		W_1_ECX,		30 },
	{ "syscall",		W_8000_0001_EDX,	11 },
	{ "nx",			W_8000_0001_EDX,	20 },
	{ "pdpe1gb",		W_8000_0001_EDX,	26 },
	{ "lm",			W_8000_0001_EDX,	29 },
	{ "lahf_lm",		W_8000_0001_ECX,	0 },
	{ "fsgsbase",		W_7_0_EBX,		0 },
	{ "bmi1",		W_7_0_EBX,		3 },
	{ "avx2",		W_7_0_EBX,		5 },
	{ "bmi2",		W_7_0_EBX,		8 },
	{ "mpx",		W_7_0_EBX,		14 },
	{ "avx512f",		W_7_0_EBX,		16 },
	{ "avx512dq",		W_7_0_EBX,		17 },
	{ "adx",		W_7_0_EBX,		19 },
	{ "avx512ifma",		W_7_0_EBX,		21 },
	{ "avx512pf",		W_7_0_EBX,		26 },
	{ "avx512er",		W_7_0_EBX,		27 },
	{ "avx512cd",		W_7_0_EBX,		28 },
	{ "sha_ni",		W_7_0_EBX,		29 },
	{ "avx512bw",		W_7_0_EBX,		30 },
	{ "avx512vl",		W_7_0_EBX,		31 },
	{ "xsaveopt",		W_D_1_EAX,		0 },
	{ "xsavec",		W_D_1_EAX,		1 },
	{ "xgetbv1",		W_D_1_EAX,		2 },
	{ "xsaves",		W_D_1_EAX,		3 },
	{ "avx_vnni",		W_7_1_EAX,		4 },
	{ "avx512_bf16",	W_7_1_EAX,		5 },
	{ "wbnoinvd",		W_8000_0008_EBX,	9 },
	{ "arat",		W_6_EAX,		2 },
	{ "npt",		W_8000_000A_EDX,	0 },
	{ "avx512vbmi",		W_7_0_ECX,		1 },
	{ "umip",		W_7_0_ECX,		2 },
	{ "pku",		W_7_0_ECX,		3 },
	{ "ospke",		W_7_0_ECX,		4 },
	{ "avx512_vbmi2",	W_7_0_ECX,		6 },
	{ "vaes",		W_7_0_ECX,		9 },
	{ "vpclmulqdq",		W_7_0_ECX,		10 },
	{ "avx512_vnni",	W_7_0_ECX,		11 },
	{ "avx512_bitalg",	W_7_0_ECX,		12 },
	{ "avx512_vpopcntdq",	W_7_0_ECX,		14 },
	{ "la57",		W_7_0_ECX,		16 },
	{ "enqcmd",		W_7_0_ECX,		29 },
	{ "succor",		W_8000_0007_EBX,	1 },
	{ "avx512_4vnniw",	W_7_0_EDX,		2 },
	{ "avx512_4fmaps",	W_7_0_EDX,		3 },
	{ "fsrm",		W_7_0_EDX,		4 },
	{ "avx512_vp2intersect", W_7_0_EDX,		8 },
	{ "avx512_fp16",	W_7_0_EDX,		23 },
	{ "sme",		W_8000_001F_EAX,	0 },
};

/* Any subleaf: the leaf does not look at ECX. */
#define ANY_SUBLEAF	0xffffffffu

/* CPUID 0x80000001 EDX bits 0-9, 12-17, 23 and 24 repeat CPUID 1 EDX (APM). */
#define AMD_MIRROR_BITS	0x0183f3ffu

/*
 * The CPUID registers that report CPU features, from the Intel SDM (vol.
 * 2A, CPUID) and the AMD APM (vol. 3, appendix E), not from the kernel,
 * with what a program whose view is restricted may see of each besides the
 * features of its view: @pass, fields that are not features, as the CPU
 * answers; @with_bits, as the CPU answers when feature @with is in the view
 * (the OS state of XSAVE, the leaves that describe one feature); @mirror,
 * AMD's copies of CPUID 1 EDX.  Every other bit must read 0, unknown ones
 * included.  Registers not listed here read as the CPU answers.
 */
static const struct feature_reg {
	unsigned int leaf;
	unsigned int subleaf;
	int reg;
	unsigned int pass;
	unsigned int with_bits;
	const char *with;
	bool mirror;
} feature_regs[] = {
	{ 0x1, ANY_SUBLEAF, CPUID_EDX },
	/* OSXSAVE: CR4.OSXSAVE, set by the OS for XSAVE */
	{ 0x1, ANY_SUBLEAF, CPUID_ECX, 0, 1u << 27, "xsave" },
	{ 0x6, ANY_SUBLEAF, CPUID_EAX },
	{ 0x7, 0, CPUID_EBX },
	/* 7.0 ECX bits 21:17: MAWAU, the MPX address width, a number */
	{ 0x7, 0, CPUID_ECX, 0x003e0000 },
	{ 0x7, 0, CPUID_EDX },
	{ 0x7, 1, CPUID_EAX }, { 0x7, 1, CPUID_EBX }, { 0x7, 1, CPUID_ECX },
	{ 0x7, 1, CPUID_EDX },
	{ 0x7, 2, CPUID_ALL_REGS }, { 0x7, 3, CPUID_ALL_REGS },
	{ 0xd, 1, CPUID_EAX },
	/* SGX, PT, Key Locker, AMX tiles, AVX10: a leaf per feature */
	{ 0x12, ANY_SUBLEAF, CPUID_ALL_REGS, 0, ~0u, "sgx" },
	{ 0x14, ANY_SUBLEAF, CPUID_ALL_REGS, 0, ~0u, "intel_pt" },
	{ 0x19, ANY_SUBLEAF, CPUID_ALL_REGS },
	{ 0x1d, ANY_SUBLEAF, CPUID_ALL_REGS, 0, ~0u, "amx_tile" },
	{ 0x1e, ANY_SUBLEAF, CPUID_ALL_REGS, 0, ~0u, "amx_tile" },
	{ 0x24, ANY_SUBLEAF, CPUID_ALL_REGS },
	{ 0x80000001, ANY_SUBLEAF, CPUID_EDX, .mirror = true },
	{ 0x80000001, ANY_SUBLEAF, CPUID_ECX },
	{ 0x80000007, ANY_SUBLEAF, CPUID_EBX },
	{ 0x80000007, ANY_SUBLEAF, CPUID_EDX },
	{ 0x80000008, ANY_SUBLEAF, CPUID_EBX },
	{ 0x8000000a, ANY_SUBLEAF, CPUID_EDX },
	{ 0x8000001f, ANY_SUBLEAF, CPUID_EAX },
	{ 0x80000021, ANY_SUBLEAF, CPUID_EAX },
	{ 0x80000021, ANY_SUBLEAF, CPUID_ECX },
	{ 0x80000022, ANY_SUBLEAF, CPUID_EAX },
};

/*
 * What the "c" report dumps, the (leaf, subleaf) pairs below, in this
 * order; cpufeat_cpuid32.c asks the same in 32-bit mode.  Leaves 1, 6 and
 * 0x80000001 do not look at ECX; they are asked with junk there too, as
 * programs that don't clear ECX first do.
 */
struct cpuid_query {
	unsigned int leaf;
	unsigned int subleaf;
};

static const struct cpuid_query cpuid_queries[] = {
	{ 0x0, 0 }, { 0x1, 0 }, { 0x1, 0x5a5a }, { 0x4, 0 }, { 0x4, 1 },
	{ 0x6, 0 }, { 0x6, 0x3c }, { 0x7, 0 }, { 0x7, 1 }, { 0x7, 2 },
	{ 0xb, 0 }, { 0xb, 1 }, { 0xd, 0 }, { 0xd, 1 }, { 0xd, 2 },
	{ 0x1f, 0 }, { 0x80000000, 0 }, { 0x80000001, 0 },
	{ 0x80000001, 0xa5a5 }, { 0x80000006, 0 }, { 0x80000007, 0 },
	{ 0x80000008, 0 }, { 0x8000000a, 0 }, { 0x8000001f, 0 },
	{ 0x80000021, 0 }, { 0x7, 3 }, { 0x12, 0 }, { 0x14, 0 }, { 0x19, 0 },
	{ 0x1d, 0 }, { 0x1e, 0 }, { 0x24, 0 }, { 0x80000022, 0 },
};

#define NR_CPUID_QUERIES	ARRAY_SIZE(cpuid_queries)

#endif /* __CPUFEAT_X86_H */
