// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat: list, save, compare and set the CPU features that the cpufeat
 * cgroup controller lets programs see.  See cpufeat.8 and
 * Documentation/admin-guide/cgroup-v2-cpufeat.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cpufeat.h"

static const char usage_text[] =
"usage: cpufeat list [--all] [--save FILE] [--json]\n"
"       cpufeat show [--hidden] [--json] [PID]\n"
"       cpufeat baseline [--save FILE] [--json] FILE|PRESET|NODES...\n"
"       cpufeat check [--pid PID] [--quiet] [--strict] [--json] FILE|PRESET\n"
"       cpufeat set [--dry-run|--predict] [--create] [--quiet] [--isa PRESET] CGROUP SPEC...\n"
"       cpufeat set --raw [--dry-run|--predict] [--create] [--quiet] CGROUP VALUE\n"
"       cpufeat run [--cgroup CGROUP] [--exec] [--quiet] [--isa PRESET] SPEC... -- COMMAND [ARG]...\n"
"       cpufeat presets [--json] [PRESET]\n"
"       cpufeat classes [--json] [NAME]...\n"
"       cpufeat criu-hook [--images DIR] [--strict] [--quiet] [ACTION]\n"
"       cpufeat help\n"
"\n"
"Show and set the CPU features the cpufeat cgroup controller lets programs\n"
"see (Documentation/admin-guide/cgroup-v2-cpufeat.rst).\n"
"\n"
"  list       the machine's features, one a line, \"NAME hidden\" for those\n"
"             the calling process does not see; --all adds the names of the\n"
"             presets that this machine lacks (\"NAME absent\"); --save FILE\n"
"             (\"-\": stdout) saves the machine's features with its arch,\n"
"             kernel and CPU model instead\n"
"  show       the view of process PID (default: cpufeat itself), the\n"
"             features it was told about when it was executed, on one line;\n"
"             --hidden: the machine's features it was not told about\n"
"  baseline   the features every FILE (saved with list --save), PRESET and\n"
"             node of NODES (kubectl get nodes -o json, NFD labels; \"-\":\n"
"             stdin) has, on one line, ready for cpufeat.hwcap; all must be\n"
"             of the same architecture; --save FILE saves the result instead\n"
"  check      exit 0 if this machine (--pid: process PID's view) has every\n"
"             instruction set and state of FILE or PRESET, 1 and list what\n"
"             is missing if not; missing hints are noted, kernel-only\n"
"             features ignored (--strict: every feature counts)\n"
"  set        write SPEC to CGROUP's cpufeat.hwcap, enabling cpufeat in the\n"
"             cgroup.subtree_control of every ancestor that lacks it;\n"
"             --create makes CGROUP (and missing parents) first; --dry-run\n"
"             prints what would be written and changes nothing; --predict\n"
"             prints what the kernel will do with it instead (write,\n"
"             result, reason, setting, effective); --raw writes VALUE\n"
"             verbatim, in the kernel's syntax\n"
"  run        run COMMAND in a new cgroup set to SPEC: CGROUP if given, else\n"
"             cpufeat-run.PID next to the caller's cgroup (in the root\n"
"             cgroup if the caller is there); wait for it, remove the new\n"
"             cgroup and exit with COMMAND's status; --exec: execute\n"
"             COMMAND in place of cpufeat and leave the cgroup\n"
"  presets    the preset names of this architecture, or PRESET's features\n"
"  classes    \"NAME CLASS KIND\" for every feature name of this architecture\n"
"             (or the NAMEs): CLASS isa, hint, kernel or state (see check),\n"
"             KIND cpufeat (cpufeat.hwcap takes it) or cpuinfo\n"
"  criu-hook  a CRIU action script (criu --action-script PATH, PATH a link\n"
"             named cpufeat-criu-hook to cpufeat):\n"
"             post-dump records every dumped process's view in the image\n"
"             directory, pre-restore refuses a machine that lacks what they\n"
"             were told about, post-restore checks the restored views\n"
"\n"
"CGROUP is a path in the cgroup2 hierarchy (\"/a/b\", \"a/b\" or\n"
"\"/sys/fs/cgroup/a/b\").  SPEC is one or more words:\n"
"  max            every feature\n"
"  NAME           allow this feature\n"
"  PRESET         allow the features of a preset (x86-64-v2, armv8.2-a...)\n"
"  FILE           allow the features of a saved set (a word with a '/')\n"
"  +NAME, -NAME   allow or hide one more feature\n"
"Names, presets and files allow only what they list, +/-NAME edit that\n"
"list; \"max -NAME\" edits the machine's features; +/-NAME alone edit the\n"
"cgroup's current setting.  set and run warn when SPEC hides features of\n"
"the ISA level the system's C library needs (autodetected; --isa PRESET\n"
"overrides).  --quiet: no warnings, no \"ok\" line.  --json: one JSON document\n"
"(keys in cpufeat(8)).\n"
"\n"
"Exit status: 0 success; 1 check: features missing, or baseline: nothing\n"
"in common; 2 usage error, malformed file or spec; 3 system error (no\n"
"cpufeat, permission, the kernel rejected a write).  run: COMMAND's\n"
"status, 128+N if it was killed by signal N, 125 if cpufeat failed, 126\n"
"if COMMAND could not be executed, 127 if it was not found.\n";

static const char *progname = "cpufeat";
static int sys_exit = EXIT_SYSTEM;	/* run: EXIT_RUN */
bool quiet;
static bool json;

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	fprintf(stderr, "%s: warning: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'cpufeat help'.\n");
	exit(sys_exit == EXIT_RUN ? EXIT_RUN : EXIT_USAGE);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xrealloc(NULL, n + 1);
	va_start(ap, fmt);
	vsnprintf(s, n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/*
 * CPUFEAT_SYSROOT (for tests) prefixes /proc, /sys, /etc and /lib paths and
 * makes the cgroup2 mount SYSROOT/sys/fs/cgroup.
 */
const char *sysroot(void)
{
	const char *r = getenv("CPUFEAT_SYSROOT");

	return r ? r : "";
}

char *sys_path(const char *path)
{
	return xasprintf("%s%s", sysroot(), path);
}

/* Read a whole file; returns 0 or -errno. */
int read_text(const char *path, char **out)
{
	size_t len = 0, alloc = 4096;
	char *buf;
	ssize_t n;
	int fd, err;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return -errno;
	buf = xrealloc(NULL, alloc);
	for (;;) {
		if (len + 1 >= alloc) {
			if (alloc >= (64 << 20)) {
				err = -EFBIG;
				goto fail;
			}
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto fail;
		}
		if (!n)
			break;
		len += n;
	}
	if (fd)
		close(fd);
	if (memchr(buf, '\0', len)) {
		free(buf);
		return -EILSEQ;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
fail:
	if (fd)
		close(fd);
	free(buf);
	return err;
}

/* One write(2) of the whole string, as cgroup files want; 0 or -errno. */
static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(s))
		err = -EIO;
	close(fd);
	return err;
}

