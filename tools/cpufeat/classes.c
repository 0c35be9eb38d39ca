// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat: what each CPU feature name means for a program moved to a CPU
 * without it.  One table per architecture, in the kernel's order (x86: the
 * X86_FEATURE_* number; arm64: the KERNEL_HWCAP_* number), so that lists
 * printed from it are in the order the kernel prints them.
 *
 * Classes:
 *
 *  isa     an instruction-set extension: a program that found it uses
 *          instructions or register fields that fault (#UD, SIGILL) or act
 *          differently without it.  Missing on the target: refuse.
 *  hint    a performance hint or a behaviour the program cannot observe
 *          through its results: the instructions exist everywhere (REP
 *          MOVSB and erms/fsrm) or execute as NOPs where the feature is
 *          absent (CLDEMOTE, XACQUIRE/XRELEASE, the arm64 HINT space: BTI,
 *          DGH).  Missing: note it, do not refuse.
 *  kernel  used by the kernel or a hypervisor only (CPL 0 instructions,
 *          paging, virtualisation, mitigations, performance monitoring,
 *          power management): nothing a user program executes.  Ignored.
 *  state   a feature that carries state of the process that cannot be
 *          restored on a CPU without it: XSAVE state components (SDM Vol. 1
 *          13.1 "XSAVE-supported features and state-component bitmaps",
 *          APM Vol. 2, XSAVE), SVE and SME registers (FEAT_SVE, FEAT_SME),
 *          pointer authentication keys and the pointers signed with them
 *          (FEAT_PAuth), MTE allocation tags (FEAT_MTE2).  The class
 *          goes to the feature that owns the state (avx512f for the
 *          AVX-512 components; avx512bw and the other AVX-512 subsets are
 *          instructions on that state, so "isa").  Missing: refuse, and
 *          say that it is state.
 *
 * @cpufeat: the name is one cpufeat.hwcap accepts (x86: the feature's
 * capability word mirrors a CPUID register, cpufeat_x86_regs[] in
 * arch/x86/kernel/cpu/cpufeat.c; arm64: every hwcap).  The other x86 names
 * appear in /proc/cpuinfo only.
 *
 * tests/kernel-names-6.12.txt lists every name Linux 6.12 prints, made by
 * tests/kernel-names.py from the kernel tree; tests/unit.c fails when a
 * name there has no entry here, or an entry differs from it.
 */
#include <string.h>

#include "cpufeat.h"

static const struct feat_info x86_features[] = {
	/* word 0: CPUID_1_EDX */
	{ "fpu", FC_STATE, true },	/* x87 state, XSAVE component 0 (SDM Vol. 1 13.1) */
	{ "vme", FC_KERNEL, true },
	{ "de", FC_KERNEL, true },
	{ "pse", FC_KERNEL, true },
	{ "tsc", FC_ISA, true },
	{ "msr", FC_KERNEL, true },
	{ "pae", FC_KERNEL, true },
	{ "mce", FC_KERNEL, true },
	{ "cx8", FC_ISA, true },
	{ "apic", FC_KERNEL, true },
	/*
	 * SYSENTER: 32-bit system calls go through the vDSO, which the kernel
	 * chose
	 */
	{ "sep", FC_KERNEL, true },
	{ "mtrr", FC_KERNEL, true },
	{ "pge", FC_KERNEL, true },
	{ "mca", FC_KERNEL, true },
	{ "cmov", FC_ISA, true },
	{ "pat", FC_KERNEL, true },
	{ "pse36", FC_KERNEL, true },
	{ "pn", FC_KERNEL, true },
	{ "clflush", FC_ISA, true },
	{ "dts", FC_KERNEL, true },
	{ "acpi", FC_KERNEL, true },
	{ "mmx", FC_ISA, true },
	{ "fxsr", FC_ISA, true },
	{ "sse", FC_STATE, true },	/* XMM registers and MXCSR, XSAVE component 1 */
	{ "sse2", FC_ISA, true },
	{ "ss", FC_HINT, true },	/* self snoop: a cache behaviour programs cannot see */
	{ "ht", FC_KERNEL, true },
	{ "tm", FC_KERNEL, true },
	{ "ia64", FC_KERNEL, true },
	{ "pbe", FC_KERNEL, true },
	/* word 1: CPUID_8000_0001_EDX */
	{ "syscall", FC_ISA, true },
	{ "mp", FC_KERNEL, true },
	{ "nx", FC_KERNEL, true },
	{ "mmxext", FC_ISA, true },
	/*
	 * FFXSR: the kernel decides whether FXSAVE skips XMM (APM Vol. 2,
	 * EFER.FFXSR)
	 */
	{ "fxsr_opt", FC_HINT, true },
	{ "pdpe1gb", FC_KERNEL, true },
	{ "rdtscp", FC_ISA, true },
	{ "lm", FC_ISA, true },
	{ "3dnowext", FC_ISA, true },
	{ "3dnow", FC_ISA, true },
	/* word 2: CPUID_8086_0001_EDX (cpuinfo only) */
	{ "recovery", FC_KERNEL, false },
	{ "longrun", FC_KERNEL, false },
	{ "lrti", FC_KERNEL, false },
	/* word 3: CPUID_LNX_1 (cpuinfo only) */
	{ "cxmmx", FC_ISA, false },
	{ "k6_mtrr", FC_KERNEL, false },
	{ "cyrix_arr", FC_KERNEL, false },
	{ "centaur_mcr", FC_KERNEL, false },
	{ "constant_tsc", FC_HINT, false },
	{ "up", FC_KERNEL, false },
	{ "art", FC_KERNEL, false },
	{ "arch_perfmon", FC_KERNEL, false },
	{ "pebs", FC_KERNEL, false },
	{ "bts", FC_KERNEL, false },
	{ "rep_good", FC_HINT, false },
	{ "amd_lbr_v2", FC_KERNEL, false },
	{ "acc_power", FC_KERNEL, false },
	{ "nopl", FC_ISA, false },
	{ "xtopology", FC_KERNEL, false },
	{ "tsc_reliable", FC_HINT, false },
	{ "nonstop_tsc", FC_HINT, false },
	{ "cpuid", FC_ISA, false },
	{ "extd_apicid", FC_KERNEL, false },
	{ "amd_dcm", FC_KERNEL, false },
	{ "aperfmperf", FC_KERNEL, false },
	{ "rapl", FC_KERNEL, false },
	{ "nonstop_tsc_s3", FC_HINT, false },
	{ "tsc_known_freq", FC_HINT, false },
	/* word 4: CPUID_1_ECX */
	{ "pni", FC_ISA, true },
	{ "pclmulqdq", FC_ISA, true },
	{ "dtes64", FC_KERNEL, true },
	{ "monitor", FC_KERNEL, true },	/* MONITOR/MWAIT fault at CPL 3 on Linux */
	{ "ds_cpl", FC_KERNEL, true },
	{ "vmx", FC_KERNEL, true },
	{ "smx", FC_KERNEL, true },
	{ "est", FC_KERNEL, true },
	{ "tm2", FC_KERNEL, true },
	{ "ssse3", FC_ISA, true },
	{ "cid", FC_KERNEL, true },
	{ "sdbg", FC_KERNEL, true },
	{ "fma", FC_ISA, true },
	{ "cx16", FC_ISA, true },
	{ "xtpr", FC_KERNEL, true },
	{ "pdcm", FC_KERNEL, true },
	{ "pcid", FC_KERNEL, true },
	{ "dca", FC_KERNEL, true },
	{ "sse4_1", FC_ISA, true },
	{ "sse4_2", FC_ISA, true },
	{ "x2apic", FC_KERNEL, true },
	{ "movbe", FC_ISA, true },
	{ "popcnt", FC_ISA, true },
	{ "tsc_deadline_timer", FC_KERNEL, true },
	{ "aes", FC_ISA, true },
	{ "xsave", FC_ISA, true },
	/* upper halves of YMM, XSAVE component 2 (SDM Vol. 1 13.1) */
	{ "avx", FC_STATE, true },
	{ "f16c", FC_ISA, true },
	{ "rdrand", FC_ISA, true },
	/* says a hypervisor is present; nothing to execute */
	{ "hypervisor", FC_KERNEL, true },
	/* word 5: CPUID_C000_0001_EDX (Centaur, Zhaoxin) */
	{ "rng", FC_ISA, true },
	{ "rng_en", FC_ISA, true },
	{ "ace", FC_ISA, true },
	{ "ace_en", FC_ISA, true },
	{ "ace2", FC_ISA, true },
	{ "ace2_en", FC_ISA, true },
	{ "phe", FC_ISA, true },
	{ "phe_en", FC_ISA, true },
	{ "pmm", FC_ISA, true },
	{ "pmm_en", FC_ISA, true },
	/* word 6: CPUID_8000_0001_ECX */
	{ "lahf_lm", FC_ISA, true },
	{ "cmp_legacy", FC_KERNEL, true },
	{ "svm", FC_KERNEL, true },
	{ "extapic", FC_KERNEL, true },
	{ "cr8_legacy", FC_KERNEL, true },
	{ "abm", FC_ISA, true },
	{ "sse4a", FC_ISA, true },
	{ "misalignsse", FC_ISA, true },
	{ "3dnowprefetch", FC_ISA, true },
	{ "osvw", FC_KERNEL, true },
	{ "ibs", FC_KERNEL, true },
	{ "xop", FC_ISA, true },
	{ "skinit", FC_KERNEL, true },
	{ "wdt", FC_KERNEL, true },
	/*
	 * LWP control block, XSAVE component 62 (APM, "Lightweight Profiling"
	 * specification)
	 */
	{ "lwp", FC_STATE, true },
	{ "fma4", FC_ISA, true },
	{ "tce", FC_KERNEL, true },
	{ "nodeid_msr", FC_KERNEL, true },
	{ "tbm", FC_ISA, true },
	{ "topoext", FC_KERNEL, true },
	{ "perfctr_core", FC_KERNEL, true },
	{ "perfctr_nb", FC_KERNEL, true },
	{ "bpext", FC_KERNEL, true },
	{ "ptsc", FC_KERNEL, true },
	{ "perfctr_llc", FC_KERNEL, true },
	{ "mwaitx", FC_ISA, true },
	/* word 7: CPUID_LNX_2 (cpuinfo only) */
	{ "ring3mwait", FC_KERNEL, false },
	{ "cpuid_fault", FC_KERNEL, false },
	{ "cpb", FC_KERNEL, false },
	{ "epb", FC_KERNEL, false },
	{ "cat_l3", FC_KERNEL, false },
	{ "cat_l2", FC_KERNEL, false },
	{ "cdp_l3", FC_KERNEL, false },
	{ "tdx_host_platform", FC_KERNEL, false },
	{ "hw_pstate", FC_KERNEL, false },
	{ "proc_feedback", FC_KERNEL, false },
	{ "pti", FC_KERNEL, false },
	{ "intel_ppin", FC_KERNEL, false },
	{ "cdp_l2", FC_KERNEL, false },
	{ "ssbd", FC_KERNEL, false },
	{ "mba", FC_KERNEL, false },
	{ "perfmon_v2", FC_KERNEL, false },
	{ "ibrs", FC_KERNEL, false },
	{ "ibpb", FC_KERNEL, false },
	{ "stibp", FC_KERNEL, false },
	{ "ibrs_enhanced", FC_KERNEL, false },
	/* word 8: CPUID_LNX_3 (cpuinfo only) */
	{ "tpr_shadow", FC_KERNEL, false },
	{ "flexpriority", FC_KERNEL, false },
	{ "ept", FC_KERNEL, false },
	{ "vpid", FC_KERNEL, false },
	{ "vmmcall", FC_KERNEL, false },
	{ "ept_ad", FC_KERNEL, false },
	{ "tdx_guest", FC_KERNEL, false },
	/* word 9: CPUID_7_0_EBX */
	{ "fsgsbase", FC_ISA, true },
	{ "tsc_adjust", FC_KERNEL, true },
	/* enclave pages cannot be saved or moved (SDM Vol. 3D, SGX) */
	{ "sgx", FC_STATE, true },
	{ "bmi1", FC_ISA, true },
	/*
	 * XACQUIRE/XRELEASE prefixes are ignored without HLE (SDM Vol. 1,
	 * "Hardware Lock Elision")
	 */
	{ "hle", FC_HINT, true },
	{ "avx2", FC_ISA, true },
	{ "smep", FC_KERNEL, true },
	{ "bmi2", FC_ISA, true },
	/*
	 * REP MOVSB/STOSB always work; the bit says they are fast (SDM Vol. 1,
	 * "Fast-String Operation")
	 */
	{ "erms", FC_HINT, true },
	{ "invpcid", FC_KERNEL, true },
	{ "rtm", FC_ISA, true },
	{ "cqm", FC_KERNEL, true },
	{ "mpx", FC_STATE, true },	/* BNDREGS and BNDCSR, XSAVE components 3 and 4 */
	{ "rdt_a", FC_KERNEL, true },
	/* opmask, ZMM_Hi256, Hi16_ZMM: XSAVE components 5-7 (SDM Vol. 1 13.1) */
	{ "avx512f", FC_STATE, true },
	{ "avx512dq", FC_ISA, true },
	{ "rdseed", FC_ISA, true },
	{ "adx", FC_ISA, true },
	{ "smap", FC_KERNEL, true },
	{ "avx512ifma", FC_ISA, true },
	{ "clflushopt", FC_ISA, true },
	{ "clwb", FC_ISA, true },
	{ "intel_pt", FC_KERNEL, true },
	{ "avx512pf", FC_ISA, true },
	{ "avx512er", FC_ISA, true },
	{ "avx512cd", FC_ISA, true },
	{ "sha_ni", FC_ISA, true },
	{ "avx512bw", FC_ISA, true },
	{ "avx512vl", FC_ISA, true },
	/* word 10: CPUID_D_1_EAX */
	{ "xsaveopt", FC_ISA, true },
	{ "xsavec", FC_ISA, true },
	{ "xgetbv1", FC_ISA, true },
	{ "xsaves", FC_KERNEL, true },	/* XSAVES/XRSTORS are CPL 0 instructions */
	/* word 11: CPUID_LNX_4 (cpuinfo only) */
	{ "cqm_llc", FC_KERNEL, false },
	{ "cqm_occup_llc", FC_KERNEL, false },
	{ "cqm_mbm_total", FC_KERNEL, false },
	{ "cqm_mbm_local", FC_KERNEL, false },
	{ "split_lock_detect", FC_KERNEL, false },
	/*
	 * the shadow stack and CET_U, XSAVE component 11 (SDM Vol. 1, "Control-
	 * flow Enforcement Technology")
	 */
	{ "user_shstk", FC_STATE, false },
	/* word 12: CPUID_7_1_EAX */
	{ "avx_vnni", FC_ISA, true },
	{ "avx512_bf16", FC_ISA, true },
	{ "fred", FC_KERNEL, true },
	/*
	 * the process's untag mask (arch_prctl ARCH_ENABLE_TAGGED_ADDR, SDM Vol.
	 * 3A, "Linear-Address Masking")
	 */
	{ "lam", FC_STATE, true },
	/* word 13: CPUID_8000_0008_EBX */
	{ "clzero", FC_ISA, true },
	{ "irperf", FC_KERNEL, true },
	/*
	 * FXSAVE always saves the error pointers (APM Vol. 3, CPUID
	 * Fn8000_0008_EBX[2])
	 */
	{ "xsaveerptr", FC_HINT, true },
	{ "rdpru", FC_ISA, true },
	{ "wbnoinvd", FC_KERNEL, true },
	{ "amd_ppin", FC_KERNEL, true },
	{ "virt_ssbd", FC_KERNEL, true },
	{ "cppc", FC_KERNEL, true },
	{ "brs", FC_KERNEL, true },
	/* word 14: CPUID_6_EAX */
	{ "dtherm", FC_KERNEL, true },
	{ "ida", FC_KERNEL, true },
	{ "arat", FC_KERNEL, true },
	{ "pln", FC_KERNEL, true },
	{ "pts", FC_KERNEL, true },
	{ "hwp", FC_KERNEL, true },
	{ "hwp_notify", FC_KERNEL, true },
	{ "hwp_act_window", FC_KERNEL, true },
	{ "hwp_epp", FC_KERNEL, true },
	{ "hwp_pkg_req", FC_KERNEL, true },
	{ "hfi", FC_KERNEL, true },
	/* word 15: CPUID_8000_000A_EDX */
	{ "npt", FC_KERNEL, true },
	{ "lbrv", FC_KERNEL, true },
	{ "svm_lock", FC_KERNEL, true },
	{ "nrip_save", FC_KERNEL, true },
	{ "tsc_scale", FC_KERNEL, true },
	{ "vmcb_clean", FC_KERNEL, true },
	{ "flushbyasid", FC_KERNEL, true },
	{ "decodeassists", FC_KERNEL, true },
	{ "pausefilter", FC_KERNEL, true },
	{ "pfthreshold", FC_KERNEL, true },
	{ "avic", FC_KERNEL, true },
	{ "v_vmsave_vmload", FC_KERNEL, true },
	{ "vgif", FC_KERNEL, true },
	{ "x2avic", FC_KERNEL, true },
	{ "v_spec_ctrl", FC_KERNEL, true },
	{ "vnmi", FC_KERNEL, true },
	/* word 16: CPUID_7_ECX */
	{ "avx512vbmi", FC_ISA, true },
	{ "umip", FC_KERNEL, true },
	/*
	 * PKRU, XSAVE component 9, and the protection keys of the pages (SDM
	 * Vol. 3A, "Protection Keys")
	 */
	{ "pku", FC_STATE, true },
	{ "ospke", FC_STATE, true },	/* PKU enabled by the OS (CR4.PKE): the same state as pku */
	{ "waitpkg", FC_ISA, true },
	{ "avx512_vbmi2", FC_ISA, true },
	{ "gfni", FC_ISA, true },
	{ "vaes", FC_ISA, true },
	{ "vpclmulqdq", FC_ISA, true },
	{ "avx512_vnni", FC_ISA, true },
	{ "avx512_bitalg", FC_ISA, true },
	{ "tme", FC_KERNEL, true },
	{ "avx512_vpopcntdq", FC_ISA, true },
	/*
	 * user addresses above 47 bits only when a program asks for them; CRIU
	 * fails the mapping itself
	 */
	{ "la57", FC_KERNEL, true },
	{ "rdpid", FC_ISA, true },
	{ "bus_lock_detect", FC_KERNEL, true },
	/* CLDEMOTE executes as a NOP without it (SDM Vol. 2A, CLDEMOTE) */
	{ "cldemote", FC_HINT, true },
	{ "movdiri", FC_ISA, true },
	{ "movdir64b", FC_ISA, true },
	{ "enqcmd", FC_ISA, true },
	{ "sgx_lc", FC_KERNEL, true },
	/* word 17: CPUID_8000_0007_EBX */
	{ "overflow_recov", FC_KERNEL, true },
	{ "succor", FC_KERNEL, true },
	{ "smca", FC_KERNEL, true },
	/* word 18: CPUID_7_EDX */
	{ "avx512_4vnniw", FC_ISA, true },
	{ "avx512_4fmaps", FC_ISA, true },
	{ "fsrm", FC_HINT, true },	/* fast short REP MOVSB: a speed hint */
	{ "avx512_vp2intersect", FC_ISA, true },
	{ "md_clear", FC_KERNEL, true },
	{ "serialize", FC_ISA, true },
	{ "tsxldtrk", FC_ISA, true },
	{ "pconfig", FC_KERNEL, true },
	{ "arch_lbr", FC_KERNEL, true },
	/* user space IBT is not enabled by Linux 6.12; the kernel uses it */
	{ "ibt", FC_KERNEL, true },
	{ "amx_bf16", FC_ISA, true },
	{ "avx512_fp16", FC_ISA, true },
	/*
	 * XTILECFG and XTILEDATA, XSAVE components 17 and 18 (SDM Vol. 1 13.1,
	 * "Intel AMX")
	 */
	{ "amx_tile", FC_STATE, true },
	{ "amx_int8", FC_ISA, true },
	{ "flush_l1d", FC_KERNEL, true },
	{ "arch_capabilities", FC_KERNEL, true },
	/* word 19: CPUID_8000_001F_EAX */
	{ "sme", FC_KERNEL, true },	/* AMD Secure Memory Encryption */
	{ "sev", FC_KERNEL, true },
	{ "sev_es", FC_KERNEL, true },
	{ "sev_snp", FC_KERNEL, true },
	{ "debug_swap", FC_KERNEL, true },
	{ "svsm", FC_KERNEL, true },
	/* word 21: CPUID_LNX_5 (cpuinfo only) */
	{ "amd_lbr_pmc_freeze", FC_KERNEL, false },
};

static const struct feat_info arm64_features[] = {
	/*
	 * V0-V31, FPCR, FPSR (Arm ARM, FEAT_FP, FEAT_AdvSIMD); cpufeat hides it
	 * only with asimd
	 */
	{ "fp", FC_STATE, true },
	{ "asimd", FC_STATE, true },	/* the same register file as fp */
	{ "evtstrm", FC_HINT, true },	/* the timer event stream wakes WFE; a timing behaviour */
	{ "aes", FC_ISA, true },
	{ "pmull", FC_ISA, true },
	{ "sha1", FC_ISA, true },
	{ "sha2", FC_ISA, true },
	{ "crc32", FC_ISA, true },
	{ "atomics", FC_ISA, true },
	{ "fphp", FC_ISA, true },
	{ "asimdhp", FC_ISA, true },
	{ "cpuid", FC_ISA, true },
	{ "asimdrdm", FC_ISA, true },
	{ "jscvt", FC_ISA, true },
	{ "fcma", FC_ISA, true },
	{ "lrcpc", FC_ISA, true },
	{ "dcpop", FC_ISA, true },
	{ "sha3", FC_ISA, true },
	{ "sm3", FC_ISA, true },
	{ "sm4", FC_ISA, true },
	{ "asimddp", FC_ISA, true },
	{ "sha512", FC_ISA, true },
	{ "sve", FC_STATE, true },	/* Z0-Z31, P0-P15, FFR (Arm ARM, FEAT_SVE) */
	{ "asimdfhm", FC_ISA, true },
	{ "dit", FC_ISA, true },
	{ "uscat", FC_ISA, true },
	{ "ilrcpc", FC_ISA, true },
	{ "flagm", FC_ISA, true },
	{ "ssbs", FC_ISA, true },
	{ "sb", FC_ISA, true },
	/* pointers signed with the process's keys (Arm ARM, FEAT_PAuth) */
	{ "paca", FC_STATE, true },
	{ "pacg", FC_STATE, true },	/* the generic key, as paca */
	{ "dcpodp", FC_ISA, true },
	{ "sve2", FC_ISA, true },
	{ "sveaes", FC_ISA, true },
	{ "svepmull", FC_ISA, true },
	{ "svebitperm", FC_ISA, true },
	{ "svesha3", FC_ISA, true },
	{ "svesm4", FC_ISA, true },
	{ "flagm2", FC_ISA, true },
	{ "frint", FC_ISA, true },
	{ "svei8mm", FC_ISA, true },
	{ "svef32mm", FC_ISA, true },
	{ "svef64mm", FC_ISA, true },
	{ "svebf16", FC_ISA, true },
	{ "i8mm", FC_ISA, true },
	{ "bf16", FC_ISA, true },
	{ "dgh", FC_HINT, true },	/* DGH is a HINT instruction (FEAT_DGH) */
	{ "rng", FC_ISA, true },
	/*
	 * BTI landing pads are HINT instructions, NOPs without it (Arm ARM, BTI;
	 * FEAT_BTI)
	 */
	{ "bti", FC_HINT, true },
	/* allocation tags of every tagged page (Arm ARM, FEAT_MTE2) */
	{ "mte", FC_STATE, true },
	{ "ecv", FC_ISA, true },
	{ "afp", FC_ISA, true },
	{ "rpres", FC_ISA, true },
	/* asymmetric tag checking, a mode of the MTE state (FEAT_MTE3) */
	{ "mte3", FC_STATE, true },
	{ "sme", FC_STATE, true },	/* ZA, streaming mode, TPIDR2_EL0 (Arm ARM, FEAT_SME) */
	{ "smei16i64", FC_ISA, true },
	{ "smef64f64", FC_ISA, true },
	{ "smei8i32", FC_ISA, true },
	{ "smef16f32", FC_ISA, true },
	{ "smeb16f32", FC_ISA, true },
	{ "smef32f32", FC_ISA, true },
	{ "smefa64", FC_ISA, true },
	{ "wfxt", FC_ISA, true },
	{ "ebf16", FC_ISA, true },
	{ "sveebf16", FC_ISA, true },
	{ "cssc", FC_ISA, true },
	/* RPRFM is a prefetch hint, a NOP without it (FEAT_RPRFM) */
	{ "rprfm", FC_HINT, true },
	{ "sve2p1", FC_ISA, true },
	{ "sme2", FC_STATE, true },	/* ZT0 (FEAT_SME2) */
	{ "sme2p1", FC_ISA, true },
	{ "smei16i32", FC_ISA, true },
	{ "smebi32i32", FC_ISA, true },
	{ "smeb16b16", FC_ISA, true },
	{ "smef16f16", FC_ISA, true },
	{ "mops", FC_ISA, true },
	{ "hbc", FC_ISA, true },
	{ "sveb16b16", FC_ISA, true },
	{ "lrcpc3", FC_ISA, true },
	{ "lse128", FC_ISA, true },
	{ "fpmr", FC_STATE, true },	/* the FPMR register (FEAT_FPMR) */
	{ "lut", FC_ISA, true },
	{ "faminmax", FC_ISA, true },
	{ "f8cvt", FC_ISA, true },
	{ "f8fma", FC_ISA, true },
	{ "f8dp4", FC_ISA, true },
	{ "f8dp2", FC_ISA, true },
	{ "f8e4m3", FC_ISA, true },
	{ "f8e5m2", FC_ISA, true },
	{ "smelutv2", FC_ISA, true },
	{ "smef8f16", FC_ISA, true },
	{ "smef8f32", FC_ISA, true },
	{ "smesf8fma", FC_ISA, true },
	{ "smesf8dp4", FC_ISA, true },
	{ "smesf8dp2", FC_ISA, true },
	/* POR_EL0 and the overlay indexes of the pages (FEAT_S1POE) */
	{ "poe", FC_STATE, true },
};

static const struct {
	const char *arch;
	const struct feat_info *feats;
	size_t nr;
} feature_tables[] = {
	{ "x86_64", x86_features, ARRAY_SIZE(x86_features) },
	{ "arm64", arm64_features, ARRAY_SIZE(arm64_features) },
};

static const char * const class_names[] = {
	[FC_UNKNOWN] = "unknown",
	[FC_ISA] = "isa",
	[FC_HINT] = "hint",
	[FC_KERNEL] = "kernel",
	[FC_STATE] = "state",
};

/* Every feature name of @arch, in the kernel's order; NULL if none. */
const struct feat_info *arch_features(const char *arch, size_t *nr)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feature_tables); i++) {
		if (!strcmp(feature_tables[i].arch, arch)) {
			*nr = feature_tables[i].nr;
			return feature_tables[i].feats;
		}
	}
	*nr = 0;
	return NULL;
}

