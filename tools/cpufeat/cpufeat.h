/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpufeat: the pure logic of the cpufeat tool (feature sets, the saved-file
 * format, presets, spec composition, ISA baseline checks), shared by the
 * tool (cpufeat.c) and its host-side unit tests (tests/unit.c).
 */
#ifndef CPUFEAT_H
#define CPUFEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses, see cpufeat.8. */
#define EXIT_OK		0
#define EXIT_MISSING	1	/* check: something is missing */
#define EXIT_USAGE	2	/* bad arguments, spec or file */
#define EXIT_SYSTEM	3	/* the kernel or a file said no */
#define EXIT_RUN	125	/* run: cpufeat itself failed */

#define ERRLEN		512

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* An ordered set of feature names, without duplicates. */
struct featset {
	char **names;
	size_t nr;
	size_t alloc;
};

void fs_init(struct featset *fs);
void fs_free(struct featset *fs);
bool fs_has(const struct featset *fs, const char *name);
void fs_add(struct featset *fs, const char *name);
void fs_del(struct featset *fs, const char *name);
void fs_copy(struct featset *dst, const struct featset *src);
void fs_add_all(struct featset *dst, const struct featset *src);
void fs_intersect(struct featset *fs, const struct featset *with);
void fs_minus(struct featset *fs, const struct featset *without);
void fs_add_words(struct featset *fs, const char *text);
char *fs_join(const struct featset *fs);
bool valid_name(const char *name);

/* A machine's feature set as saved by "cpufeat list --save". */
struct machine {
	char *arch;
	char *kernel;
	char *cpu;
	struct featset feat;
};

#define SAVED_MAGIC	"cpufeat-features"
#define SAVED_VERSION	1

void machine_init(struct machine *m);
void machine_free(struct machine *m);
int parse_saved(const char *text, const char *fname, struct machine *m,
		char *err);
int write_saved(FILE *f, const struct machine *m);

/* Presets: named feature levels of one architecture. */
struct preset {
	const char *arch;
	const char *name;
	const char *base;	/* the preset this one extends, or NULL */
	const char *adds;	/* feature names it adds */
	const char *desc;
};

extern const struct preset presets[];
const struct preset *find_preset(const char *name);
void preset_features(const struct preset *p, struct featset *fs);
const char *arch_baseline(const char *arch);

/* A distribution whose programs need an ISA level above the baseline. */
struct distro_rule {
	const char *id;		/* os-release ID */
	int major;		/* from this VERSION_ID on */
	const char *level;	/* a preset */
	const char *name;
};

bool os_release_value(const char *text, const char *key, char *buf,
		      size_t size);
const struct distro_rule *distro_rule(const char *text, int *major);
const struct distro_rule *distro_rules_table(void);

/* A spec: what "set" and "run" write to cpufeat.hwcap. */
struct spec {
	bool max;
	bool list;		/* names, presets or files given */
	struct featset allow;
	struct featset plus;
	struct featset minus;
};

typedef int (*load_fn)(const char *path, struct machine *m, char *err);

void spec_init(struct spec *s);
void spec_free(struct spec *s);
int spec_parse(struct spec *s, const char *arch, char **words, int nr,
	       load_fn load, char *err);
char *spec_render(const struct spec *s, const struct featset *machine,
		  char *err);

/* Feature classes: what a missing feature means for a moved program. */
enum feat_class {
	FC_UNKNOWN,	/* a name the table does not have */
	FC_ISA,		/* instruction-set extension: refuse */
	FC_HINT,	/* performance hint, unobservable behaviour: note */
	FC_KERNEL,	/* kernel or virtualisation only: ignore */
	FC_STATE,	/* carries state a restore cannot recreate: refuse */
	FC_NR
};

struct feat_info {
	const char *name;
	enum feat_class cls;
	bool cpufeat;		/* cpufeat.hwcap accepts it */
};

const struct feat_info *arch_features(const char *arch, size_t *nr);
const struct feat_info *feat_info(const char *arch, const char *name);
enum feat_class feat_class(const char *arch, const char *name);
const char *class_name(enum feat_class c);

/* What a target lacks of a wanted set, by class. */
struct check_result {
	struct featset missing[FC_NR];	/* in the wanted set's order */
	struct featset refused;		/* isa, state, unknown (all: strict) */
};

void check_missing(const char *arch, const struct featset *want,
		   const struct featset *have, bool strict,
		   struct check_result *r);
void check_free(struct check_result *r);

/* The kernel's side of cpufeat.hwcap, as the tool predicts it. */
#define HWCAP_MAX_WRITE		8192
#define HWCAP_SEPARATORS	" \t\n"