static bool has_word(const char *text, const char *word)
{
	struct featset fs;
	bool ret;

	fs_init(&fs);
	fs_add_words(&fs, text);
	ret = fs_has(&fs, word);
	fs_free(&fs);
	return ret;
}

const char *this_arch(void)
{
	static struct utsname u;
	const char *a = getenv("CPUFEAT_ARCH");

	if (a)
		return a;
	if (uname(&u))
		die(EXIT_SYSTEM, "uname: %s", strerror(errno));
	if (!strcmp(u.machine, "x86_64"))
		return "x86_64";
	if (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64"))
		return "arm64";
	die(EXIT_SYSTEM, "unsupported architecture %s (x86_64 and arm64 have cpufeat)",
	    u.machine);
	return NULL;
}

/* The cgroup2 mount point. */
static const char *cgroup_mount(void)
{
	static char *mnt;
	char *text, *line, *save, *sep, *f[5];
	int i;

	if (mnt)
		return mnt;
	if (*sysroot()) {
		mnt = sys_path("/sys/fs/cgroup");
		return mnt;
	}
	if (read_text("/proc/self/mountinfo", &text) == 0) {
		for (line = strtok_r(text, "\n", &save); line && !mnt;
		     line = strtok_r(NULL, "\n", &save)) {
			sep = strstr(line, " - ");
			if (!sep || strncmp(sep, " - cgroup2 ", 11))
				continue;
			f[0] = strtok(line, " ");
			for (i = 1; i < 5 && f[i - 1]; i++)
				f[i] = strtok(NULL, " ");
			if (f[4])
				mnt = xstrdup(f[4]);
		}
		free(text);
	}
	if (!mnt)
		mnt = xstrdup("/sys/fs/cgroup");
	return mnt;
}

/*
 * The machine's features: the root cgroup's cpufeat.hwcap.effective, or
 * /proc/1/cpufeat while cpufeat is not enabled in the root cgroup.
 */
void machine_features(struct featset *fs)
{
	const char *mnt = cgroup_mount();
	char *path, *text, *ctl;
	int err;

	path = xasprintf("%s/cpufeat.hwcap.effective", mnt);
	err = read_text(path, &text);
	free(path);
	if (err) {
		path = sys_path("/proc/1/cpufeat");
		err = read_text(path, &text);
		free(path);
	}
	if (err) {
		path = xasprintf("%s/cgroup.controllers", mnt);
		if (read_text(path, &ctl))
			die(EXIT_SYSTEM, "no cgroup2 hierarchy at %s", mnt);
		free(path);
		if (!has_word(ctl, "cpufeat"))
			die(EXIT_SYSTEM,
			    "this kernel has no cpufeat controller (CONFIG_CGROUP_CPUFEAT)");
		die(EXIT_SYSTEM,
		    "cannot read the machine's features: %s/cpufeat.hwcap.effective appears once cpufeat is enabled in the root cgroup (echo +cpufeat > %s/cgroup.subtree_control), /proc/1/cpufeat needs root",
		    mnt, mnt);
	}
	fs_init(fs);
	fs_add_words(fs, text);
	free(text);
}

/* Process @pid's view, from /proc/PID/cpufeat. */
void read_view(const char *pid, struct featset *fs)
{
	char *path = xasprintf("%s/proc/%s/cpufeat", sysroot(), pid);
	char *dir = xasprintf("%s/proc/%s", sysroot(), pid);
	struct stat st;
	char *text;
	int err;

	err = read_text(path, &text);
	if (err == -ENOENT && stat(dir, &st))
		die(EXIT_SYSTEM, "no process %s", pid);
	if (err == -ENOENT)
		die(EXIT_SYSTEM, "%s does not exist: this kernel has no cpufeat",
		    path);
	if (err == -EACCES || err == -EPERM)
		die(EXIT_SYSTEM,
		    "%s: permission denied (it needs ptrace read access to the process, as /proc/PID/auxv does)",
		    path);
	if (err)
		die(EXIT_SYSTEM, "%s: %s", path, strerror(-err));
	fs_init(fs);
	fs_add_words(fs, text);
	free(text);
	free(path);
	free(dir);
}

static int load_saved(const char *path, struct machine *m, char *err)
{
	char *text;
	int e = read_text(path, &text);

	if (e == -EILSEQ) {
		snprintf(err, ERRLEN, "%s: binary file, not a saved feature set",
			 path);
		return -1;
	}
	if (e) {
		snprintf(err, ERRLEN, "%s: %s", path, strerror(-e));
		return -1;
	}
	e = parse_saved(text, path, m, err);
	free(text);
	return e;
}

/* The CPU's model name, as /proc/cpuinfo has it. */
char *cpu_model(void)
{
	char *path = sys_path("/proc/cpuinfo"), *text, *p, *e;
	char *impl = NULL, *part = NULL, *res = NULL;
	static const char * const keys[] = {
		"model name", "CPU implementer", "CPU part",
	};
	unsigned int k;

	if (read_text(path, &text)) {
		free(path);
		return xstrdup("unknown");
	}
	free(path);
	for (p = text; *p && !res; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		for (k = 0; k < 3; k++) {
			size_t n = strlen(keys[k]);
			char *v;

			if (strncmp(p, keys[k], n) ||
			    (p[n] != ' ' && p[n] != '\t' && p[n] != ':'))
				continue;
			v = strchr(p, ':');
			if (!v || v > e)
				continue;
			v += 1 + strspn(v + 1, " \t");
			v = xasprintf("%.*s", (int)(e - v), v);
			if (k == 0)
				res = v;
			else if (k == 1 && !impl)
				impl = v;
			else if (k == 2 && !part)
				part = v;
			else
				free(v);
		}
	}
	free(text);
	if (!res && impl && part)
		res = xasprintf("implementer %s part %s", impl, part);
	free(impl);
	free(part);
	return res ? res : xstrdup("unknown");
}

/* Option parsing shared by the subcommands: only exact known options. */
/*
 * Parse options until the first operand; return its index.  With
 * @operands_may_dash, an unknown "-NAME" is an operand (a spec's edit).
 */
int parse_opts(int argc, char **argv, int i, struct opt *opts,
		      bool operands_may_dash)
{
	struct opt *o;
	const char *a, *eq;
	size_t n;

	for (; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-' || !a[1])
			return i;
		for (o = opts; o->lng; o++) {
			eq = strchr(a, '=');
			n = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
			if ((a[1] == '-' && n == strlen(o->lng) + 2 &&
			     !strncmp(a + 2, o->lng, n - 2)) ||
			    (o->shrt && a[1] == o->shrt && !a[2]))
				break;
		}
		if (!o->lng) {
			if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				fputs(usage_text, stdout);
				exit(EXIT_OK);
			}
			if (operands_may_dash && valid_name(a + 1))
				return i;
			usage_error("unknown option %s", a);
		}
		if (!o->arg) {
			if (eq && a[1] == '-')
				usage_error("option --%s takes no value",
					    o->lng);
			*o->flag = true;
		} else if (eq && a[1] == '-') {
			*o->val = eq + 1;
		} else {
			if (i + 1 >= argc)
				usage_error("option %s needs a value", a);
			*o->val = argv[++i];
		}
	}
	return i;
}

