// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat: Kubernetes Node Feature Discovery (NFD) labels as feature sets.
 *
 * NFD's nfd-worker labels each node "feature.node.kubernetes.io/
 * cpu-cpuid.<FLAG>": "true".  On x86 the flags are the FeatureID names of
 * github.com/klauspost/cpuid/v2 (NFD's source/cpu/cpuid_amd64.go:
 * cpuid.CPU.FeatureSet()), and recent NFD versions add the psABI levels
 * X86_64_V1..X86_64_V4; on arm64 they are the kernel's hwcap names in upper
 * case (source/cpu/cpuid_linux_arm64.go).  By default nfd-worker does not
 * label some x86 flags at all (sources.cpu.cpuid.attributeBlacklist, see
 * NFD's docs/usage/features.md): a node without such a label may well have
 * the feature, so the tool takes those features only from a level label or
 * the architecture's baseline, and says which it could not decide.
 *
 * No system access here: tests/unit.c tests it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpufeat.h"

#define NFD_CPUID_PREFIX	"feature.node.kubernetes.io/cpu-cpuid."

/*
 * x86: klauspost/cpuid's name for each feature that has a /proc/cpuinfo
 * name.  Flags not here (AVXSLOW, FP128, HYBRID_CPU, AVX10, AMXFP16,
 * CETSS: the kernel's user_shstk also needs kernel support, ...) have none.
 */
static const struct nfd_flag nfd_x86_flags[] = {
	{ "ADX", "adx" },		{ "AESNI", "aes" },
	{ "AMD3DNOW", "3dnow" },	{ "AMD3DNOWEXT", "3dnowext" },
	{ "AMXBF16", "amx_bf16" },	{ "AMXINT8", "amx_int8" },
	{ "AMXTILE", "amx_tile" },	{ "AVX", "avx" },
	{ "AVX2", "avx2" },		{ "AVX512BF16", "avx512_bf16" },
	{ "AVX512BITALG", "avx512_bitalg" }, { "AVX512BW", "avx512bw" },
	{ "AVX512CD", "avx512cd" },	{ "AVX512DQ", "avx512dq" },
	{ "AVX512ER", "avx512er" },	{ "AVX512F", "avx512f" },
	{ "AVX512FP16", "avx512_fp16" }, { "AVX512IFMA", "avx512ifma" },
	{ "AVX512PF", "avx512pf" },	{ "AVX512VBMI", "avx512vbmi" },
	{ "AVX512VBMI2", "avx512_vbmi2" }, { "AVX512VL", "avx512vl" },
	{ "AVX512VNNI", "avx512_vnni" },
	{ "AVX512VP2INTERSECT", "avx512_vp2intersect" },
	{ "AVX512VPOPCNTDQ", "avx512_vpopcntdq" }, { "AVXVNNI", "avx_vnni" },
	{ "BMI1", "bmi1" },		{ "BMI2", "bmi2" },
	{ "CETIBT", "ibt" },		{ "CLDEMOTE", "cldemote" },
	{ "CLMUL", "pclmulqdq" },	{ "CLZERO", "clzero" },
	{ "CMOV", "cmov" },		{ "CMPXCHG8", "cx8" },
	{ "CPBOOST", "cpb" },		{ "CPPC", "cppc" },
	{ "CX16", "cx16" },		{ "ENQCMD", "enqcmd" },
	{ "ERMS", "erms" },		{ "F16C", "f16c" },
	{ "FLUSH_L1D", "flush_l1d" },	{ "FMA3", "fma" },
	{ "FMA4", "fma4" },		{ "FSRM", "fsrm" },
	{ "FXSR", "fxsr" },		{ "FXSROPT", "fxsr_opt" },
	{ "GFNI", "gfni" },		{ "HLE", "hle" },
	{ "HTT", "ht" },		{ "HYPERVISOR", "hypervisor" },
	{ "IA32_ARCH_CAP", "arch_capabilities" }, { "IBPB", "ibpb" },
	{ "IBRS", "ibrs" },		{ "IBS", "ibs" },
	{ "LAHF", "lahf_lm" },		{ "LAM", "lam" },
	{ "LBRVIRT", "lbrv" },		{ "LZCNT", "abm" },
	{ "MCAOVERFLOW", "overflow_recov" }, { "MD_CLEAR", "md_clear" },
	{ "MMX", "mmx" },		{ "MMXEXT", "mmxext" },
	{ "MOVBE", "movbe" },		{ "MOVDIR64B", "movdir64b" },
	{ "MOVDIRI", "movdiri" },	{ "MPX", "mpx" },
	{ "NRIPS", "nrip_save" },	{ "NX", "nx" },
	{ "PCONFIG", "pconfig" },	{ "POPCNT", "popcnt" },
	{ "PPIN", "amd_ppin" },		{ "RDPRU", "rdpru" },
	{ "RDRAND", "rdrand" },		{ "RDSEED", "rdseed" },
	{ "RDTSCP", "rdtscp" },		{ "RTM", "rtm" },
	{ "SERIALIZE", "serialize" },	{ "SEV", "sev" },
	{ "SEV_DEBUGSWAP", "debug_swap" }, { "SEV_ES", "sev_es" },
	{ "SEV_SNP", "sev_snp" },	{ "SGX", "sgx" },
	{ "SGXLC", "sgx_lc" },		{ "SHA", "sha_ni" },
	{ "SME", "sme" },		{ "SSE", "sse" },
	{ "SSE2", "sse2" },		{ "SSE3", "pni" },
	{ "SSE4", "sse4_1" },		{ "SSE42", "sse4_2" },
	{ "SSE4A", "sse4a" },		{ "SSSE3", "ssse3" },
	{ "STIBP", "stibp" },		{ "SUCCOR", "succor" },
	{ "SVM", "svm" },		{ "SVMDA", "decodeassists" },
	{ "SVMFBASID", "flushbyasid" },	{ "SVML", "svm_lock" },
	{ "SVMNP", "npt" },		{ "SVMPF", "pausefilter" },
	{ "SVMPFT", "pfthreshold" },	{ "SYSCALL", "syscall" },
	{ "SYSEE", "sep" },		{ "TBM", "tbm" },
	{ "TDX_GUEST", "tdx_guest" },	{ "TME", "tme" },
	{ "TOPEXT", "topoext" },	{ "TSCRATEMSR", "tsc_scale" },
	{ "TSXLDTRK", "tsxldtrk" },	{ "VAES", "vaes" },
	{ "VMCBCLEAN", "vmcb_clean" },	{ "VMX", "vmx" },
	{ "VPCLMULQDQ", "vpclmulqdq" },	{ "WAITPKG", "waitpkg" },
	{ "WBNOINVD", "wbnoinvd" },	{ "X87", "fpu" },
	{ "XGETBV1", "xgetbv1" },	{ "XOP", "xop" },
	{ "XSAVE", "xsave" },		{ "XSAVEC", "xsavec" },
	{ "XSAVEOPT", "xsaveopt" },	{ "XSAVES", "xsaves" },
	{ NULL }
};

/*
 * NFD's default sources.cpu.cpuid.attributeBlacklist (docs/usage/
 * features.md; SGXLC in versions before 0.16): never labelled.
 */
static const char * const nfd_x86_unlabelled[] = {
	"AVX10", "BMI1", "BMI2", "CLMUL", "CMOV", "CX16", "ERMS", "F16C",
	"HTT", "LZCNT", "MMX", "MMXEXT", "NX", "POPCNT", "RDRAND", "RDSEED",
	"RDTSCP", "SGX", "SGXLC", "SSE", "SSE2", "SSE3", "SSE4", "SSE42",
	"SSSE3", "TDX_GUEST", NULL
};

/* The psABI level labels and the presets they stand for. */
static const struct {
	const char *flag;
	const char *preset;
} nfd_x86_levels[] = {
	{ "X86_64_V1", "x86-64-v1" },
	{ "X86_64_V2", "x86-64-v2" },
	{ "X86_64_V3", "x86-64-v3" },
	{ "X86_64_V4", "x86-64-v4" },
};

const struct nfd_flag *nfd_flags_table(void)
{
	return nfd_x86_flags;
}

const char * const *nfd_unlabelled_table(void)
{
	return nfd_x86_unlabelled;
}

static bool nfd_unlabelled(const char *flag)
{
	const char * const *u;

	for (u = nfd_x86_unlabelled; *u; u++)
		if (!strcmp(*u, flag))
			return true;
	return false;
}

/*
 * The kernel name of NFD flag @flag on @arch, or NULL if it has none;
 * @buf (at least 64 bytes) holds an arm64 name.
 */
const char *nfd_kernel_name(const char *arch, const char *flag, char *buf)
{
	const struct nfd_flag *f;
	size_t i;

	if (!strcmp(arch, "arm64")) {
		for (i = 0; flag[i] && i < 63; i++)
			buf[i] = flag[i] >= 'A' && flag[i] <= 'Z' ?
				 flag[i] - 'A' + 'a' : flag[i];
		buf[i] = '\0';
		return !flag[i] && feat_info(arch, buf) ? buf : NULL;
	}
	for (f = nfd_x86_flags; f->nfd; f++)
		if (!strcmp(f->nfd, flag))
			return f->kernel;
	return NULL;
}

/* kubernetes.io/arch as the kernel names architectures. */
static const char *node_arch(const struct jv *labels)
{
	const char *a = jv_str(jv_get(labels, "kubernetes.io/arch"));

	if (!a)
		a = jv_str(jv_get(labels, "beta.kubernetes.io/arch"));
	if (!a)
		return NULL;
	if (!strcmp(a, "amd64"))
		return "x86_64";
	if (!strcmp(a, "arm64"))
		return "arm64";
	return a;
}

void nfd_node_free(struct nfd_node *n)
{
	free(n->name);
	free(n->arch);
	free(n->kernel);
	fs_free(&n->feat);
	fs_free(&n->unmapped);
	fs_free(&n->undecided);
	memset(n, 0, sizeof(*n));
}

/*
 * One Node object: its labels as a feature set.  Returns 0, or -1 with a
 * message in @err.
 */
static int nfd_node(const struct jv *node, struct nfd_node *n, char *err)
{
	const struct jv *meta = jv_get(node, "metadata");
	const struct jv *labels = jv_get(meta, "labels");
	const char *name = jv_str(jv_get(meta, "name"));
	const char *arch, *kname, *flag, *kernel;
	int level = 0, cpuid = 0;
	char buf[64];
	size_t i, l;

	memset(n, 0, sizeof(*n));
	name = name ? name : "(no name)";
	if (!labels || labels->type != JV_OBJECT) {
		snprintf(err, ERRLEN, "node %s has no labels", name);
		return -1;
	}
	arch = node_arch(labels);
	if (!arch || (strcmp(arch, "x86_64") && strcmp(arch, "arm64"))) {
		snprintf(err, ERRLEN, "node %s: architecture %s (x86_64 or arm64)",
			 name, arch ? arch : "not labelled");
		return -1;
	}
	n->name = xstrdup(name);
	n->arch = xstrdup(arch);
	kernel = jv_str(jv_get(labels, "feature.node.kubernetes.io/kernel-version.full"));
	if (!kernel)
		kernel = jv_str(jv_get(jv_get(jv_get(node, "status"), "nodeInfo"),
				       "kernelVersion"));
	n->kernel = xstrdup(kernel ? kernel : "unknown");
	for (i = 0; i < labels->nr; i++) {
		if (strncmp(labels->keys[i], NFD_CPUID_PREFIX,
			    strlen(NFD_CPUID_PREFIX)))
			continue;
		flag = labels->keys[i] + strlen(NFD_CPUID_PREFIX);
		if (!jv_str(labels->items[i]) || strcmp(labels->items[i]->str, "true"))
			continue;	/* attributes, e.g. AVX10_VERSION=1 */
		cpuid++;
		for (l = 0; !strcmp(arch, "x86_64") && l < ARRAY_SIZE(nfd_x86_levels); l++)
			if (!strcmp(flag, nfd_x86_levels[l].flag) && (int)l + 1 > level)
				level = l + 1;
		if (!strncmp(flag, "X86_64_V", 8) && !strcmp(arch, "x86_64"))
			continue;
		kname = nfd_kernel_name(arch, flag, buf);
		if (kname && feat_info(arch, kname)->cpufeat)
			fs_add(&n->feat, kname);
		else
			fs_add(&n->unmapped, flag);
	}
	if (!cpuid) {
		snprintf(err, ERRLEN, "node %s has no %s* labels (is NFD running there?)",
			 name, NFD_CPUID_PREFIX);
		nfd_node_free(n);
		return -1;
	}
	preset_features(find_preset(arch_baseline(arch)), &n->feat);
	if (level)
		preset_features(find_preset(nfd_x86_levels[level - 1].preset),
				&n->feat);
	/* what NFD does not label and nothing above decided */
	if (!strcmp(arch, "x86_64")) {
		for (i = 0; nfd_x86_flags[i].nfd; i++)
			if (nfd_unlabelled(nfd_x86_flags[i].nfd) &&
			    feat_info(arch, nfd_x86_flags[i].kernel)->cpufeat &&
			    !fs_has(&n->feat, nfd_x86_flags[i].kernel))
				fs_add(&n->undecided, nfd_x86_flags[i].kernel);
	}
	return 0;
}

/*
 * The nodes of a parsed "kubectl get nodes -o json" (a List of Nodes) or
 * "kubectl get node NAME -o json" (one Node).  Returns the number of nodes
 * (in @nodes, to free with nfd_node_free() and free()), or -1 with a
 * message in @err.
 */
int nfd_nodes(const struct jv *doc, struct nfd_node **nodes, char *err)
{
	const struct jv *items = jv_get(doc, "items");
	const char *kind = jv_str(jv_get(doc, "kind"));
	size_t i, nr;

	*nodes = NULL;
	if (kind && !strcmp(kind, "Node")) {
		*nodes = xrealloc(NULL, sizeof(**nodes));
		if (nfd_node(doc, *nodes, err)) {
			free(*nodes);
			*nodes = NULL;
			return -1;
		}
		return 1;
	}
	if (!items || items->type != JV_ARRAY) {
		snprintf(err, ERRLEN,
			 "not a Node or a list of Nodes (kubectl get nodes -o json)");
		return -1;
	}
	nr = items->nr;
	if (!nr) {
		snprintf(err, ERRLEN, "the list has no nodes");
		return -1;
	}
	*nodes = xrealloc(NULL, nr * sizeof(**nodes));
	for (i = 0; i < nr; i++) {
		const char *k = jv_str(jv_get(items->items[i], "kind"));

		if ((k && strcmp(k, "Node")) ||
		    nfd_node(items->items[i], &(*nodes)[i], err)) {
			if (k && strcmp(k, "Node"))
				snprintf(err, ERRLEN, "item %zu is a %s, not a Node",
					 i, k);
			while (i-- > 0)
				nfd_node_free(&(*nodes)[i]);
			free(*nodes);
			*nodes = NULL;
			return -1;
		}
	}
	return nr;
}
