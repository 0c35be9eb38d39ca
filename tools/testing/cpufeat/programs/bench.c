// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat-bench: the guest side of the cpufeat benchmarks (bench.sh).
 *
 *   cpufeat-bench [-c CGROUP] TEST N [ARG...]
 *
 * -c CGROUP moves the program into CGROUP (a directory under
 * /sys/fs/cgroup) and executes it again there, so that it runs with the
 * cgroup's cpufeat view (a view is latched at execve()).
 *
 * Every test pins itself (and what it forks) to CPU 0, runs a few rounds
 * untimed, then N timed operations, and prints one line
 *
 *   RESULT TEST TOTAL_NS N
 *
 * The clock is CLOCK_MONOTONIC.  Under QEMU -icount shift=0 the guest clock
 * advances by one nanosecond per instruction the guest retires, so TOTAL_NS
 * is a count of instructions (all of them: user, kernel, interrupts) and
 * the same run prints the same numbers; "calib" checks that.
 *
 * Tests (see bench.sh for how they are combined):
 *   calib N                  a loop of two instructions per round
 *   nop N                    nothing (a glibc static program that exits)
 *   spawn N PROG [ARG...]    fork + execve(PROG) + exit + wait
 *   getppid N                the getppid() system call
 *   cpuid N                  x86: CPUID leaf 7 subleaf 0
 *   cpuid-user N             x86: CPUID emulated in user space, the way
 *                            rr and libvirtcpuid do it
 *   smsw N                   x86: SMSW to a register, which a kernel with
 *                            CONFIG_X86_UMIP emulates on a CPU with UMIP:
 *                            the stock kernel's own #GP emulation
 *   mrs N                    arm64: MRS of ID_AA64ISAR0_EL1
 *   pingpong N [CGROUP]      round trips of one byte between two processes
 *                            through pipes on one CPU; with CGROUP the peer
 *                            runs with that cgroup's view
 *   cpuinfo N                open, read and close /proc/cpuinfo
 *   hwcap-write N DIR MASK SIZE...
 *                            in a new cgroup DIR with cpufeat enabled for
 *                            its children, grow to each SIZE of children,
 *                            then time N writes of cpufeat.hwcap,
 *                            alternately MASK and "max"; prints one RESULT
 *                            per SIZE (TEST hwcap-write-SIZE) and the time
 *                            the mkdirs took (mkdir-SIZE)
 *   hwcap-kept N DIR MASK SIZE...
 *                            the same, but each child hides MASK itself:
 *                            the writes leave every child's set as it was
 *                            (TEST hwcap-kept-SIZE, mkdir-kept-SIZE)
 *   chain DEPTH DIR MASK     make DIR/c/c/... DEPTH levels deep with
 *                            cpufeat enabled at each, MASK written at the
 *                            first, and print the deepest path
 *   mem N DIR MASK           memory per cgroup: see mem_test() below
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifdef __x86_64__
#include <asm/prctl.h>
#endif

#define CGROOT "/sys/fs/cgroup"

static const char *self;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "cpufeat-bench: ");
	vfprintf(stderr, fmt, ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void result(const char *test, uint64_t ns, unsigned long n)
{
	printf("RESULT %s %llu %lu\n", test, (unsigned long long)ns, n);
	fflush(stdout);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = strlen(s);

	errno = 0;
	if (fd < 0 || write(fd, s, len) != len)
		die("write '%s' to %s", s, path);
	close(fd);
}

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* Warm-up rounds: a tenth, at least one, at most 100. */
static unsigned long warm(unsigned long n)
{
	n /= 10;
	return n < 1 ? 1 : n > 100 ? 100 : n;
}

/*
 * Run the statement @op warm(@n) times, then @n times on the clock, and
 * report those as @name.  A macro, not a function taking a callback: the
 * loops measure @op alone, with no indirect call around it.
 */
#define timed_loop(name, n, op) do {			\
	unsigned long i_;				\
	uint64_t t_;					\
							\
	for (i_ = 0; i_ < warm(n); i_++)		\
		op;					\
	t_ = now();					\
	for (i_ = 0; i_ < (n); i_++)			\
		op;					\
	result(name, now() - t_, n);			\
} while (0)

static void calib(unsigned long n)
{
	unsigned long i = n;
	uint64_t t = now();

#if defined(__x86_64__)
	asm volatile("1: dec %0\n\tjnz 1b" : "+r" (i));
#elif defined(__aarch64__)
	asm volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r" (i) : : "cc");
#endif
	result("calib", now() - t, n);
}

static void spawn1(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || status)
		die("%s: status %d", argv[0], status);
}

static void spawn(unsigned long n, char **argv)
{
	timed_loop("spawn", n, spawn1(argv));
}

static void getppid_test(unsigned long n)
{
	timed_loop("getppid", n, syscall(SYS_getppid));
}

#ifdef __x86_64__
static void cpuid(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "+a" (*a), "=b" (*b), "+c" (*c), "=d" (*d));
}

/* CPUID leaf 7, subleaf 0: where avx2 is. */
static void cpuid_7_0(void)
{
	uint32_t a = 7, b, c = 0, d;

	cpuid(&a, &b, &c, &d);
}