static int cmd_list(int argc, char **argv)
{
	const char *save = NULL;
	bool all = false;
	struct opt opts[] = {
		{ "all", 'a', false, NULL, &all },
		{ "save", 's', true, &save, NULL },
		{ "json", 'j', false, NULL, &json },
		{ NULL },
	};
	struct featset mach, view, extra, hidden;
	const struct preset *p;
	struct jw w;
	struct machine m;
	struct utsname u;
	size_t i;
	int first;

	first = parse_opts(argc, argv, 2, opts, false);
	if (first < argc)
		usage_error("list takes no operand");
	if (save && json)
		usage_error("list: --save and --json do not go together");
	machine_features(&mach);
	if (save) {
		FILE *f = strcmp(save, "-") ? fopen(save, "w") : stdout;

		if (!f)
			die(EXIT_SYSTEM, "%s: %s", save, strerror(errno));
		machine_init(&m);
		m.arch = xstrdup(this_arch());
		m.kernel = xstrdup(uname(&u) ? "unknown" : u.release);
		m.cpu = cpu_model();
		fs_copy(&m.feat, &mach);
		if (write_saved(f, &m) || (f != stdout && fclose(f)) ||
		    (f == stdout && fflush(f)))
			die(EXIT_SYSTEM, "%s: write error", save);
		machine_free(&m);
		fs_free(&mach);
		return EXIT_OK;
	}
	read_view("self", &view);
	fs_init(&extra);
	if (all) {
		for (p = presets; p->name; p++)
			if (!strcmp(p->arch, this_arch()))
				preset_features(p, &extra);
		fs_minus(&extra, &mach);
	}
	if (json) {
		fs_init(&hidden);
		fs_copy(&hidden, &mach);
		fs_minus(&hidden, &view);
		jw_init(&w, stdout);
		jw_object(&w, NULL);
		jw_str(&w, "arch", this_arch());
		jw_names(&w, "features", &mach);
		jw_names(&w, "hidden", &hidden);
		jw_names(&w, "absent", &extra);
		jw_end(&w, '}');
		fs_free(&hidden);
	} else {
		for (i = 0; i < mach.nr; i++)
			printf("%s%s\n", mach.names[i],
			       fs_has(&view, mach.names[i]) ? "" : " hidden");
		for (i = 0; i < extra.nr; i++)
			printf("%s absent\n", extra.names[i]);
	}
	fs_free(&extra);
	fs_free(&mach);
	fs_free(&view);
	return EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	bool hidden = false;
	struct opt opts[] = {
		{ "hidden", 0, false, NULL, &hidden },
		{ "json", 'j', false, NULL, &json },
		{ NULL },
	};
	struct featset view, mach;
	const char *pid = "self";
	struct jw w;
	char *s;
	int first;

	first = parse_opts(argc, argv, 2, opts, false);
	if (argc - first > 1)
		usage_error("show takes at most one PID");
	if (first < argc) {
		pid = argv[first];
		if (strcmp(pid, "self") &&
		    strspn(pid, "0123456789") != strlen(pid))
			usage_error("not a process id: \"%s\"", pid);
	}
	read_view(pid, &view);
	if (hidden) {
		machine_features(&mach);
		fs_minus(&mach, &view);
		fs_copy(&view, &mach);
		fs_free(&mach);
	}
	if (json) {
		jw_init(&w, stdout);
		jw_object(&w, NULL);
		jw_str(&w, "pid", pid);
		jw_bool(&w, "hidden", hidden);
		jw_names(&w, "features", &view);
		jw_end(&w, '}');
	} else {
		s = fs_join(&view);
		printf("%s\n", s);
		free(s);
	}
	fs_free(&view);
	return EXIT_OK;
}

/* What NFD node lists left open, over all operands. */
struct nfd_notes {
	struct featset unmapped;	/* label FLAGs without a kernel name */
	struct featset undecided;	/* features NFD does not label */
};

/*
 * The machines of operand @what: a preset, a saved file, or a node list
 * of "kubectl get nodes -o json" (a file, or "-": standard input).
 * Returns how many, in @ms.
 */
static size_t load_sets(const char *what, struct machine **ms,
			struct nfd_notes *notes)
{
	const struct preset *p = find_preset(what);
	struct nfd_node *nodes;
	struct featset order, none;
	char err[ERRLEN], *text;
	struct jv *doc;
	int e, nr, i;

	*ms = xrealloc(NULL, sizeof(**ms));
	machine_init(*ms);
	if (p && !strchr(what, '/')) {
		(*ms)->arch = xstrdup(p->arch);
		(*ms)->kernel = xstrdup("n/a");
		(*ms)->cpu = xasprintf("preset %s", p->name);
		preset_features(p, &(*ms)->feat);
		return 1;
	}
	if (strcmp(what, "-") && !strchr(what, '/') && access(what, F_OK))
		usage_error("%s: neither a file nor a preset (cpufeat presets lists them)",
			    what);
	e = read_text(what, &text);
	if (e)
		usage_error("%s: %s", what, e == -EILSEQ ?
			    "binary file, not a saved feature set" : strerror(-e));
	if (text[strspn(text, " \t\r\n")] != '{') {
		if (parse_saved(text, what, *ms, err))
			usage_error("%s", err);
		free(text);
		return 1;
	}
	doc = json_parse(text, err);
	free(text);
	if (!doc)
		usage_error("%s: not JSON: %s", what, err);
	nr = nfd_nodes(doc, &nodes, err);
	jv_free(doc);
	if (nr < 0)
		usage_error("%s: %s", what, err);
	*ms = xrealloc(*ms, nr * sizeof(**ms));
	for (i = 0; i < nr; i++) {
		machine_init(&(*ms)[i]);
		(*ms)[i].arch = xstrdup(nodes[i].arch);
		(*ms)[i].kernel = xstrdup(nodes[i].kernel);
		(*ms)[i].cpu = xasprintf("node %s (NFD labels)", nodes[i].name);
		fs_copy(&(*ms)[i].feat, &nodes[i].feat);
		/* in the kernel's order, as saved files are */
		fs_init(&order);
		fs_init(&none);
		kernel_names(nodes[i].arch, &none, &order);
		fs_order(&(*ms)[i].feat, &order);
		fs_free(&order);
		if (notes) {
			fs_add_all(&notes->unmapped, &nodes[i].unmapped);
			fs_add_all(&notes->undecided, &nodes[i].undecided);
		}
		nfd_node_free(&nodes[i]);
	}
	free(nodes);
	return nr;
}