struct hwcap_setting {
	bool max;
	struct featset allowed;	/* when !max, in the kernel's order */
};

void fs_order(struct featset *fs, const struct featset *order);
void kernel_names(const char *arch, const struct featset *machine,
		  struct featset *known);
void hwcap_init(struct hwcap_setting *s);
void hwcap_free(struct hwcap_setting *s);
void hwcap_read(struct hwcap_setting *s, const char *text);
char *hwcap_show(const struct hwcap_setting *s);
int hwcap_apply(const char *buf, size_t len, const struct featset *known,
		struct hwcap_setting *s, char *why);
void hwcap_effective(const struct hwcap_setting *s,
		     const struct featset *parent_eff, struct featset *out);
void baseline_missing(const char *level, const struct featset *machine,
		      const struct featset *allowed, struct featset *missing);

/* JSON output (--json): one document on one line. */
#define JW_MAX_DEPTH	16

struct jw {
	FILE *f;
	int depth;
	unsigned int count[JW_MAX_DEPTH];	/* values so far per level */
};

void jw_init(struct jw *w, FILE *f);
void jw_object(struct jw *w, const char *key);
void jw_array(struct jw *w, const char *key);
void jw_end(struct jw *w, char c);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_int(struct jw *w, const char *key, long long val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_names(struct jw *w, const char *key, const struct featset *fs);

/* JSON input: a parsed document. */
#define JSON_MAX_DEPTH	64

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	bool boolean;
	double number;
	char *str;
	struct jv **items;	/* array elements, object values */
	char **keys;		/* object keys */
	size_t nr, alloc;
};

struct jv *json_parse(const char *text, char *err);
void jv_free(struct jv *v);
const struct jv *jv_get(const struct jv *v, const char *key);
const char *jv_str(const struct jv *v);

/* Kubernetes Node Feature Discovery labels (nfd.c). */
struct nfd_flag {
	const char *nfd;	/* the label's FLAG */
	const char *kernel;	/* the /proc/cpuinfo name */
};

struct nfd_node {
	char *name;
	char *arch;
	char *kernel;
	struct featset feat;		/* labelled, or implied by a level */
	struct featset unmapped;	/* FLAGs without a name cpufeat takes */
	struct featset undecided;	/* never labelled, not implied */
};

const struct nfd_flag *nfd_flags_table(void);
const char * const *nfd_unlabelled_table(void);
const char *nfd_kernel_name(const char *arch, const char *flag, char *buf);
int nfd_nodes(const struct jv *doc, struct nfd_node **nodes, char *err);
void nfd_node_free(struct nfd_node *n);

/* The record of "cpufeat criu-hook" in a CRIU image directory (record.c). */
#define CRIU_MAGIC	"cpufeat-criu"
#define CRIU_VERSION	1
#define CRIU_RECORD	"cpufeat-criu.txt"
#define CRIU_HOOK_LINK	"cpufeat-criu-hook"	/* cpufeat as criu-hook */

struct criu_proc {
	long nspid;		/* its process id in its own PID namespace */
	bool has_view;		/* false: no program (a zombie) */
	struct featset view;
};

struct criu_record {
	char *arch;
	char *kernel;
	char *cpu;
	struct featset machine;	/* the dumping machine's features */
	struct criu_proc *procs;
	size_t nr;
};

void record_init(struct criu_record *r);
void record_free(struct criu_record *r);
void record_add(struct criu_record *r, long nspid, const struct featset *view);
struct criu_proc *record_find(const struct criu_record *r, long nspid);
int write_record(FILE *f, const struct criu_record *r);
int parse_record(const char *text, const char *fname, struct criu_record *r,
		 char *err);
void record_check(const struct criu_record *r, const char *arch,
		  const struct featset *target, bool strict,
		  struct check_result *res);

/* glibc's x86 ISA level marking (GNU_PROPERTY_X86_ISA_1_NEEDED). */
int elf_isa_needed(const unsigned char *buf, size_t len);
const char *isa_level_name(int mask);

char *xstrdup(const char *s);
void *xrealloc(void *p, size_t n);

/*
 * The system side (cpufeat.c), shared with criu.c; not in the unit tests.
 */
struct opt {
	const char *lng;
	char shrt;
	bool arg;
	const char **val;
	bool *flag;
};

extern bool quiet;

void die(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sysroot(void);
char *sys_path(const char *path);
int read_text(const char *path, char **out);
const char *this_arch(void);
void machine_features(struct featset *fs);
void read_view(const char *pid, struct featset *fs);
char *cpu_model(void);
int parse_opts(int argc, char **argv, int i, struct opt *opts,
	       bool operands_may_dash);
int cmd_criu_hook(int argc, char **argv);

#endif /* CPUFEAT_H */
