// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat-stress: exercise the cpufeat controller from many processes at
 * once, for a debug kernel (KASAN, lockdep, ...) to find what breaks.
 *
 *   cpufeat-stress [--seconds S] [--ops N] [--seed N] [--probe PROG]
 *
 * Under a cgroup of its own (/sys/fs/cgroup/cpufeat-stress, "the top",
 * which hides one feature so that every view below it is restricted), one
 * process each:
 *
 *   tree      mkdir and rmdir cgroups at depths 1 to 4 (fan-out 2),
 *             enabling cpufeat below each inner one
 *   write     valid settings on random cgroups of the tree: "max", edits
 *             and lists of names
 *   invalid   malformed settings, which must fail with EINVAL and leave
 *             the setting and the effective set as they were
 *   migrate   move a few sleeping processes between the leaves (depth 4),
 *             and read their /proc/PID/cpufeat and /proc/cpuinfo
 *   probe     (two of them) execute PROG --check (cpufeat_probe: auxv and,
 *             on x86, CPUID agree with the view) in a random leaf, and
 *             check that its view is the leaf's effective set when no
 *             write overlapped, or else within the top's
 *   threads   execute this program in a random leaf, where four threads
 *             read CPUID (x86) or the ID registers (arm64) while the
 *             settings change: every answer must be the first one
 *   orphan    execute this program in a cgroup of its own with a random
 *             setting, move it out, remove the cgroup, then have it check
 *             that its view and CPUID or ID registers did not change
 *
 * Each stops after N operations (default 300) or S seconds (default 120),
 * whichever comes first.  Then it removes every cgroup it made and prints
 * TAP: one result per kind with its counts.  Exit status 0 if all passed.
 *
 * Valid writes bump a sequence counter (odd while one is in flight) that
 * the checks read before and after, so they know whether a write raced
 * with them.  Removals only ever hit the first half of the machine's
 * features and lists always name the second half, so no valid write can
 * leave a setting empty.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define LIST_SIZE	16384
#define MAX_WORDS	512
#define DEPTH		4
#define FANOUT		2
#define SLEEPERS	4
#define THREADS		4
#define THREAD_ITERS	200
#define MAX_MESSAGES	10
/* Every cgroup path here is shorter than this. */
#define CG_PATH		256
/* A child that found its cgroup gone or busy: not a failure. */
#define EXIT_SKIP	3

static const char *top = "/sys/fs/cgroup/cpufeat-stress";

enum op {
	OP_MKDIR, OP_RMDIR, OP_WRITE, OP_INVALID, OP_UNCHANGED, OP_MIGRATE,
	OP_PROC_READ, OP_PROBE, OP_PROBE_EXACT, OP_PROBE_BOUNDED,
	OP_PROBE_SKIPPED, OP_THREAD_PROGS, OP_THREAD_READS, OP_ORPHAN,
	NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"mkdir", "rmdir", "valid writes", "invalid writes",
	"unchanged checks", "migrations", "proc reads", "probes",
	"exact view checks", "bounded view checks", "probes skipped",
	"thread programs", "thread reads", "orphans",
};

enum kind { K_TREE, K_WRITE, K_INVALID, K_MIGRATE, K_PROBE, K_THREADS,
	    K_ORPHAN, K_CLEANUP, NR_KINDS };

static const char * const kind_names[NR_KINDS] = {
	"tree", "write", "invalid", "migrate", "probe", "threads", "orphan",
	"cleanup",
};

/* Shared by every worker (MAP_SHARED). */
struct shared {
	unsigned long seq;
	unsigned long ops[NR_OPS];
	unsigned long fails[NR_KINDS];
};

static struct shared *sh;
static unsigned long max_ops = 300;
static time_t deadline;
static const char *probe_prog = "cpufeat_probe";

/* The machine's features (the root's effective set) and the top's. */
static char machine[LIST_SIZE], top_effective[LIST_SIZE];
static char *words[MAX_WORDS];
static unsigned int nr_words;

static void count(enum op op, unsigned long n)
{
	__atomic_fetch_add(&sh->ops[op], n, __ATOMIC_RELAXED);
}

static unsigned long seq_read(void)
{
	return __atomic_load_n(&sh->seq, __ATOMIC_SEQ_CST);
}