/* A saved file or a preset, as a machine. */
static void load_set(const char *what, struct machine *m)
{
	struct machine *ms;
	size_t nr, i;

	nr = load_sets(what, &ms, NULL);
	if (nr != 1)
		usage_error("%s: %zu nodes; take their baseline first (cpufeat baseline --save)",
			    what, nr);
	*m = ms[0];
	for (i = 1; i < nr; i++)
		machine_free(&ms[i]);
	free(ms);
}

static int cmd_baseline(int argc, char **argv)
{
	const char *save = NULL;
	struct opt opts[] = {
		{ "save", 's', true, &save, NULL },
		{ "json", 'j', false, NULL, &json },
		{ NULL },
	};
	struct machine res, *ms;
	struct nfd_notes notes;
	struct featset sources;
	bool have = false;
	size_t nr, j;
	struct jw w;
	char *s, *names;
	int i, first;

	first = parse_opts(argc, argv, 2, opts, false);
	if (first >= argc)
		usage_error("baseline needs at least one FILE or PRESET");
	if (save && json)
		usage_error("baseline: --save and --json do not go together");
	fs_init(&notes.unmapped);
	fs_init(&notes.undecided);
	fs_init(&sources);
	machine_init(&res);
	for (i = first; i < argc; i++) {
		nr = load_sets(argv[i], &ms, &notes);
		for (j = 0; j < nr; j++) {
			if (!have) {
				res.arch = xstrdup(ms[j].arch);
				fs_copy(&res.feat, &ms[j].feat);
				have = true;
			} else if (strcmp(ms[j].arch, res.arch)) {
				usage_error("refusing to mix architectures: %s is %s, %s%s%s is %s%s",
					    argv[first], res.arch, argv[i],
					    nr > 1 ? " " : "", nr > 1 ? ms[j].cpu : "",
					    ms[j].arch, nr > 1 ?
					    " (kubectl get nodes -l kubernetes.io/arch=... selects one)" : "");
			} else {
				fs_intersect(&res.feat, &ms[j].feat);
			}
			machine_free(&ms[j]);
		}
		free(ms);
		fs_add(&sources, argv[i]);
	}
	fs_minus(&notes.undecided, &res.feat);
	names = xstrdup(sources.names[0]);
	for (j = 1; j < sources.nr; j++) {
		s = xasprintf("%s, %s", names, sources.names[j]);
		free(names);
		names = s;
	}
	if (json) {
		jw_init(&w, stdout);
		jw_object(&w, NULL);
		jw_str(&w, "arch", res.arch);
		jw_names(&w, "sources", &sources);
		jw_names(&w, "features", &res.feat);
		jw_names(&w, "nfd_unmapped", &notes.unmapped);
		jw_names(&w, "nfd_undecided", &notes.undecided);
		jw_end(&w, '}');
	}
	if (notes.unmapped.nr) {
		s = fs_join(&notes.unmapped);
		warn("NFD labels without a feature name cpufeat controls, not used: %s", s);
		free(s);
	}
	if (notes.undecided.nr) {
		s = fs_join(&notes.undecided);
		warn("NFD does not label %s (its default attributeBlacklist): left out unless a node's X86_64_V* label implies them; add with +NAME what every node has",
		     s);
		free(s);
	}
	if (!res.feat.nr)
		die(EXIT_MISSING, "%s have no feature in common", names);
	if (save) {
		FILE *f = strcmp(save, "-") ? fopen(save, "w") : stdout;

		if (!f)
			die(EXIT_SYSTEM, "%s: %s", save, strerror(errno));
		res.kernel = xstrdup("n/a");
		res.cpu = xasprintf("baseline of %s", names);
		if (write_saved(f, &res) || (f != stdout && fclose(f)))
			die(EXIT_SYSTEM, "%s: write error", save);
	} else if (!json) {
		s = fs_join(&res.feat);
		printf("%s\n", s);
		free(s);
	}
	free(names);
	fs_free(&sources);
	fs_free(&notes.unmapped);
	fs_free(&notes.undecided);
	machine_free(&res);
	return EXIT_OK;
}

/* What each class of missing feature means, for people. */
static const char * const class_verdicts[FC_NR] = {
	[FC_UNKNOWN] = "unknown: %s: not in cpufeat's feature table, taken for instruction sets",
	[FC_STATE] = "state: %s: a checkpoint holds their register state, which a CPU without them cannot restore",
	[FC_HINT] = "note: %s: performance hints, programs work without them",
	[FC_KERNEL] = "ignored: %s: for the kernel and hypervisors only",
};

/*
 * Print what @r means (after the "missing" line, when something is
 * refused); hints and ignored features only without --quiet.
 */
static void print_classes(FILE *f, const struct check_result *r)
{
	static const enum feat_class order[] = {
		FC_STATE, FC_UNKNOWN, FC_HINT, FC_KERNEL,
	};
	unsigned int i;
	char *s;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!r->missing[order[i]].nr ||
		    (quiet && (order[i] == FC_HINT || order[i] == FC_KERNEL)))
			continue;
		s = fs_join(&r->missing[order[i]]);
		fprintf(f, class_verdicts[order[i]], s);
		fputc('\n', f);
		free(s);
	}
}

static void json_classes(struct jw *w, const struct check_result *r)
{
	enum feat_class c;

	jw_names(w, "refused", &r->refused);
	jw_object(w, "missing");
	for (c = FC_UNKNOWN; c < FC_NR; c++)
		jw_names(w, class_name(c), &r->missing[c]);
	jw_end(w, '}');
}

/* The JSON object of "check", opened, with the keys every answer has. */
static void json_check_start(struct jw *w, const char *file,
			     const char *arch, const char *machine_arch)
{
	jw_init(w, stdout);
	jw_object(w, NULL);
	jw_str(w, "file", file);
	jw_str(w, "arch", arch);
	jw_str(w, "machine_arch", machine_arch);
}

