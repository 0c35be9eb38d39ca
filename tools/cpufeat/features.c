// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat: feature sets, the saved-file format, presets, specs and ISA
 * baseline checks.  No system access here: this is what tests/unit.c tests.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpufeat.h"

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "cpufeat: out of memory\n");
		exit(EXIT_SYSTEM);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

static void seterr(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERRLEN, fmt, ap);
	va_end(ap);
}

void fs_init(struct featset *fs)
{
	memset(fs, 0, sizeof(*fs));
}

void fs_free(struct featset *fs)
{
	size_t i;

	for (i = 0; i < fs->nr; i++)
		free(fs->names[i]);
	free(fs->names);
	fs_init(fs);
}

static long fs_index(const struct featset *fs, const char *name)
{
	size_t i;

	for (i = 0; i < fs->nr; i++)
		if (!strcmp(fs->names[i], name))
			return i;
	return -1;
}

bool fs_has(const struct featset *fs, const char *name)
{
	return fs_index(fs, name) >= 0;
}

void fs_add(struct featset *fs, const char *name)
{
	if (fs_has(fs, name))
		return;
	if (fs->nr == fs->alloc) {
		fs->alloc = fs->alloc ? 2 * fs->alloc : 32;
		fs->names = xrealloc(fs->names, fs->alloc * sizeof(*fs->names));
	}
	fs->names[fs->nr++] = xstrdup(name);
}

void fs_del(struct featset *fs, const char *name)
{
	long i = fs_index(fs, name);

	if (i < 0)
		return;
	free(fs->names[i]);
	memmove(&fs->names[i], &fs->names[i + 1],
		(fs->nr - i - 1) * sizeof(*fs->names));
	fs->nr--;
}

void fs_copy(struct featset *dst, const struct featset *src)
{
	fs_free(dst);
	fs_add_all(dst, src);
}

void fs_add_all(struct featset *dst, const struct featset *src)
{
	size_t i;

	for (i = 0; i < src->nr; i++)
		fs_add(dst, src->names[i]);
}

/* Keep the names that are also in @with, in @fs's order. */
void fs_intersect(struct featset *fs, const struct featset *with)
{
	size_t i = 0;

	while (i < fs->nr) {
		if (fs_has(with, fs->names[i]))
			i++;
		else
			fs_del(fs, fs->names[i]);
	}
}

void fs_minus(struct featset *fs, const struct featset *without)
{
	size_t i;

	for (i = 0; i < without->nr; i++)
		fs_del(fs, without->names[i]);
}

/* Add the words of @text (separated by space, tab or newline). */
void fs_add_words(struct featset *fs, const char *text)
{
	const char *p = text, *q;
	char *w;

	for (;;) {
		p += strspn(p, " \t\n");
		if (!*p)
			break;
		q = p + strcspn(p, " \t\n");
		w = xrealloc(NULL, q - p + 1);
		memcpy(w, p, q - p);
		w[q - p] = '\0';
		fs_add(fs, w);
		free(w);
		p = q;
	}
}

/* The names separated by single spaces; the caller frees it. */
char *fs_join(const struct featset *fs)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; i < fs->nr; i++)
		len += strlen(fs->names[i]) + 1;
	s = xrealloc(NULL, len);
	p = s;
	*p = '\0';
	for (i = 0; i < fs->nr; i++)
		p += sprintf(p, "%s%s", i ? " " : "", fs->names[i]);
	return s;
}