static void cpuid_loop(const char *test, unsigned long n)
{
	timed_loop(test, n, cpuid_7_0());
}

static void smsw_loop(unsigned long n)
{
	unsigned long v;

	timed_loop("smsw", n, asm volatile("smsw %k0" : "=r" (v)));
}

static long arch_set_cpuid(int on)
{
	return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on);
}

/*
 * A CPUID that faulted (ARCH_SET_CPUID(0) gives SIGSEGV): enable CPUID,
 * execute it, hide avx2 (CPUID 7.0 EBX bit 5), disable CPUID again and
 * continue after the instruction, as rr and libvirtcpuid do.
 */
static void cpuid_segv(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	const unsigned char *ip = (const unsigned char *)g[REG_RIP];
	uint32_t a = g[REG_RAX], b, c = g[REG_RCX], d;

	if (ip[0] != 0x0f || ip[1] != 0xa2)
		abort();
	arch_set_cpuid(1);
	cpuid(&a, &b, &c, &d);
	if (g[REG_RAX] == 7 && c == 0)
		b &= ~(1U << 5);
	arch_set_cpuid(0);
	g[REG_RAX] = a;
	g[REG_RBX] = b;
	g[REG_RCX] = c;
	g[REG_RDX] = d;
	g[REG_RIP] += 2;
}

static void cpuid_user(unsigned long n)
{
	struct sigaction sa = {
		.sa_sigaction = cpuid_segv,
		.sa_flags = SA_SIGINFO,
	};

	if (sigaction(SIGSEGV, &sa, NULL))
		die("sigaction");
	errno = 0;
	if (arch_set_cpuid(0))
		die("ARCH_SET_CPUID(0)");
	cpuid_loop("cpuid-user", n);
	arch_set_cpuid(1);
}
#endif

#ifdef __aarch64__
static void mrs_loop(unsigned long n)
{
	unsigned long v;

	timed_loop("mrs", n, asm volatile("mrs %0, S3_0_C0_C6_0" : "=r" (v)));
}
#endif

#define PONG_IN		20
#define PONG_OUT	21

/* The peer of pingpong: answer each byte on PONG_IN with one on PONG_OUT. */
static void pong(void)
{
	char c;

	while (read(PONG_IN, &c, 1) == 1)
		if (write(PONG_OUT, &c, 1) != 1)
			die("write to the pinging process");
	exit(0);
}

static void pingpong(unsigned long n, const char *cgroup)
{
	int to[2], from[2], status;
	unsigned long i;
	uint64_t t = 0;
	char c = 0;
	pid_t pid;

	if (pipe(to) || pipe(from))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		/* Above the four pipe ends, whatever their numbers. */
		if (dup2(to[0], PONG_IN) < 0 || dup2(from[1], PONG_OUT) < 0)
			die("dup2");
		close(to[0]);
		close(to[1]);
		close(from[0]);
		close(from[1]);
		/* The peer is executed (in CGROUP, if any): it has a view. */
		if (cgroup)
			execl(self, self, "-c", cgroup, "pong", "0", NULL);
		else
			execl(self, self, "pong", "0", NULL);
		die("exec %s", self);
	}
	close(to[0]);
	close(from[1]);
	for (i = 0; i < n + warm(n); i++) {
		if (i == warm(n))
			t = now();
		if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
			die("ping");
	}
	result("pingpong", now() - t, n);
	close(to[1]);
	waitpid(pid, &status, 0);
}

static void cpuinfo1(void)
{
	static char buf[65536];
	int fd = open("/proc/cpuinfo", O_RDONLY);

	if (fd < 0)
		die("/proc/cpuinfo");
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void cpuinfo(unsigned long n)
{
	timed_loop("cpuinfo", n, cpuinfo1());
}

static void mkcg(const char *path)
{
	errno = 0;
	if (mkdir(path, 0755))
		die("mkdir %s", path);
}

/* With @kept, every child hides @mask itself. */
static void hwcap_write(unsigned long n, const char *dir, const char *mask,
			char **sizes, int kept)
{
	const char *tag = kept ? "-kept" : "";
	unsigned long have = 0, size, i;
	char path[4096], name[64];
	uint64_t t;

	mkcg(dir);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	write_file(path, "+cpufeat");
	snprintf(path, sizeof(path), "%s/cpufeat.hwcap", dir);
	for (; *sizes; sizes++) {
		size = strtoul(*sizes, NULL, 10);
		t = now();
		for (; have < size; have++) {
			char child[4096];

			snprintf(child, sizeof(child), "%s/c%lu", dir, have);
			mkcg(child);
			if (!kept)
				continue;
			strcat(child, "/cpufeat.hwcap");
			write_file(child, mask);
		}
		snprintf(name, sizeof(name), "mkdir%s-%lu", tag, size);
		result(name, now() - t, size);
		write_file(path, mask);
		write_file(path, "max");
		t = now();
		for (i = 0; i < n; i++)
			write_file(path, i % 2 ? "max" : mask);
		snprintf(name, sizeof(name), "hwcap-%s-%lu",
			 kept ? "kept" : "write", size);
		result(name, now() - t, n);
		write_file(path, "max");
	}
}

static void chain(unsigned long depth, const char *dir, const char *mask)
{
	char path[8192];
	char file[8300];
	unsigned long i;

	snprintf(path, sizeof(path), "%s", dir);
	for (i = 0; i < depth; i++) {
		mkcg(path);
		if (i == 0) {
			snprintf(file, sizeof(file), "%s/cpufeat.hwcap", path);
			write_file(file, mask);
		}
		if (i + 1 == depth)
			break;
		snprintf(file, sizeof(file), "%s/cgroup.subtree_control",
			 path);
		write_file(file, "+cpufeat");
		strcat(path, "/c");
	}
	printf("%s\n", path);
}

/* Slab + Percpu of /proc/meminfo, in bytes. */
static long long slab_percpu(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long long sum = 0, kb;
	char line[256];

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1 ||
		    sscanf(line, "Percpu: %lld kB", &kb) == 1)
			sum += kb * 1024;
	fclose(f);
	return sum;
}