static int cmd_check(int argc, char **argv)
{
	const char *pid = NULL;
	bool strict = false;
	struct opt opts[] = {
		{ "pid", 'p', true, &pid, NULL },
		{ "quiet", 'q', false, NULL, &quiet },
		{ "strict", 0, false, NULL, &strict },
		{ "json", 'j', false, NULL, &json },
		{ NULL },
	};
	struct check_result r;
	struct featset have;
	struct machine want;
	const char *arch;
	size_t nr_missing = 0;
	enum feat_class c;
	struct jw w;
	char *s;
	int first;

	first = parse_opts(argc, argv, 2, opts, false);
	if (argc - first != 1)
		usage_error("check needs one FILE or PRESET");
	load_set(argv[first], &want);
	arch = this_arch();
	if (strcmp(want.arch, arch)) {
		if (json) {
			json_check_start(&w, argv[first], want.arch, arch);
			jw_bool(&w, "ok", false);
			jw_end(&w, '}');
		} else {
			printf("%s is for %s, this machine is %s\n", argv[first],
			       want.arch, arch);
		}
		return EXIT_MISSING;
	}
	if (pid)
		read_view(pid, &have);
	else
		machine_features(&have);
	check_missing(arch, &want.feat, &have, strict, &r);
	for (c = 0; c < FC_NR; c++)
		nr_missing += r.missing[c].nr;
	if (json) {
		json_check_start(&w, argv[first], want.arch, arch);
		jw_str(&w, "target", pid ? "pid" : "machine");
		jw_str(&w, "pid", pid);
		jw_int(&w, "features", want.feat.nr);
		jw_bool(&w, "ok", !r.refused.nr);
		json_classes(&w, &r);
		jw_end(&w, '}');
	} else if (r.refused.nr) {
		s = fs_join(&r.refused);
		printf("missing %zu of the %zu features of %s: %s\n",
		       r.refused.nr, want.feat.nr, argv[first], s);
		free(s);
		print_classes(stdout, &r);
	} else if (!quiet) {
		if (nr_missing)
			printf("ok: %s has every feature of %s that programs need (%zu of %zu missing: hints, kernel-only)\n",
			       pid ? "the process's view" : "this machine",
			       argv[first], nr_missing, want.feat.nr);
		else
			printf("ok: %s has all %zu features of %s\n",
			       pid ? "the process's view" : "this machine",
			       want.feat.nr, argv[first]);
		print_classes(stdout, &r);
	}
	fs_free(&have);
	machine_free(&want);
	nr_missing = r.refused.nr;
	check_free(&r);
	return nr_missing ? EXIT_MISSING : EXIT_OK;
}

static void json_preset(struct jw *w, const struct preset *p)
{
	struct featset fs;

	fs_init(&fs);
	preset_features(p, &fs);
	jw_object(w, NULL);
	jw_str(w, "name", p->name);
	jw_str(w, "arch", p->arch);
	jw_str(w, "base", p->base);
	jw_str(w, "description", p->desc);
	jw_names(w, "features", &fs);
	jw_end(w, '}');
	fs_free(&fs);
}

static int cmd_presets(int argc, char **argv)
{
	struct opt opts[] = {
		{ "json", 'j', false, NULL, &json },
		{ NULL },
	};
	const struct preset *p;
	struct featset fs;
	struct jw w;
	int first;
	char *s;

	first = parse_opts(argc, argv, 2, opts, false);
	if (argc - first > 1)
		usage_error("presets takes at most one PRESET");
	jw_init(&w, stdout);
	if (argc - first == 1) {
		p = find_preset(argv[first]);
		if (!p)
			usage_error("no preset %s", argv[first]);
		if (json) {
			json_preset(&w, p);
			return EXIT_OK;
		}
		fs_init(&fs);
		preset_features(p, &fs);
		s = fs_join(&fs);
		printf("%s\n", s);
		free(s);
		fs_free(&fs);
		return EXIT_OK;
	}
	if (json) {
		jw_object(&w, NULL);
		jw_str(&w, "arch", this_arch());
		jw_array(&w, "presets");
	}
	for (p = presets; p->name; p++) {
		if (strcmp(p->arch, this_arch()))
			continue;
		if (json)
			json_preset(&w, p);
		else
			printf("%-10s %s\n", p->name, p->desc);
	}
	if (json) {
		jw_end(&w, ']');
		jw_end(&w, '}');
	}
	return EXIT_OK;
}

/* One feature of the table, as a line or in JSON. */
static void print_class(struct jw *w, const char *name,
			const struct feat_info *f)
{
	if (!json) {
		printf("%s %s %s\n", name, class_name(f ? f->cls : FC_UNKNOWN),
		       !f ? "-" : f->cpufeat ? "cpufeat" : "cpuinfo");
		return;
	}
	jw_object(w, NULL);
	jw_str(w, "name", name);
	jw_str(w, "class", class_name(f ? f->cls : FC_UNKNOWN));
	jw_str(w, "kind", !f ? NULL : f->cpufeat ? "cpufeat" : "cpuinfo");
	jw_end(w, '}');
}

/* classes: the feature table of this architecture (classes.c). */
static int cmd_classes(int argc, char **argv)
{
	const struct feat_info *f;
	const char *arch = this_arch();
	int first, i, status = EXIT_OK;
	struct opt opts[] = {
		{ "json", 'j', false, NULL, &json },
		{ NULL },
	};
	struct jw w;
	size_t nr, j;

	first = parse_opts(argc, argv, 2, opts, false);
	jw_init(&w, stdout);
	if (json) {
		jw_object(&w, NULL);
		jw_str(&w, "arch", arch);
		jw_array(&w, "features");
	}
	if (first == argc) {
		f = arch_features(arch, &nr);
		for (j = 0; j < nr; j++)
			print_class(&w, f[j].name, &f[j]);
	}
	for (i = first; i < argc; i++) {
		f = feat_info(arch, argv[i]);
		print_class(&w, argv[i], f);
		if (!f)
			status = EXIT_MISSING;
	}
	if (json) {
		jw_end(&w, ']');
		jw_end(&w, '}');
	}
	return status;
}

/* CGROUP as a path relative to the mount ("" for the root), normalised. */
static char *cgroup_rel(const char *arg)
{
	const char *mnt = cgroup_mount();
	size_t n = strlen(mnt);
	char *copy, *tok, *save, *out;

	if (!strncmp(arg, mnt, n) && (arg[n] == '/' || !arg[n])) {
		arg += n;
	} else if (*sysroot()) {
		/* the mount as the system under test names it */
		mnt += strlen(sysroot());
		n = strlen(mnt);
		if (!strncmp(arg, mnt, n) && (arg[n] == '/' || !arg[n]))
			arg += n;
	}
	copy = xstrdup(arg);
	out = xstrdup("");
	for (tok = strtok_r(copy, "/", &save); tok;
	     tok = strtok_r(NULL, "/", &save)) {
		char *t;

		if (!strcmp(tok, ".") || !strcmp(tok, ".."))
			usage_error("\"%s\": no \".\" or \"..\" in cgroup paths",
				    arg);
		t = xasprintf("%s%s%s", out, *out ? "/" : "", tok);
		free(out);
		out = t;
	}
	free(copy);
	return out;
}