/* Feature names as both kernels spell them: lower case, digits, '_'. */
bool valid_name(const char *name)
{
	const char *p;

	if (!*name || strlen(name) > 64)
		return false;
	for (p = name; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_')
			return false;
	return true;
}

void machine_init(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	fs_init(&m->feat);
}

void machine_free(struct machine *m)
{
	free(m->arch);
	free(m->kernel);
	free(m->cpu);
	fs_free(&m->feat);
	machine_init(m);
}

static bool is_key(const char *p, const char *end, const char *key)
{
	return (size_t)(end - p) == strlen(key) && !strncmp(p, key, end - p);
}

/* Text up to the end of the line, without trailing white space. */
static char *line_value(const char *p, const char *end)
{
	char *v;

	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	v = xrealloc(NULL, end - p + 1);
	memcpy(v, p, end - p);
	v[end - p] = '\0';
	return v;
}

static int parse_features(const char *fname, int lineno, const char *v,
			  struct featset *fs, char *err)
{
	const char *p = v, *q;
	char name[80];

	for (;;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		q = p + strcspn(p, " \t");
		if ((size_t)(q - p) >= sizeof(name)) {
			seterr(err, "%s:%d: feature name too long", fname,
			       lineno);
			return -1;
		}
		memcpy(name, p, q - p);
		name[q - p] = '\0';
		if (!valid_name(name)) {
			seterr(err, "%s:%d: invalid feature name \"%s\"",
			       fname, lineno, name);
			return -1;
		}
		if (fs_has(fs, name)) {
			seterr(err, "%s:%d: feature \"%s\" listed twice",
			       fname, lineno, name);
			return -1;
		}
		fs_add(fs, name);
		p = q;
	}
	if (!fs->nr) {
		seterr(err, "%s:%d: no features", fname, lineno);
		return -1;
	}
	return 0;
}

/*
 * Parse a saved feature set (see cpufeat.8, SAVED FILES).  Returns 0, or -1
 * with a message "FILE:LINE: what" in @err.
 */
int parse_saved(const char *text, const char *fname, struct machine *m,
		char *err)
{
	const char *p = text, *eol, *key_end, *v;
	bool have_magic = false, have_feat = false;
	int lineno = 0;
	char **slot;

	machine_init(m);
	if (strlen(text) == 0) {
		seterr(err, "%s: empty file, not a saved feature set", fname);
		return -1;
	}
	for (; *p; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		lineno++;
		if (memchr(p, '\r', eol - p) || memchr(p, '\0', eol - p)) {
			seterr(err, "%s:%d: carriage return in line", fname,
			       lineno);
			goto fail;
		}
		v = p + strspn(p, " \t");
		if (v == eol || *v == '#')
			continue;
		if (v != p) {
			seterr(err, "%s:%d: line starts with white space",
			       fname, lineno);
			goto fail;
		}
		key_end = p + strcspn(p, " \t\n");
		v = key_end + strspn(key_end, " \t");
		if (v > eol)
			v = eol;
		if (!have_magic) {
			if ((size_t)(key_end - p) != strlen(SAVED_MAGIC) ||
			    strncmp(p, SAVED_MAGIC, key_end - p)) {
				seterr(err,
				       "%s:%d: not a saved feature set (the first line must be \"%s %d\")",
				       fname, lineno, SAVED_MAGIC,
				       SAVED_VERSION);
				goto fail;
			}
			if (eol - v != 1 || *v != '0' + SAVED_VERSION) {
				seterr(err,
				       "%s:%d: unsupported format version \"%.*s\" (this cpufeat reads version %d)",
				       fname, lineno, (int)(eol - v), v,
				       SAVED_VERSION);
				goto fail;
			}
			have_magic = true;
			continue;
		}
		if (is_key(p, key_end, "features")) {
			char *list;
			int ret;

			if (have_feat) {
				seterr(err, "%s:%d: \"features\" given twice",
				       fname, lineno);
				goto fail;
			}
			have_feat = true;
			list = line_value(v, eol);
			ret = parse_features(fname, lineno, list, &m->feat,
					     err);
			free(list);
			if (ret)
				goto fail;
			continue;
		}
		if (is_key(p, key_end, "arch"))
			slot = &m->arch;
		else if (is_key(p, key_end, "kernel"))
			slot = &m->kernel;
		else if (is_key(p, key_end, "cpu"))
			slot = &m->cpu;
		else
			slot = NULL;
		if (!slot) {
			seterr(err, "%s:%d: unknown key \"%.*s\"", fname,
			       lineno, (int)(key_end - p), p);
			goto fail;
		}
		if (*slot) {
			seterr(err, "%s:%d: \"%.*s\" given twice", fname,
			       lineno, (int)(key_end - p), p);
			goto fail;
		}
		*slot = line_value(v, eol);
		if (!**slot) {
			seterr(err, "%s:%d: \"%.*s\" has no value", fname,
			       lineno, (int)(key_end - p), p);
			goto fail;
		}
		if (slot == &m->arch && strcmp(m->arch, "x86_64") &&
		    strcmp(m->arch, "arm64")) {
			seterr(err, "%s:%d: unknown architecture \"%s\" (x86_64 or arm64)",
			       fname, lineno, m->arch);
			goto fail;
		}
	}
	if (!have_magic) {
		seterr(err, "%s: not a saved feature set (no \"%s %d\" line)",
		       fname, SAVED_MAGIC, SAVED_VERSION);
		goto fail;
	}
	if (!m->arch || !have_feat) {
		seterr(err, "%s: missing \"%s\" line", fname,
		       !m->arch ? "arch" : "features");
		goto fail;
	}
	if (!m->kernel)
		m->kernel = xstrdup("unknown");
	if (!m->cpu)
		m->cpu = xstrdup("unknown");
	return 0;
fail:
	machine_free(m);
	return -1;
}

int write_saved(FILE *f, const struct machine *m)
{
	char *list = fs_join(&m->feat);

	fprintf(f, "%s %d\narch %s\nkernel %s\ncpu %s\nfeatures %s\n",
		SAVED_MAGIC, SAVED_VERSION, m->arch, m->kernel, m->cpu, list);
	free(list);
	return ferror(f) ? -1 : 0;
}

/*
 * x86-64: the psABI micro-architecture levels as glibc tests them
 * (sysdeps/x86/get-isa-level.h), by /proc/cpuinfo names: cx16 is
 * CMPXCHG16B, lahf_lm LAHF64_SAHF64, pni SSE3, abm LZCNT.  v1 also has
 * syscall (the psABI's SCE) and lm, and v3 xsave, which avx requires (the
 * psABI's OSXSAVE has no /proc/cpuinfo name).
 *
 * arm64: the features each architecture version makes mandatory (Arm ARM,
 * for a CPU with FP and Advanced SIMD) that have a hwcap, plus cpuid, the
 * kernel's MRS emulation, which every level keeps: hiding it makes MRS of
 * ID registers raise SIGILL.  Optional features (aes, sha2, fphp, sve on
 * v8.x, ...) are in no level.  armv9.0-a is armv8.5-a plus SVE2.
 */
const struct preset presets[] = {
	{ "x86_64", "x86-64-v1", NULL,
	  "fpu cx8 cmov mmx fxsr sse sse2 syscall lm",
	  "x86-64 psABI baseline" },
	{ "x86_64", "x86-64-v2", "x86-64-v1",
	  "cx16 lahf_lm popcnt pni ssse3 sse4_1 sse4_2",
	  "x86-64 psABI level 2 (Nehalem, Silvermont)" },
	{ "x86_64", "x86-64-v3", "x86-64-v2",
	  "xsave avx avx2 bmi1 bmi2 f16c fma abm movbe",
	  "x86-64 psABI level 3 (Haswell, Zen 1)" },
	{ "x86_64", "x86-64-v4", "x86-64-v3",
	  "avx512f avx512bw avx512cd avx512dq avx512vl",
	  "x86-64 psABI level 4 (Skylake-SP, Zen 4)" },
	{ "arm64", "armv8.0-a", NULL, "fp asimd cpuid",
	  "Armv8.0-A with FP and Advanced SIMD" },
	{ "arm64", "armv8.1-a", "armv8.0-a", "crc32 atomics asimdrdm",
	  "Armv8.1-A" },
	{ "arm64", "armv8.2-a", "armv8.1-a", "dcpop", "Armv8.2-A" },
	{ "arm64", "armv8.3-a", "armv8.2-a", "jscvt fcma lrcpc paca pacg",
	  "Armv8.3-A" },
	{ "arm64", "armv8.4-a", "armv8.3-a", "asimddp dit uscat ilrcpc flagm",
	  "Armv8.4-A" },
	{ "arm64", "armv8.5-a", "armv8.4-a", "dcpodp sb flagm2 frint bti",
	  "Armv8.5-A" },
	{ "arm64", "armv8.6-a", "armv8.5-a", "bf16 i8mm", "Armv8.6-A" },
	{ "arm64", "armv9.0-a", "armv8.5-a", "sve sve2",
	  "Armv9.0-A (Armv8.5-A with SVE2)" },
	{ NULL }
};

const struct preset *find_preset(const char *name)
{
	const struct preset *p;

	for (p = presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

void preset_features(const struct preset *p, struct featset *fs)
{
	if (p->base)
		preset_features(find_preset(p->base), fs);
	fs_add_words(fs, p->adds);
}

/* The level every distribution of the architecture assumes. */
const char *arch_baseline(const char *arch)
{
	return strcmp(arch, "arm64") ? "x86-64-v1" : "armv8.0-a";
}

/*
 * Distributions whose x86_64 builds need more than x86-64-v1, by the ID
 * and the major VERSION_ID of /etc/os-release (os-release(5)), newest
 * first: Red Hat Enterprise Linux 9 is built for x86-64-v2 and 10 for
 * x86-64-v3, and so are the rebuilds that keep its version numbers;
 * SUSE Linux Enterprise 16 is built for x86-64-v2.
 */
static const struct distro_rule distro_rules[] = {
	{ "rhel", 10, "x86-64-v3", "Enterprise Linux" },
	{ "rhel", 9, "x86-64-v2", "Enterprise Linux" },
	{ "centos", 10, "x86-64-v3", "Enterprise Linux" },
	{ "centos", 9, "x86-64-v2", "Enterprise Linux" },
	{ "rocky", 10, "x86-64-v3", "Enterprise Linux" },
	{ "rocky", 9, "x86-64-v2", "Enterprise Linux" },
	{ "almalinux", 10, "x86-64-v3", "Enterprise Linux" },
	{ "almalinux", 9, "x86-64-v2", "Enterprise Linux" },
	{ "ol", 10, "x86-64-v3", "Enterprise Linux" },
	{ "ol", 9, "x86-64-v2", "Enterprise Linux" },
	{ "sles", 16, "x86-64-v2", "SUSE Linux Enterprise" },
	{ NULL }
};

const struct distro_rule *distro_rules_table(void)
{
	return distro_rules;
}

/*
 * The value of @key in os-release text @text, unquoted, in @buf; false if
 * there is none.
 */
bool os_release_value(const char *text, const char *key, char *buf,
		      size_t size)
{
	size_t klen = strlen(key), n;
	const char *p, *v, *eol;

	for (p = text; *p; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		v = p + klen + 1;
		n = eol - v;
		if (n >= 2 && (*v == '"' || *v == '\'') && v[n - 1] == *v) {
			v++;
			n -= 2;
		}
		if (n >= size)
			return false;
		memcpy(buf, v, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

/*
 * The rule of distro_rules[] for os-release text @text, or NULL; its major
 * version in @major.
 */
const struct distro_rule *distro_rule(const char *text, int *major)
{
	const struct distro_rule *r;
	char id[64], version[64];

	if (!os_release_value(text, "ID", id, sizeof(id)) ||
	    !os_release_value(text, "VERSION_ID", version, sizeof(version)) ||
	    !isdigit((unsigned char)*version))
		return NULL;
	*major = atoi(version);
	for (r = distro_rules; r->id; r++)
		if (!strcmp(r->id, id) && *major >= r->major)
			return r;
	return NULL;
}

void spec_init(struct spec *s)
{
	memset(s, 0, sizeof(*s));
}

void spec_free(struct spec *s)
{
	fs_free(&s->allow);
	fs_free(&s->plus);
	fs_free(&s->minus);
	spec_init(s);
}

static int spec_word(struct spec *s, const char *arch, const char *w,
		     load_fn load, char *err)
{
	const struct preset *p;
	struct machine m;

	if (!strcmp(w, "max")) {
		s->max = true;
		return 0;
	}
	if (*w == '+' || *w == '-') {
		struct featset *to = *w == '+' ? &s->plus : &s->minus;
		struct featset *other = *w == '+' ? &s->minus : &s->plus;

		if (!valid_name(w + 1)) {
			seterr(err, "invalid feature name \"%s\" in \"%s\"",
			       w + 1, w);
			return -1;
		}
		if (fs_has(other, w + 1)) {
			seterr(err, "\"%s\" is both allowed and disallowed",
			       w + 1);
			return -1;
		}
		fs_add(to, w + 1);
		return 0;
	}
	s->list = true;
	if (strchr(w, '/')) {
		if (load(w, &m, err))
			return -1;
		if (strcmp(m.arch, arch)) {
			seterr(err, "%s: saved on %s, not %s", w, m.arch, arch);
			machine_free(&m);
			return -1;
		}
		fs_add_all(&s->allow, &m.feat);
		machine_free(&m);
		return 0;
	}
	p = find_preset(w);
	if (p) {
		if (strcmp(p->arch, arch)) {
			seterr(err, "preset %s is for %s, not %s", w, p->arch,
			       arch);
			return -1;
		}
		preset_features(p, &s->allow);
		return 0;
	}
	if (!valid_name(w)) {
		seterr(err,
		       "\"%s\" is neither a feature name, a preset, \"max\", +NAME, -NAME nor a file (a path with a '/')",
		       w);
		return -1;
	}
	fs_add(&s->allow, w);
	return 0;
}

/*
 * Parse the words of a spec (each argument may hold several, separated by
 * white space).  Files are loaded with @load.
 */
int spec_parse(struct spec *s, const char *arch, char **words, int nr,
	       load_fn load, char *err)
{
	struct featset all;
	size_t i;
	int n;

	fs_init(&all);
	for (n = 0; n < nr; n++)
		fs_add_words(&all, words[n]);
	if (!all.nr) {
		seterr(err, "empty spec");
		fs_free(&all);
		return -1;
	}
	for (i = 0; i < all.nr; i++) {
		if (spec_word(s, arch, all.names[i], load, err)) {
			fs_free(&all);
			return -1;
		}
	}
	fs_free(&all);
	if (s->max && s->list) {
		seterr(err, "\"max\" cannot be combined with feature names, presets or files");
		return -1;
	}
	return 0;
}

/*
 * What to write to cpufeat.hwcap, or NULL with a message in @err.
 * @machine: the machine's features, the base of "max -NAME".
 */
char *spec_render(const struct spec *s, const struct featset *machine,
		  char *err)
{
	struct featset res;
	char *out;
	size_t i, len;

	if (!s->max && !s->list) {
		/* edits only: the kernel applies them to the setting */
		len = 1;
		for (i = 0; i < s->plus.nr; i++)
			len += strlen(s->plus.names[i]) + 2;
		for (i = 0; i < s->minus.nr; i++)
			len += strlen(s->minus.names[i]) + 2;
		out = xrealloc(NULL, len);
		*out = '\0';
		for (i = 0; i < s->plus.nr; i++)
			sprintf(out + strlen(out), "%s+%s", *out ? " " : "",
				s->plus.names[i]);
		for (i = 0; i < s->minus.nr; i++)
			sprintf(out + strlen(out), "%s-%s", *out ? " " : "",
				s->minus.names[i]);
		return out;
	}
	if (s->max && !s->plus.nr && !s->minus.nr)
		return xstrdup("max");
	fs_init(&res);
	fs_copy(&res, s->max ? machine : &s->allow);
	fs_add_all(&res, &s->plus);
	fs_minus(&res, &s->minus);
	if (!res.nr) {
		seterr(err, "the spec allows no feature at all");
		fs_free(&res);
		return NULL;
	}
	out = fs_join(&res);
	fs_free(&res);
	return out;
}

/* Order @fs as @order lists its names; names @order lacks go last. */
void fs_order(struct featset *fs, const struct featset *order)
{
	struct featset res;

	fs_init(&res);
	fs_copy(&res, order);
	fs_intersect(&res, fs);
	fs_add_all(&res, fs);
	fs_free(fs);
	*fs = res;
}

/*
 * The names cpufeat.hwcap accepts on @arch, in the kernel's order: those
 * of the feature table (classes.c) and any other name the machine has
 * (a newer kernel's).
 */
void kernel_names(const char *arch, const struct featset *machine,
		  struct featset *known)
{
	const struct feat_info *f;
	size_t nr, i;

	fs_free(known);
	f = arch_features(arch, &nr);
	for (i = 0; i < nr; i++)
		if (f[i].cpufeat)
			fs_add(known, f[i].name);
	fs_add_all(known, machine);
}

void hwcap_init(struct hwcap_setting *s)
{
	s->max = true;
	fs_init(&s->allowed);
}

void hwcap_free(struct hwcap_setting *s)
{
	fs_free(&s->allowed);
	hwcap_init(s);
}

/* A setting as cpufeat.hwcap reads: "max" or the allowed names. */
void hwcap_read(struct hwcap_setting *s, const char *text)
{
	hwcap_free(s);
	fs_add_words(&s->allowed, text);
	s->max = s->allowed.nr == 1 && !strcmp(s->allowed.names[0], "max");
	if (s->max)
		fs_free(&s->allowed);
}

/* @s as cpufeat.hwcap shows it, without the newline; the caller frees it. */
char *hwcap_show(const struct hwcap_setting *s)
{
	return s->max ? xstrdup("max") : fs_join(&s->allowed);
}

/*
 * What the kernel does with a write(2) of @len bytes of @buf to
 * cpufeat.hwcap (kernel/cgroup/cpufeat.c: cpufeat_hwcap_write() and
 * cpufeat_parse(); kernfs for the size): "max"; names, the allowed set
 * becoming exactly those; or +name/-name edits of the current setting.
 * @known: the names the kernel accepts, in its order (kernel_names()).
 *
 * A write of no bytes succeeds and changes nothing (cgroup_file_write()).
 * Returns 0 with @s replaced by the new setting, -E2BIG for more than
 * HWCAP_MAX_WRITE bytes, or -EINVAL, @s unchanged, for a NUL byte, nothing
 * but white space, "max" with other words, names mixed with edits, an
 * unknown or repeated name, or a result that allows nothing.  @why (ERRLEN
 * bytes, or NULL) says what was wrong.
 */
int hwcap_apply(const char *buf, size_t len, const struct featset *known,
		struct hwcap_setting *s, char *why)
{
	enum { NOTHING, MAX, NAMES, EDITS } form = NOTHING;
	struct featset allowed, seen;
	const char *p = buf, *end = buf + len, *q, *name;
	char word[80], dummy[ERRLEN];
	int err = -EINVAL;
	char op;

	why = why ? why : dummy;
	*why = '\0';
	/* cgroup_file_write() returns 0 for 0 bytes before any handler */
	if (!len)
		return 0;
	if (len > HWCAP_MAX_WRITE) {
		seterr(why, "longer than %d bytes", HWCAP_MAX_WRITE);
		return -E2BIG;
	}
	if (memchr(buf, '\0', len)) {
		seterr(why, "a NUL byte");
		return -EINVAL;
	}
	fs_init(&allowed);
	fs_init(&seen);
	fs_copy(&allowed, s->max ? known : &s->allowed);
	for (;;) {
		while (p < end && strchr(HWCAP_SEPARATORS, *p))
			p++;
		if (p == end)
			break;
		for (q = p; q < end && !strchr(HWCAP_SEPARATORS, *q); q++)
			;
		if (form == MAX) {
			seterr(why, "\"max\" with other words");
			goto out;
		}
		if ((size_t)(q - p) >= sizeof(word)) {
			seterr(why, "unknown feature name \"%.20s...\"", p);
			goto out;
		}
		memcpy(word, p, q - p);
		word[q - p] = '\0';
		p = q;
		if (!strcmp(word, "max")) {
			if (form != NOTHING) {
				seterr(why, "\"max\" with other words");
				goto out;
			}
			form = MAX;
			continue;
		}
		op = *word == '+' || *word == '-' ? *word : 0;
		name = word + !!op;
		if (form == NOTHING) {
			form = op ? EDITS : NAMES;
			if (form == NAMES)
				fs_free(&allowed);
		} else if ((form == EDITS) != !!op) {
			seterr(why, "names mixed with +/- edits (\"%s\")", word);
			goto out;
		}
		if (!fs_has(known, name)) {
			seterr(why, "unknown feature name \"%s\"", name);
			goto out;
		}
		if (fs_has(&seen, name)) {
			seterr(why, "\"%s\" given twice", name);
			goto out;
		}
		fs_add(&seen, name);
		if (op == '-')
			fs_del(&allowed, name);
		else
			fs_add(&allowed, name);
	}
	if (form == NOTHING) {
		seterr(why, "nothing but white space");
		goto out;
	}
	if (form != MAX && !allowed.nr) {
		seterr(why, "nothing left to allow");
		goto out;
	}
	hwcap_free(s);
	s->max = form == MAX || allowed.nr == known->nr;
	if (!s->max) {
		fs_order(&allowed, known);
		fs_copy(&s->allowed, &allowed);
	}
	err = 0;
out:
	fs_free(&allowed);
	fs_free(&seen);
	return err;
}

/*
 * The effective set of a cgroup with setting @s below a parent whose
 * effective set is @parent_eff, in the parent's order, ignoring the
 * kernel's feature dependencies (which only hide more).
 */
void hwcap_effective(const struct hwcap_setting *s,
		     const struct featset *parent_eff, struct featset *out)
{
	fs_copy(out, parent_eff);
	if (!s->max)
		fs_intersect(out, &s->allowed);
}

/*
 * The features of preset @level that the machine has but @allowed lacks:
 * what programs built for @level would miss.
 */
void baseline_missing(const char *level, const struct featset *machine,
		      const struct featset *allowed, struct featset *missing)
{
	const struct preset *p = find_preset(level);
	struct featset need;
	size_t i;

	fs_free(missing);
	if (!p)
		return;
	fs_init(&need);
	preset_features(p, &need);
	for (i = 0; i < need.nr; i++)
		if (fs_has(machine, need.names[i]) &&
		    !fs_has(allowed, need.names[i]))
			fs_add(missing, need.names[i]);
	fs_free(&need);
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

#define PT_NOTE_		4
#define PT_GNU_PROPERTY_	0x6474e553
#define NT_GNU_PROPERTY_TYPE_0_	5
#define ISA_1_NEEDED		0xc0008002

/*
 * The ISA_1_NEEDED bits of the notes in [p, end), or -1.  @align: the
 * segment's alignment, 8 for GNU property notes of 64-bit files.
 */
static int notes_isa_needed(const unsigned char *p, const unsigned char *end,
			    uint64_t align)
{
	uint32_t namesz, descsz, type, prtype, prsz;
	const unsigned char *desc, *q, *dend, *note;

	while (end - p >= 12) {
		note = p;
		namesz = get32(p);
		descsz = get32(p + 4);
		type = get32(p + 8);
		p += 12;
		if (namesz > (size_t)(end - p))
			return -1;
		desc = note + ((12 + namesz + align - 1) & ~(align - 1));
		if (desc > end || descsz > (size_t)(end - desc))
			return -1;
		if (type == NT_GNU_PROPERTY_TYPE_0_ && namesz == 4 &&
		    !memcmp(p, "GNU", 4)) {
			dend = desc + descsz;
			if (dend > end)
				return -1;
			for (q = desc; dend - q >= 8;) {
				prtype = get32(q);
				prsz = get32(q + 4);
				q += 8;
				if (prsz > (size_t)(dend - q))
					return -1;
				if (prtype == ISA_1_NEEDED && prsz >= 4)
					return get32(q);
				q += (prsz + 7) & ~7u;
			}
		}
		p = desc + ((descsz + align - 1) & ~(align - 1));
	}
	return -1;
}

/*
 * The GNU_PROPERTY_X86_ISA_1_NEEDED bits of a 64-bit little-endian ELF
 * file (glibc marks its dynamic loader with the level it was built for),
 * or -1 when there is none.
 */
int elf_isa_needed(const unsigned char *buf, size_t len)
{
	uint64_t phoff, off, sz, align;
	unsigned int phentsize, phnum, i;
	const unsigned char *ph;
	uint32_t type;
	int r, v;

	if (len < 64 || memcmp(buf, "\177ELF", 4) || buf[4] != 2 ||
	    buf[5] != 1)
		return -1;
	phoff = get64(buf + 32);
	phentsize = buf[54] | buf[55] << 8;
	phnum = buf[56] | buf[57] << 8;
	if (phentsize < 56 || phoff > len ||
	    (uint64_t)phnum * phentsize > len - phoff)
		return -1;
	/* PT_GNU_PROPERTY first, then any PT_NOTE */
	for (r = 0; r < 2; r++) {
		for (i = 0; i < phnum; i++) {
			ph = buf + phoff + (uint64_t)i * phentsize;
			type = get32(ph);
			if (type != (r ? PT_NOTE_ : PT_GNU_PROPERTY_))
				continue;
			off = get64(ph + 8);
			sz = get64(ph + 32);
			if (off > len || sz > len - off)
				continue;
			align = get64(ph + 48) == 8 ? 8 : 4;
			v = notes_isa_needed(buf + off, buf + off + sz, align);
			if (v >= 0)
				return v;
		}
	}
	return -1;
}

/* The highest level in an ISA_1_NEEDED mask. */
const char *isa_level_name(int mask)
{
	if (mask < 0)
		return NULL;
	if (mask & 8)
		return "x86-64-v4";
	if (mask & 4)
		return "x86-64-v3";
	if (mask & 2)
		return "x86-64-v2";
	return "x86-64-v1";
}