/* A check failed: count it, and say so for the first few. */
static void fail(enum kind kind, const char *fmt, ...)
{
	unsigned long n = __atomic_fetch_add(&sh->fails[kind], 1,
					     __ATOMIC_RELAXED);
	va_list ap;

	if (n >= MAX_MESSAGES)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "# %s: ", kind_names[kind]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static bool time_left(unsigned long done)
{
	return done < max_ops && time(NULL) < deadline;
}

/* Write @len bytes of @buf to @dir/@file: 0 or -errno. */
static int cg_write(const char *dir, const char *file, const char *buf,
		    size_t len)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

static int cg_write_str(const char *dir, const char *file, const char *str)
{
	return cg_write(dir, file, str, strlen(str));
}

/* Read a whole (small) file into @buf without its trailing newline. */
static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	if (len < 0)
		len = -errno;
	close(fd);
	if (len < 0)
		return len;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return read_file(path, buf, size);
}

/* The errors of an operation on a cgroup that another worker removed. */
static bool gone(int err)
{
	return err == -ENOENT || err == -ENODEV;
}

/* Is @name one of the space-separated words of @list? */
static bool has_word(const char *list, const char *name, size_t len)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/* Is every word of @list one of @of's? */
static bool words_within(const char *list, const char *of)
{
	const char *p = list + strspn(list, " ");

	while (*p) {
		size_t n = strcspn(p, " ");

		if (!has_word(of, p, n))
			return false;
		p += n;
		p += strspn(p, " ");
	}
	return true;
}

/* A random cgroup of the tree at @depth (1..DEPTH). */
static void random_path(char *buf, size_t size, unsigned int depth)
{
	size_t len = snprintf(buf, size, "%s", top);
	unsigned int i;

	for (i = 0; i < depth; i++)
		len += snprintf(buf + len, size - len, "/d%d",
				rand() % FANOUT);
}

static void random_any(char *buf, size_t size)
{
	random_path(buf, size, 1 + rand() % DEPTH);
}

/* Make every level of a random path; inner levels enable cpufeat below. */
static void tree_mkdir(void)
{
	char path[CG_PATH];
	/* Half of them down to the leaves, where the processes go. */
	unsigned int depth = rand() % 2 ? DEPTH : 1 + rand() % DEPTH, i;
	size_t len = snprintf(path, sizeof(path), "%s", top);
	int err;

	for (i = 1; i <= depth; i++) {
		len += snprintf(path + len, sizeof(path) - len, "/d%d",
				rand() % FANOUT);
		if (!mkdir(path, 0755)) {
			count(OP_MKDIR, 1);
		} else if (errno != EEXIST) {
			/* ENOENT: another worker removed a parent. */
			if (errno != ENOENT)
				fail(K_TREE, "mkdir %s: %s", path,
				     strerror(errno));
			return;
		}
		if (i == depth)
			break;
		err = cg_write_str(path, "cgroup.subtree_control", "+cpufeat");
		if (err && !gone(err)) {
			fail(K_TREE, "+cpufeat in %s: %s", path, strerror(-err));
			return;
		}
	}
}

static void tree_rmdir(void)
{
	char path[CG_PATH];

	random_any(path, sizeof(path));
	if (!rmdir(path))
		count(OP_RMDIR, 1);
	else if (errno != ENOENT && errno != EBUSY)
		fail(K_TREE, "rmdir %s: %s", path, strerror(errno));
}

static void work_tree(void)
{
	unsigned long n;

	for (n = 0; time_left(n); n++) {
		if (rand() % 3)
			tree_mkdir();
		else
			tree_rmdir();
	}
}

/*
 * A valid setting: "max", a list naming every feature of the second half
 * and some of the first, or up to three edits ("-" only on the first half).
 */
static void valid_setting(char *buf, size_t size)
{
	unsigned int half = nr_words / 2, i, n, picked[3];
	size_t len = 0;

	switch (rand() % 4) {
	case 0:
		snprintf(buf, size, "max");
		return;
	case 1:
		for (i = 0; i < nr_words && len < size; i++)
			if (i >= half || rand() % 2)
				len += snprintf(buf + len, size - len, "%s%s",
						len ? " " : "", words[i]);
		return;
	default:
		n = 1 + rand() % 3;
		for (i = 0; i < n; i++) {
			unsigned int j;

			do {
				picked[i] = rand() % nr_words;
				for (j = 0; j < i && picked[j] != picked[i]; j++)
					;
			} while (j < i);
			len += snprintf(buf + len, size - len, "%s%c%s",
					i ? "\t" : "",
					picked[i] < half && rand() % 2 ? '-' : '+',
					words[picked[i]]);
		}
		return;
	}
}