/*
 * Memory per cgroup: by how much do Slab + Percpu of /proc/meminfo grow
 * when N cgroups are made in DIR/off, a parent that enables no controller
 * for its children, in DIR/on, which enables cpufeat, in DIR/pids, which
 * enables pids (for comparison: another small controller), and in DIR/set,
 * which enables cpufeat and whose children each hide MASK themselves?
 * Each is measured twice, in turn; a sync and a pause let freed memory
 * settle between steps.  Prints RESULT mem-off-K, mem-on-K, mem-pids-K and
 * mem-set-K (bytes for N cgroups, K = 1 or 2).
 */
static void mem_test(unsigned long n, const char *dir, const char *mask)
{
	static const char * const parents[] = { "off", "on", "pids", "set" };
	static const char * const enable[] = { NULL, "+cpufeat", "+pids",
					       "+cpufeat" };
	const unsigned long kinds = 4;
	char path[4096], name[64];
	unsigned long p, i;
	long long before;

	write_file(CGROOT "/cgroup.subtree_control", "+cpufeat +pids");
	mkcg(dir);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	write_file(path, "+cpufeat +pids");
	for (p = 0; p < 2 * kinds; p++) {
		snprintf(name, sizeof(name), "mem-%s-%lu", parents[p % kinds],
			 p / kinds + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		mkcg(path);
		if (enable[p % kinds]) {
			strcat(path, "/cgroup.subtree_control");
			write_file(path, enable[p % kinds]);
		}
		sync();
		usleep(100000);
		before = slab_percpu();
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s/c%lu", dir, name,
				 i);
			mkcg(path);
			if (strcmp(parents[p % kinds], "set"))
				continue;
			strcat(path, "/cpufeat.hwcap");
			write_file(path, mask);
		}
		sync();
		usleep(100000);
		printf("RESULT %s %lld %lu\n", name, slab_percpu() - before, n);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	unsigned long n;
	const char *test;

	self = "/proc/self/exe";
	if (argc >= 3 && !strcmp(argv[1], "-c")) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/cgroup.procs", argv[2]);
		write_file(path, "0");
		argv[2] = argv[0];
		execv("/proc/self/exe", argv + 2);
		die("exec");
	}
	if (argc < 3)
		die("usage: cpufeat-bench [-c CGROUP] TEST N [ARG...]");
	/* The program to execute again must not change under us. */
	self = realpath("/proc/self/exe", NULL);
	if (!self)
		die("realpath");
	test = argv[1];
	n = strtoul(argv[2], NULL, 10);
	pin_cpu0();
	if (!strcmp(test, "nop"))
		return 0;
	if (!strcmp(test, "pong"))
		pong();
	if (!strcmp(test, "calib"))
		calib(n);
	else if (!strcmp(test, "spawn") && argc >= 4)
		spawn(n, argv + 3);
	else if (!strcmp(test, "getppid"))
		getppid_test(n);
#ifdef __x86_64__
	else if (!strcmp(test, "cpuid"))
		cpuid_loop("cpuid", n);
	else if (!strcmp(test, "cpuid-user"))
		cpuid_user(n);
	else if (!strcmp(test, "smsw"))
		smsw_loop(n);
#endif
#ifdef __aarch64__
	else if (!strcmp(test, "mrs"))
		mrs_loop(n);
#endif
	else if (!strcmp(test, "pingpong"))
		pingpong(n, argc >= 4 ? argv[3] : NULL);
	else if (!strcmp(test, "cpuinfo"))
		cpuinfo(n);
	else if (!strcmp(test, "hwcap-write") && argc >= 6)
		hwcap_write(n, argv[3], argv[4], argv + 5, 0);
	else if (!strcmp(test, "hwcap-kept") && argc >= 6)
		hwcap_write(n, argv[3], argv[4], argv + 5, 1);
	else if (!strcmp(test, "chain") && argc >= 5)
		chain(n, argv[3], argv[4]);
	else if (!strcmp(test, "mem") && argc >= 5)
		mem_test(n, argv[3], argv[4]);
	else
		die("unknown test or missing arguments: %s", test);
	return 0;
}