static char *cg_file(const char *rel, const char *file)
{
	return xasprintf("%s%s%s/%s", cgroup_mount(), *rel ? "/" : "", rel,
			 file);
}

static char *cg_dir(const char *rel)
{
	return xasprintf("%s%s%s", cgroup_mount(), *rel ? "/" : "", rel);
}

static char *rel_parent(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash ? xasprintf("%.*s", (int)(slash - rel), rel) : xstrdup("");
}

/*
 * Enable cpufeat in the subtree_control of @rel and all its ancestors;
 * with @create, make the cgroups of @rel that are missing on the way.
 */
static void enable_down(const char *rel, bool dry_run, bool create)
{
	char *path, *text, *cur = xstrdup(""), *t;
	const char *p = rel, *q;
	struct stat st;
	int err;

	path = cg_file("", "cgroup.controllers");
	err = read_text(path, &text);
	if (err)
		die(sys_exit, "no cgroup2 hierarchy at %s: %s", cgroup_mount(),
		    strerror(-err));
	if (!has_word(text, "cpufeat"))
		die(sys_exit, "this kernel has no cpufeat controller (CONFIG_CGROUP_CPUFEAT)");
	free(text);
	free(path);
	for (;;) {
		path = cg_dir(cur);
		if (stat(path, &st) && dry_run) {
			/* would be created: nothing to read below */
			free(path);
			break;
		}
		if (stat(path, &st) && create && mkdir(path, 0755))
			die(sys_exit, "cannot create cgroup %s: %s", path,
			    strerror(errno));
		free(path);
		path = cg_file(cur, "cgroup.subtree_control");
		err = read_text(path, &text);
		if (err)
			die(sys_exit, "%s: %s", path, strerror(-err));
		if (!has_word(text, "cpufeat") && !dry_run) {
			err = write_text(path, "+cpufeat");
			if (err == -EBUSY)
				die(sys_exit,
				    "cannot enable cpufeat in %s: it has processes of its own, and a non-root cgroup with processes cannot enable controllers for its children (the cgroup v2 \"no internal processes\" rule); move them into a child cgroup first",
				    path);
			if (err == -EOPNOTSUPP)
				die(sys_exit,
				    "cannot enable cpufeat in %s: threaded cgroups cannot have it",
				    path);
			if (err)
				die(sys_exit, "cannot enable cpufeat in %s: %s",
				    path, strerror(-err));
		}
		free(text);
		free(path);
		if (!*p)
			break;
		q = p + strcspn(p, "/");
		t = xasprintf("%s%s%.*s", cur, *cur ? "/" : "", (int)(q - p), p);
		free(cur);
		cur = t;
		p = *q ? q + 1 : q;
	}
	free(cur);
}

/*
 * The ISA level the system's programs need: --isa, else the level glibc's
 * dynamic loader or libc.so.6 is marked with, else one a distribution is known to
 * require, else the architecture's baseline.  @why says where it came from.
 */
static const char *distro_level(const char *arch, const char *isa,
				char **why)
{
	static const char * const loaders[] = {
		"/lib64/ld-linux-x86-64.so.2",
		"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		"/usr/lib64/ld-linux-x86-64.so.2",
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/lib64/libc.so.6",
	};
	const struct distro_rule *rule;
	const char *best = NULL, *lvl;
	char *path, *text = NULL;
	unsigned int i;
	int fd, major;
	struct stat st;

	if (isa) {
		*why = xstrdup("the level given with --isa");
		return isa;
	}
	if (strcmp(arch, "x86_64")) {
		*why = xasprintf("the baseline of every %s distribution", arch);
		return arch_baseline(arch);
	}
	for (i = 0; i < ARRAY_SIZE(loaders) && !best; i++) {
		unsigned char *buf;

		path = sys_path(loaders[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) || st.st_size > (16 << 20)) {
			if (fd >= 0)
				close(fd);
			free(path);
			continue;
		}
		buf = xrealloc(NULL, st.st_size);
		if (read(fd, buf, st.st_size) == st.st_size) {
			lvl = isa_level_name(elf_isa_needed(buf, st.st_size));
			if (lvl && strcmp(lvl, "x86-64-v1")) {
				best = lvl;
				*why = xasprintf("the level the C library (%s) is built for",
						 loaders[i]);
			}
		}
		free(buf);
		close(fd);
		free(path);
	}
	path = sys_path("/etc/os-release");
	if (!best && read_text(path, &text) == 0) {
		rule = distro_rule(text, &major);
		if (rule) {
			best = rule->level;
			*why = xasprintf("the level %s %d requires",
					 rule->name, major);
		}
	}
	free(text);
	free(path);
	if (!best) {
		*why = xstrdup("the baseline of every x86_64 distribution");
		best = arch_baseline(arch);
	}
	return best;
}

/* What a write to a cgroup's cpufeat.hwcap will do, as far as we know. */
struct write_prediction {
	int err;			/* 0, -EINVAL or -E2BIG */
	char why[ERRLEN];		/* what is wrong, when err */
	struct hwcap_setting setting;	/* cpufeat.hwcap afterwards */
	struct featset effective;	/* cpufeat.hwcap.effective afterwards */
};

static void read_words(const char *path, struct featset *fs, bool *found)
{
	char *text;

	*found = read_text(path, &text) == 0;
	if (*found) {
		fs_add_words(fs, text);
		free(text);
	}
}

/*
 * Predict the write of @len bytes of @value to @rel's cpufeat.hwcap, from
 * the cgroup's setting and its parent's effective set.  Where the setting
 * stays as it is, the effective set is the one the kernel shows now;
 * otherwise it is computed without the kernel's dependencies.
 */
static void predict_write(const char *rel, const char *value, size_t len,
			  const struct featset *mach,
			  struct write_prediction *pred)
{
	struct featset known, parent_eff, cur_eff;
	struct hwcap_setting before;
	char *parent = rel_parent(rel), *path, *text, *a, *b;
	bool found, same;

	fs_init(&known);
	fs_init(&parent_eff);
	fs_init(&cur_eff);
	hwcap_init(&before);
	hwcap_init(&pred->setting);
	fs_init(&pred->effective);
	kernel_names(this_arch(), mach, &known);
	path = cg_file(parent, "cpufeat.hwcap.effective");
	read_words(path, &parent_eff, &found);
	if (!found)
		fs_copy(&parent_eff, mach);
	free(path);
	path = cg_file(rel, "cpufeat.hwcap");
	if (read_text(path, &text) == 0) {
		hwcap_read(&before, text);
		free(text);
	}
	free(path);
	path = cg_file(rel, "cpufeat.hwcap.effective");
	read_words(path, &cur_eff, &found);
	if (!found)
		hwcap_effective(&before, &parent_eff, &cur_eff);
	free(path);