static void work_write(void)
{
	char path[CG_PATH], setting[LIST_SIZE];
	unsigned long n;
	int err;

	for (n = 0; time_left(n); n++) {
		random_any(path, sizeof(path));
		valid_setting(setting, sizeof(setting));
		__atomic_fetch_add(&sh->seq, 1, __ATOMIC_SEQ_CST);
		err = cg_write_str(path, "cpufeat.hwcap", setting);
		__atomic_fetch_add(&sh->seq, 1, __ATOMIC_SEQ_CST);
		if (!err)
			count(OP_WRITE, 1);
		else if (!gone(err))
			fail(K_WRITE, "\"%s\" to %s: %s", setting, path,
			     strerror(-err));
	}
}

/* A malformed setting (EINVAL whatever the state) of @len bytes. */
static size_t invalid_setting(char *buf, size_t size)
{
	const char *w = words[rand() % nr_words];
	const char *w2 = words[rand() % nr_words];
	size_t i, len;

	switch (rand() % 14) {
	case 0: return snprintf(buf, size, " \t\n");
	case 1: return snprintf(buf, size, "max max");
	case 2: return snprintf(buf, size, "max -%s", w);
	case 3: return snprintf(buf, size, "%s +%s", w, w2);
	case 4: return snprintf(buf, size, "+");
	case 5: return snprintf(buf, size, "-");
	case 6: return snprintf(buf, size, "+-%s", w);
	case 7: return snprintf(buf, size, "--%s", w);
	case 8: return snprintf(buf, size, "-%s +%s", w, w);
	case 9: return snprintf(buf, size, "%s %s", w, w);
	case 10: return snprintf(buf, size, "-nosuchfeature");
	case 11: return snprintf(buf, size, "%s\r\n", w);
	case 12:
		len = snprintf(buf, size, "%s", w);
		for (i = 0; i < len; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] -= 'a' - 'A';
		return len;
	default:
		/* An embedded NUL, written with the rest. */
		len = snprintf(buf, size, "%s", w);
		return len + 1 + snprintf(buf + len + 1, size - len - 1, "x");
	}
}

/* The setting and the effective set of a cgroup. */
struct state {
	char setting[LIST_SIZE], effective[LIST_SIZE];
};

static int read_state(const char *path, struct state *state)
{
	return cg_read(path, "cpufeat.hwcap", state->setting,
		       sizeof(state->setting)) ?:
	       cg_read(path, "cpufeat.hwcap.effective", state->effective,
		       sizeof(state->effective));
}

static bool same_state(const struct state *a, const struct state *b)
{
	return !strcmp(a->setting, b->setting) &&
	       !strcmp(a->effective, b->effective);
}

static void work_invalid(void)
{
	static struct state before, after;
	char path[CG_PATH], setting[256];
	unsigned long n, seq;
	size_t len;
	int err;

	for (n = 0; time_left(n); n++) {
		random_any(path, sizeof(path));
		len = invalid_setting(setting, sizeof(setting));
		seq = seq_read();
		if (read_state(path, &before))
			continue;
		err = cg_write(path, "cpufeat.hwcap", setting, len);
		if (gone(err))
			continue;
		count(OP_INVALID, 1);
		if (err != -EINVAL) {
			fail(K_INVALID, "\"%.*s\" to %s: %s, expected EINVAL",
			     (int)len, setting, path,
			     err ? strerror(-err) : "accepted");
			continue;
		}
		if (read_state(path, &after) || seq & 1 || seq_read() != seq)
			continue;
		count(OP_UNCHANGED, 1);
		if (!same_state(&before, &after))
			fail(K_INVALID, "\"%.*s\" to %s changed its state",
			     (int)len, setting, path);
	}
}

static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (!pid) {
		for (;;)
			pause();
	}
	return pid;
}