/* @name's entry in @arch's table, or NULL. */
const struct feat_info *feat_info(const char *arch, const char *name)
{
	const struct feat_info *f;
	size_t nr, i;

	f = arch_features(arch, &nr);
	for (i = 0; i < nr; i++)
		if (!strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

/* @name's class; a name this table does not know is FC_UNKNOWN. */
enum feat_class feat_class(const char *arch, const char *name)
{
	const struct feat_info *f = feat_info(arch, name);

	return f ? f->cls : FC_UNKNOWN;
}

const char *class_name(enum feat_class c)
{
	return c < ARRAY_SIZE(class_names) ?
	       class_names[c] : "unknown";
}

/*
 * What @have lacks of @want on @arch, by class.  Instruction sets, state
 * and names the table does not know (a newer kernel's: taken for
 * instruction sets) are refused; hints and kernel-only features too with
 * @strict.
 */
void check_missing(const char *arch, const struct featset *want,
		   const struct featset *have, bool strict,
		   struct check_result *r)
{
	enum feat_class c;
	size_t i;

	for (c = 0; c < FC_NR; c++)
		fs_init(&r->missing[c]);
	fs_init(&r->refused);
	for (i = 0; i < want->nr; i++) {
		if (fs_has(have, want->names[i]))
			continue;
		c = feat_class(arch, want->names[i]);
		fs_add(&r->missing[c], want->names[i]);
		if (strict || c == FC_ISA || c == FC_STATE || c == FC_UNKNOWN)
			fs_add(&r->refused, want->names[i]);
	}
}

void check_free(struct check_result *r)
{
	enum feat_class c;

	for (c = 0; c < FC_NR; c++)
		fs_free(&r->missing[c]);
	fs_free(&r->refused);
}