	pred->setting.max = before.max;
	fs_copy(&pred->setting.allowed, &before.allowed);
	pred->err = hwcap_apply(value, len, &known, &pred->setting, pred->why);
	a = hwcap_show(&before);
	b = hwcap_show(&pred->setting);
	same = !strcmp(a, b);
	if (pred->err || same)
		fs_copy(&pred->effective, &cur_eff);
	else
		hwcap_effective(&pred->setting, &parent_eff, &pred->effective);
	free(a);
	free(b);
	free(parent);
	hwcap_free(&before);
	fs_free(&known);
	fs_free(&parent_eff);
	fs_free(&cur_eff);
}

static void prediction_free(struct write_prediction *pred)
{
	hwcap_free(&pred->setting);
	fs_free(&pred->effective);
}

/* Warn if @pred, a write to @rel, hides features of the ISA level. */
static void warn_baseline(const char *rel, const struct write_prediction *pred,
			  const struct featset *mach, const char *isa)
{
	const char *arch = this_arch(), *level;
	char *why = NULL, *s, *glibc_msg;
	struct featset missing;

	if (pred->err)
		return;
	fs_init(&missing);
	level = distro_level(arch, isa, &why);
	baseline_missing(level, mach, &pred->effective, &missing);
	if (missing.nr) {
		s = fs_join(&missing);
		glibc_msg = xasprintf("\"CPU does not support %s\"", level);
		warn("this hides %s of %s, %s:", s, level, why);
		warn("dynamically linked programs will not start in /%s", rel);
		warn("(glibc: \"CPU ISA level is lower than required\" or %s)",
		     glibc_msg);
		free(glibc_msg);
		free(s);
	}
	free(why);
	fs_free(&missing);
}

static void spec_load_err(int status, const char *err)
{
	die(status, "%s", err);
}

/* Parse @words and render them for the cgroup @rel; may exit. */
static char *make_spec(char **words, int nr, const struct featset *mach)
{
	char err[ERRLEN];
	struct spec s;
	char *out;

	spec_init(&s);
	if (spec_parse(&s, this_arch(), words, nr, load_saved, err))
		spec_load_err(sys_exit == EXIT_RUN ? EXIT_RUN : EXIT_USAGE, err);
	out = spec_render(&s, mach, err);
	if (!out)
		spec_load_err(sys_exit == EXIT_RUN ? EXIT_RUN : EXIT_USAGE, err);
	spec_free(&s);
	return out;
}

/* The names of the errors a write to cpufeat.hwcap can give. */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EINVAL, "EINVAL" },
	{ E2BIG, "E2BIG" },
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ ENODEV, "ENODEV" },
	{ ENOMEM, "ENOMEM" },
};

static const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return strerror(err);
}

/*
 * Write @value to @rel's cpufeat.hwcap; on failure say why (@pred: what
 * cpufeat predicted), return -1.
 */
static int write_hwcap(const char *rel, const char *value,
		       const struct write_prediction *pred)
{
	char *path = cg_file(rel, "cpufeat.hwcap");
	int err = write_text(path, value);

	if (err == -EINVAL || err == -E2BIG)
		fprintf(stderr,
			"%s: the kernel rejected \"%.200s\" for %s (%s): %s\n",
			progname, value, path, errno_name(-err),
			pred->err == err ? pred->why :
			"a feature name it does not know, or nothing left to allow");
	else if (err == -EPERM)
		fprintf(stderr,
			"%s: %s: permission denied: writing cpufeat.hwcap needs CAP_SYS_ADMIN in the initial user namespace and the initial cgroup namespace\n",
			progname, path);
	else if (err == -ENOENT)
		fprintf(stderr,
			"%s: %s does not exist (cpufeat not enabled in the parent's cgroup.subtree_control?)\n",
			progname, path);
	else if (err)
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(-err));
	free(path);
	return err ? -1 : 0;
}

/* Print @s with newlines, tabs and backslashes as \n, \t, \\. */
static void print_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else if (*s == '\\')
			fputs("\\\\", stdout);
		else
			putchar(*s);
	}
}

/* set --predict: what writing @value will do, in "KEY VALUE" lines. */
static void print_prediction(const char *value,
			     const struct write_prediction *pred)
{
	char *s;

	fputs("write ", stdout);
	print_escaped(value);
	printf("\nresult %s\n", pred->err ? errno_name(-pred->err) : "ok");
	if (pred->err)
		printf("reason %s\n", pred->why);
	s = hwcap_show(&pred->setting);
	printf("setting %s\n", s);
	free(s);
	s = fs_join(&pred->effective);
	printf("effective %s\n", s);
	free(s);
}

/*
 * What set and run write: to cgroup @rel (relative to the cgroup2 mount;
 * its directory @dir, its parent @parent) the value @value, which @pred
 * predicts on a machine with @mach.
 */
struct hwcap_write {
	char *rel, *parent, *dir, *value;
	struct featset mach;
	struct write_prediction pred;
};

static void hwcap_write_free(struct hwcap_write *w)
{
	prediction_free(&w->pred);
	free(w->value);
	free(w->parent);
	free(w->dir);
	free(w->rel);
	fs_free(&w->mach);
}