static void proc_reads(pid_t pid)
{
	static char buf[LIST_SIZE];
	char path[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/cpufeat", pid);
	err = read_file(path, buf, sizeof(buf));
	if (!err)
		err = read_file("/proc/cpuinfo", buf, sizeof(buf));
	if (err)
		fail(K_MIGRATE, "reading %s or /proc/cpuinfo: %s", path,
		     strerror(-err));
	else
		count(OP_PROC_READ, 2);
}

static void work_migrate(void)
{
	pid_t sleepers[SLEEPERS];
	char path[CG_PATH], pid[16];
	unsigned long n;
	int i, err;

	for (i = 0; i < SLEEPERS; i++)
		sleepers[i] = start_sleeper();
	for (n = 0; time_left(n); n++) {
		i = rand() % SLEEPERS;
		random_path(path, sizeof(path), DEPTH);
		snprintf(pid, sizeof(pid), "%d", sleepers[i]);
		err = cg_write_str(path, "cgroup.procs", pid);
		if (!err)
			count(OP_MIGRATE, 1);
		else if (!gone(err))
			fail(K_MIGRATE, "pid %s to %s: %s", pid, path,
			     strerror(-err));
		proc_reads(sleepers[i]);
	}
	for (i = 0; i < SLEEPERS; i++) {
		kill(sleepers[i], SIGKILL);
		waitpid(sleepers[i], NULL, 0);
	}
}

/*
 * Fork a child that joins @cgroup and executes @argv with its stdout on a
 * pipe (returned in *@out) and, if @in, its stdin on another.
 */
static pid_t spawn_in(const char *cgroup, char *const argv[], int *out,
		      int *in)
{
	int o[2], i[2] = { -1, -1 };
	pid_t pid;

	if (pipe(o) || (in && pipe(i)))
		return -1;
	fflush(NULL);
	pid = fork();
	if (!pid) {
		dup2(o[1], STDOUT_FILENO);
		if (in)
			dup2(i[0], STDIN_FILENO);
		if (cg_write_str(cgroup, "cgroup.procs", "0"))
			_exit(EXIT_SKIP);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	*out = o[0];
	if (in) {
		close(i[0]);
		*in = i[1];
	}
	return pid;
}

/* Read a child's output into @buf (one line, no newline) and reap it. */
static int finish_child(pid_t pid, int out, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int status;

	while (len < size - 1 && (n = read(out, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	close(out);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void check_probe_view(const char *path, const char *view,
			     const char *effective, unsigned long seq)
{
	if (!(seq & 1) && seq_read() == seq) {
		count(OP_PROBE_EXACT, 1);
		if (strcmp(view, effective))
			fail(K_PROBE, "%s: view \"%s\", effective \"%s\"",
			     path, view, effective);
		return;
	}
	count(OP_PROBE_BOUNDED, 1);
	if (!words_within(view, top_effective))
		fail(K_PROBE, "%s: view \"%s\" outside the top's \"%s\"", path,
		     view, top_effective);
}

static void work_probe(void)
{
	static char effective[LIST_SIZE], view[LIST_SIZE];
	char *argv[] = { (char *)probe_prog, "--check", NULL };
	char path[CG_PATH];
	unsigned long n, seq;
	int out, status;
	pid_t pid;

	for (n = 0; time_left(n); n++) {
		random_path(path, sizeof(path), DEPTH);
		seq = seq_read();
		if (cg_read(path, "cpufeat.hwcap.effective", effective,
			    sizeof(effective))) {
			count(OP_PROBE_SKIPPED, 1);
			continue;
		}
		pid = spawn_in(path, argv, &out, NULL);
		if (pid < 0) {
			fail(K_PROBE, "fork: %s", strerror(errno));
			continue;
		}
		status = finish_child(pid, out, view, sizeof(view));
		if (status == EXIT_SKIP) {
			count(OP_PROBE_SKIPPED, 1);
			continue;
		}
		count(OP_PROBE, 1);
		if (status)
			fail(K_PROBE, "%s --check in %s: exit status %d",
			     probe_prog, path, status);
		else
			check_probe_view(path, view, effective, seq);
	}
}

/* What the CPU says about itself, as this program is told. */
struct answer {
	unsigned long long regs[5];
};

#if defined(__x86_64__) || defined(__i386__)
static void cpuid2(unsigned int leaf, unsigned long long *a,
		   unsigned long long *b)
{
	unsigned int eax = leaf, ebx, ecx = 0, edx;

	asm volatile("cpuid" : "+a" (eax), "=b" (ebx), "+c" (ecx), "=d" (edx));
	a[0] = ecx;
	a[1] = edx;
	*b = ebx;
}

static void read_answer(struct answer *a)
{
	unsigned long long unused;

	cpuid2(1, a->regs, &unused);
	cpuid2(7, a->regs + 2, a->regs + 4);
}
#elif defined(__aarch64__)
#define read_idreg(enc) ({						\
	unsigned long long __val;					\
	asm volatile("mrs %0, " enc : "=r" (__val));			\
	__val;								\
})

/* PFR0, PFR1, ZFR0, ISAR0, ISAR1 (arch/arm64/tools/sysreg). */
static void read_answer(struct answer *a)
{
	a->regs[0] = read_idreg("S3_0_C0_C4_0");
	a->regs[1] = read_idreg("S3_0_C0_C4_1");
	a->regs[2] = read_idreg("S3_0_C0_C4_4");
	a->regs[3] = read_idreg("S3_0_C0_C6_0");
	a->regs[4] = read_idreg("S3_0_C0_C6_1");
}
#else
static void read_answer(struct answer *a)
{
	memset(a, 0, sizeof(*a));
}
#endif

/*
 * On arm64 the ID registers can only be read while the view has cpuid
 * (MRS is emulated for EL0 only then); CPUID always works.
 */
static bool can_read_answer(void)
{
#if defined(__aarch64__)
	static char view[LIST_SIZE];

	return !read_file("/proc/self/cpufeat", view, sizeof(view)) &&
	       has_word(view, "cpuid", 5);
#else
	return true;
#endif
}

static struct answer first_answer;
static bool answer_readable;
static unsigned long thread_mismatches;

static void read_answer_if(struct answer *a)
{
	if (answer_readable)
		read_answer(a);
	else
		memset(a, 0, sizeof(*a));
}

static void *reader_thread(void *arg)
{
	struct answer a;
	int i;

	for (i = 0; i < THREAD_ITERS; i++) {
		read_answer_if(&a);
		if (memcmp(&a, &first_answer, sizeof(a)))
			__atomic_fetch_add(&thread_mismatches, 1,
					   __ATOMIC_RELAXED);
	}
	return arg;
}

/* --threads: THREADS threads read the answer; all must be the first. */
static int threads_main(void)
{
	pthread_t threads[THREADS];
	int i;

	answer_readable = can_read_answer();
	read_answer_if(&first_answer);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&threads[i], NULL, reader_thread, NULL))
			return 1;
	for (i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	printf("%d %lu\n", THREADS * THREAD_ITERS, thread_mismatches);
	return thread_mismatches ? 1 : 0;
}

static void work_threads(void)
{
	char *argv[] = { "/proc/self/exe", "--threads", NULL };
	char path[CG_PATH], line[64];
	unsigned long n, reads, mismatches;
	int out, status;
	pid_t pid;

	for (n = 0; time_left(n); n++) {
		random_path(path, sizeof(path), DEPTH);
		pid = spawn_in(path, argv, &out, NULL);
		if (pid < 0) {
			fail(K_THREADS, "fork: %s", strerror(errno));
			continue;
		}
		status = finish_child(pid, out, line, sizeof(line));
		if (status == EXIT_SKIP)
			continue;
		if (sscanf(line, "%lu %lu", &reads, &mismatches) != 2) {
			fail(K_THREADS, "in %s: exit status %d, output \"%s\"",
			     path, status, line);
			continue;
		}
		count(OP_THREAD_PROGS, 1);
		count(OP_THREAD_READS, reads);
		if (status || mismatches)
			fail(K_THREADS, "in %s: %lu of %lu answers changed",
			     path, mismatches, reads);
	}
}

/* --orphan: note the view, wait for a line on stdin, compare. */
static int orphan_main(void)
{
	static char before[LIST_SIZE], after[LIST_SIZE];
	struct answer a, b;
	char line[16];

	if (read_file("/proc/self/cpufeat", before, sizeof(before)))
		return 1;
	answer_readable = can_read_answer();
	read_answer_if(&a);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (read_file("/proc/self/cpufeat", after, sizeof(after)))
		return 1;
	read_answer_if(&b);
	if (strcmp(before, after) || memcmp(&a, &b, sizeof(a))) {
		fprintf(stderr, "# orphan: the view changed: \"%s\" -> \"%s\"\n",
			before, after);
		return 1;
	}
	printf("ok\n");
	return 0;
}

/* One orphan: its cgroup goes away while it runs. */
static void orphan_once(unsigned long n, const char *parking)
{
	char *argv[] = { "/proc/self/exe", "--orphan", NULL };
	char path[CG_PATH], setting[LIST_SIZE], line[64], pid_str[16];
	int out, in = -1, status, err;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/orphan%lu", top, n);
	valid_setting(setting, sizeof(setting));
	if (mkdir(path, 0755)) {
		fail(K_ORPHAN, "mkdir %s: %s", path, strerror(errno));
		return;
	}
	err = cg_write_str(path, "cpufeat.hwcap", setting);
	if (err) {
		fail(K_ORPHAN, "\"%s\" to %s: %s", setting, path,
		     strerror(-err));
		rmdir(path);
		return;
	}
	pid = spawn_in(path, argv, &out, &in);
	if (pid < 0) {
		fail(K_ORPHAN, "fork: %s", strerror(errno));
		rmdir(path);
		return;
	}
	snprintf(pid_str, sizeof(pid_str), "%d", pid);
	if (read(out, line, 6) != 6)
		fail(K_ORPHAN, "%s in %s did not start", pid_str, path);
	else if (cg_write_str(parking, "cgroup.procs", pid_str))
		fail(K_ORPHAN, "moving %s to %s failed", pid_str, parking);
	else if (rmdir(path))
		fail(K_ORPHAN, "rmdir %s: %s", path, strerror(errno));
	/* Give the freed cgroup's memory time to be reused. */
	usleep(10000);
	if (write(in, "go\n", 3) != 3)
		fail(K_ORPHAN, "write to %s: %s", pid_str, strerror(errno));
	close(in);
	status = finish_child(pid, out, line, sizeof(line));
	if (status)
		fail(K_ORPHAN, "%s: exit status %d", path, status);
	else
		count(OP_ORPHAN, 1);
	rmdir(path);
}

static void work_orphan(void)
{
	char parking[CG_PATH];
	unsigned long n;

	snprintf(parking, sizeof(parking), "%s/parking", top);
	for (n = 0; time_left(n); n++)
		orphan_once(n, parking);
}

struct worker {
	const char *name;
	void (*fn)(void);
};

static const struct worker workers[] = {
	{ "tree",	work_tree },
	{ "write",	work_write },
	{ "invalid",	work_invalid },
	{ "migrate",	work_migrate },
	{ "probe",	work_probe },
	{ "probe",	work_probe },
	{ "threads",	work_threads },
	{ "orphan",	work_orphan },
};

/* Remove @path and every cgroup below it; the number left behind. */
static int remove_tree(const char *path)
{
	char child[PATH_MAX];
	struct dirent *de;
	int left = 0, tries;
	DIR *dir;

	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		left += remove_tree(child);
	}
	if (dir)
		closedir(dir);
	/* A reaped process may leave its cgroup populated for a moment. */
	for (tries = 0; rmdir(path) && errno == EBUSY && tries < 100; tries++)
		usleep(10000);
	if (!access(path, F_OK)) {
		fail(K_CLEANUP, "cannot remove %s: %s", path, strerror(errno));
		left++;
	}
	return left;
}

static int setup(void)
{
	char hide[256], *p, *save;

	if (read_file("/sys/fs/cgroup/cgroup.subtree_control", hide,
		      sizeof(hide)) ||
	    (!strstr(hide, "cpufeat") &&
	     cg_write_str("/sys/fs/cgroup", "cgroup.subtree_control",
			  "+cpufeat")) ||
	    cg_read("/proc/1", "cpufeat", machine, sizeof(machine))) {
		perror("cpufeat-stress: enabling cpufeat in the root");
		return -1;
	}
	for (p = strtok_r(machine, " ", &save); p && nr_words < MAX_WORDS;
	     p = strtok_r(NULL, " ", &save))
		words[nr_words++] = p;
	if (nr_words < 4) {
		fprintf(stderr, "cpufeat-stress: the machine has %u features\n",
			nr_words);
		return -1;
	}
	snprintf(hide, sizeof(hide), "-%s", words[nr_words - 1]);
	if ((mkdir(top, 0755) && errno != EEXIST) ||
	    cg_write_str(top, "cpufeat.hwcap", hide) ||
	    cg_write_str(top, "cgroup.subtree_control", "+cpufeat") ||
	    cg_read(top, "cpufeat.hwcap.effective", top_effective,
		    sizeof(top_effective))) {
		perror("cpufeat-stress: setting up the top cgroup");
		return -1;
	}
	snprintf(hide, sizeof(hide), "%s/parking", top);
	if (mkdir(hide, 0755) && errno != EEXIST) {
		perror("cpufeat-stress: mkdir parking");
		return -1;
	}
	return 0;
}

static void report(double seconds)
{
	static const struct {
		enum kind kind;
		enum op ops[4];
		unsigned int nr;
	} lines[] = {
		{ K_TREE,	{ OP_MKDIR, OP_RMDIR }, 2 },
		{ K_WRITE,	{ OP_WRITE }, 1 },
		{ K_INVALID,	{ OP_INVALID, OP_UNCHANGED }, 2 },
		{ K_MIGRATE,	{ OP_MIGRATE, OP_PROC_READ }, 2 },
		{ K_PROBE,	{ OP_PROBE, OP_PROBE_EXACT, OP_PROBE_BOUNDED,
				  OP_PROBE_SKIPPED }, 4 },
		{ K_THREADS,	{ OP_THREAD_PROGS, OP_THREAD_READS }, 2 },
		{ K_ORPHAN,	{ OP_ORPHAN }, 1 },
		{ K_CLEANUP,	{ 0 }, 0 },
	};
	unsigned int i, j;

	printf("1..%zu\n", ARRAY_SIZE(lines));
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		/* A kind that never got to run its check has not passed. */
		bool ran = !lines[i].nr || sh->ops[lines[i].ops[0]];

		printf("%s %u - %s:", sh->fails[lines[i].kind] || !ran ?
		       "not ok" : "ok", i + 1, kind_names[lines[i].kind]);
		for (j = 0; j < lines[i].nr; j++)
			printf("%s %lu %s", j ? "," : "",
			       sh->ops[lines[i].ops[j]],
			       op_names[lines[i].ops[j]]);
		if (sh->fails[lines[i].kind])
			printf("%s %lu failed", lines[i].nr ? "," : "",
			       sh->fails[lines[i].kind]);
		printf("\n");
	}
	printf("# %.1f s, %u workers, at most %lu operations each\n", seconds,
	       (unsigned int)ARRAY_SIZE(workers), max_ops);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: cpufeat-stress [--seconds S] [--ops N] [--seed N] [--probe PROG]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long seconds = 120, seed = 1;
	struct timespec t0, t1;
	pid_t pids[ARRAY_SIZE(workers)];
	unsigned int i;
	int status, failed = 0;

	if (argc == 2 && !strcmp(argv[1], "--threads"))
		return threads_main();
	if (argc == 2 && !strcmp(argv[1], "--orphan"))
		return orphan_main();
	for (i = 1; i < (unsigned int)argc; i += 2) {
		if (i + 1 >= (unsigned int)argc)
			usage();
		if (!strcmp(argv[i], "--seconds"))
			seconds = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--ops"))
			max_ops = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--probe"))
			probe_prog = argv[i + 1];
		else
			usage();
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || setup())
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = time(NULL) + seconds;
	fflush(NULL);
	for (i = 0; i < ARRAY_SIZE(workers); i++) {
		pids[i] = fork();
		if (!pids[i]) {
			srand(seed * 1000 + i);
			workers[i].fn();
			_exit(0);
		}
	}
	for (i = 0; i < ARRAY_SIZE(workers); i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    status) {
			fprintf(stderr, "# worker %s did not end well (status 0x%x)\n",
				workers[i].name, pids[i] < 0 ? -1 : status);
			failed = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	remove_tree(top);
	report(t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (i = 0; i < NR_KINDS; i++)
		failed |= sh->fails[i] != 0;
	return failed;
}