static int cmd_set(int argc, char **argv)
{
	bool dry_run = false, create = false, raw = false, predict = false;
	const char *isa = NULL;
	struct opt opts[] = {
		{ "dry-run", 'n', false, NULL, &dry_run },
		{ "create", 'c', false, NULL, &create },
		{ "quiet", 'q', false, NULL, &quiet },
		{ "isa", 0, true, &isa, NULL },
		{ "raw", 0, false, NULL, &raw },
		{ "predict", 0, false, NULL, &predict },
		{ NULL },
	};
	struct hwcap_write w;
	struct stat st;
	int first;

	first = parse_opts(argc, argv, 2, opts, false);
	dry_run |= predict;
	if (argc - first < 2)
		usage_error("set needs a CGROUP and a SPEC");
	if (isa && (!find_preset(isa) || strcmp(find_preset(isa)->arch,
						this_arch())))
		usage_error("--isa %s: not a preset of %s", isa, this_arch());
	w.rel = cgroup_rel(argv[first]);
	if (!*w.rel)
		usage_error("the root cgroup has no cpufeat.hwcap");
	if (!strcmp(argv[first + 1], "--") && argc - first > 2)
		first++;
	if (raw && argc - first != 2)
		usage_error("set --raw takes exactly one VALUE");
	w.dir = cg_dir(w.rel);
	if (stat(w.dir, &st) && !create)
		die(EXIT_SYSTEM, "no cgroup %s (--create makes it)", w.dir);
	w.parent = rel_parent(w.rel);
	enable_down(w.parent, dry_run, create);
	if (create && !dry_run && mkdir(w.dir, 0755) && errno != EEXIST)
		die(EXIT_SYSTEM, "cannot create cgroup %s: %s", w.dir,
		    strerror(errno));
	machine_features(&w.mach);
	if (raw)
		w.value = xstrdup(argv[first + 1]);
	else
		w.value = make_spec(argv + first + 1, argc - first - 1,
				    &w.mach);
	predict_write(w.rel, w.value, strlen(w.value), &w.mach, &w.pred);
	warn_baseline(w.rel, &w.pred, &w.mach, isa);
	if (predict)
		print_prediction(w.value, &w.pred);
	else if (dry_run)
		printf("%s\n", w.value);
	if (dry_run && !predict && w.pred.err)
		warn("the kernel would reject this (%s): %s",
		     errno_name(-w.pred.err), w.pred.why);
	if (!dry_run && write_hwcap(w.rel, w.value, &w.pred))
		exit(EXIT_SYSTEM);
	hwcap_write_free(&w);
	return EXIT_OK;
}

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int cmd_run(int argc, char **argv)
{
	bool do_exec = false, created = false;
	const char *cg = NULL, *isa = NULL;
	struct opt opts[] = {
		{ "cgroup", 'g', true, &cg, NULL },
		{ "exec", 'e', false, NULL, &do_exec },
		{ "quiet", 'q', false, NULL, &quiet },
		{ "isa", 0, true, &isa, NULL },
		{ NULL },
	};
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char *procs, *text, *self, *mine, *up;
	struct hwcap_write w;
	struct sigaction sa;
	int first, dash, i, status, err, e;
	struct stat st;

	sys_exit = EXIT_RUN;
	first = parse_opts(argc, argv, 2, opts, true);
	for (dash = first; dash < argc && strcmp(argv[dash], "--"); dash++)
		;
	if (dash == argc)
		usage_error("run needs SPEC... -- COMMAND");
	if (dash == first)
		usage_error("run needs a SPEC before --");
	if (dash + 1 == argc)
		usage_error("run needs a COMMAND after --");
	if (isa && (!find_preset(isa) || strcmp(find_preset(isa)->arch,
						this_arch())))
		usage_error("--isa %s: not a preset of %s", isa, this_arch());

	if (cg) {
		w.rel = cgroup_rel(cg);
		if (!*w.rel)
			usage_error("run cannot use the root cgroup");
	} else {
		/*
		 * Next to our own cgroup: a cgroup with processes cannot
		 * enable controllers for its children, so not under it.
		 */
		self = sys_path("/proc/self/cgroup");
		err = read_text(self, &text);
		if (err || strncmp(text, "0::/", 4))
			die(EXIT_RUN, "%s: no cgroup2 entry", self);
		text[strcspn(text, "\n")] = '\0';
		mine = cgroup_rel(text + 3);
		up = rel_parent(mine);
		free(mine);
		w.rel = xasprintf("%s%scpufeat-run.%d", up, *up ? "/" : "",
				  (int)getpid());
		free(up);
		free(text);
		free(self);
	}
	w.parent = rel_parent(w.rel);
	w.dir = cg_dir(w.rel);
	enable_down(w.parent, false, false);
	machine_features(&w.mach);
	w.value = make_spec(argv + first, dash - first, &w.mach);
	if (stat(w.dir, &st)) {
		if (mkdir(w.dir, 0755))
			die(EXIT_RUN, "cannot create cgroup %s: %s", w.dir,
			    strerror(errno));
		created = true;
	}
	predict_write(w.rel, w.value, strlen(w.value), &w.mach, &w.pred);
	warn_baseline(w.rel, &w.pred, &w.mach, isa);
	if (write_hwcap(w.rel, w.value, &w.pred)) {
		if (created)
			rmdir(w.dir);
		exit(EXIT_RUN);
	}
	procs = cg_file(w.rel, "cgroup.procs");

	if (do_exec) {
		err = write_text(procs, "0");
		if (err) {
			if (created)
				rmdir(w.dir);
			die(EXIT_RUN, "cannot move into %s: %s", w.dir,
			    strerror(-err));
		}
		execvp(argv[dash + 1], argv + dash + 1);
		e = errno;
		fprintf(stderr, "cpufeat: %s: %s\n", argv[dash + 1],
			strerror(e));
		if (created)
			rmdir(w.dir);
		return e == ENOENT ? 127 : 126;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	fflush(NULL);
	child = fork();
	if (child < 0) {
		e = errno;
		if (created)
			rmdir(w.dir);
		die(EXIT_RUN, "fork: %s", strerror(e));
	}
	if (!child) {
		sa.sa_handler = SIG_DFL;
		for (i = 1; i < NSIG; i++)
			sigaction(i, &sa, NULL);
		err = write_text(procs, "0");
		if (err) {
			fprintf(stderr, "cpufeat: cannot move into %s: %s\n",
				w.dir, strerror(-err));
			_exit(EXIT_RUN);
		}
		execvp(argv[dash + 1], argv + dash + 1);
		e = errno;
		fprintf(stderr, "cpufeat: %s: %s\n", argv[dash + 1],
			strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_RUN, "waitpid: %s", strerror(errno));
	if (created) {
		/* the cgroup may still count the exited child for a moment */
		for (i = 0; (e = rmdir(w.dir)) && errno == EBUSY && i < 100;
		     i++)
			nanosleep(&ts, NULL);
		if (e)
			fprintf(stderr, "cpufeat: warning: could not remove %s: %s\n",
				w.dir, strerror(errno));
	}
	free(procs);
	hwcap_write_free(&w);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Executed as cpufeat-criu-hook (a link to cpufeat): "cpufeat criu-hook",
 * for criu --action-script, which executes a path without arguments.
 */
static int criu_hook_link(int argc, char **argv)
{
	char **args = xrealloc(NULL, (argc + 2) * sizeof(*args));

	args[0] = argv[0];
	args[1] = "criu-hook";
	memcpy(args + 2, argv + 1, argc * sizeof(*args));
	return cmd_criu_hook(argc + 1, args);
}

/* The commands, by the name given as the first argument. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "baseline", cmd_baseline },
	{ "check", cmd_check },
	{ "set", cmd_set },
	{ "run", cmd_run },
	{ "presets", cmd_presets },
	{ "classes", cmd_classes },
	{ "criu-hook", cmd_criu_hook },
};

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	const char *base = strrchr(argv[0], '/');
	size_t i;

	if (!strcmp(base ? base + 1 : argv[0], CRIU_HOOK_LINK))
		return criu_hook_link(argc, argv);

	if (!cmd)
		usage_error("no command");
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc, argv);
	usage_error("unknown command \"%s\"", cmd);
	return EXIT_USAGE;
}
