// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid-fault-test: check that the machine, real or emulated, implements
 * CPUID faulting, Intel's or AMD's, well enough for Linux to use it.
 * Written to check the patched QEMU of tools/testing/cpufeat/setup/qemu
 * from inside a guest; it needs no cgroup and no cpufeat kernel: any x86 Linux
 * with arch_prctl(ARCH_SET_CPUID) (4.12 and later; on AMD CPUs 6.17 and
 * later, or the backport at the front of the cpufeat series) will do.
 *
 *   cpuid-fault-test      run the tests, print TAP (kselftest style);
 *                         exit 0 if all passed, 1 otherwise
 *
 * The tests: /proc/cpuinfo lists "cpuid_fault"; ARCH_GET_CPUID says
 * CPUID is enabled; ARCH_SET_CPUID(0) succeeds, after which CPUID raises
 * SIGSEGV and ARCH_GET_CPUID says disabled; a forked child inherits that;
 * execve enables CPUID again (the program re-executes itself with
 * --exec-child, which checks); ARCH_SET_CPUID(1) enables it again.
 *
 * Then the CPU itself, through /dev/cpu/N/msr (CONFIG_X86_MSR), whatever
 * the kernel knows of it: the CPU advertises CPUID faulting (Intel:
 * MSR_PLATFORM_INFO bit 31; AMD: CPUID 0x80000021 EAX bit 17, CpuidUserDis);
 * its switch (Intel: MSR_MISC_FEATURES_ENABLES bit 0; AMD: MSR_K7_HWCR bit
 * 35) is off; turned on, it reads back on and CPUID at CPL 3 raises #GP
 * (SIGSEGV); turned off, CPUID completes again.  The switch is on for a
 * few microseconds, on the CPU this program is pinned to.
 *
 * Stock QEMU under TCG does not emulate CPUID faulting: there the flag is
 * missing, ARCH_SET_CPUID fails with ENODEV and CPUID never faults, so
 * most tests fail.  That is the point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <asm/prctl.h>

#if !defined(__x86_64__) && !defined(__i386__)
#error "CPUID faulting is an x86 feature"
#endif

#ifndef ARCH_GET_CPUID
#define ARCH_GET_CPUID	0x1011
#endif
#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID	0x1012
#endif

#define NR_TESTS	12

#define MSR_PLATFORM_INFO		0xce
#define PLATFORM_INFO_CPUID_FAULT	(1ULL << 31)
#define MSR_MISC_FEATURES_ENABLES	0x140
#define MISC_FEATURES_CPUID_FAULT	(1ULL << 0)
#define MSR_K7_HWCR			0xc0010015
#define HWCR_CPUID_USER_DIS		(1ULL << 35)
#define MSR_ALLOW_WRITES	"/sys/module/msr/parameters/allow_writes"

/* How a vendor's CPUs turn CPUID faulting on. */
struct fault_switch {
	const char *vendor;
	unsigned int msr;
	unsigned long long bit;
	bool (*advertised)(int fd);
};
#define EXEC_CHILD_ARG	"--exec-child"

static int test_nr;
static int nr_pass;
static int nr_fail;

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;

static void result(bool ok, const char *name)
{
	test_nr++;
	if (ok)
		nr_pass++;
	else
		nr_fail++;
	printf("%sok %d %s\n", ok ? "" : "not ", test_nr, name);
	fflush(stdout);
}

static long arch_prctl(int code, unsigned long arg)
{
	return syscall(SYS_arch_prctl, code, arg);
}

static void sigsegv_handler(int sig)
{
	if (!fault_armed) {
		/* Not ours: die of it as if there were no handler. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	fault_armed = 0;
	siglongjmp(fault_jmp, 1);
}

/*
 * Execute CPUID leaf 0.  Returns true if it raised SIGSEGV, false if it
 * completed; *max_leaf and *vendor (13 bytes) then hold what it returned.
 */
static bool cpuid_faults(unsigned int *max_leaf, char *vendor)
{
	unsigned int eax, ebx, ecx, edx;

	if (sigsetjmp(fault_jmp, 1))
		return true;
	fault_armed = 1;
	asm volatile("cpuid"
		     : "=a" (eax), "=b" (ebx), "=c" (ecx), "=d" (edx)
		     : "a" (0), "c" (0)
		     : "memory");
	fault_armed = 0;
	if (max_leaf)
		*max_leaf = eax;
	if (vendor) {
		memcpy(vendor, &ebx, 4);
		memcpy(vendor + 4, &edx, 4);
		memcpy(vendor + 8, &ecx, 4);
		vendor[12] = '\0';
	}
	return false;
}

static void install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigsegv_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL)) {
		printf("Bail out! sigaction(SIGSEGV): %s\n", strerror(errno));
		exit(1);
	}
}

/* Does /proc/cpuinfo list @flag among the first CPU's flags? */
static bool cpuinfo_has_flag(const char *flag)
{
	char line[8192], *p, *tok, *save;
	bool found = false;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	if (!f) {
		printf("# /proc/cpuinfo: %s\n", strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		for (tok = strtok_r(p + 1, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			if (!strcmp(tok, flag)) {
				found = true;
				break;
			}
		}
		break;
	}
	fclose(f);
	return found;
}

/* ARCH_GET_CPUID is @want (1: enabled, 0: disabled); else say why not. */
static bool get_cpuid_is(long want)
{
	long ret = arch_prctl(ARCH_GET_CPUID, 0);

	if (ret < 0) {
		printf("# ARCH_GET_CPUID: %s\n", strerror(errno));
		return false;
	}
	if (ret != want) {
		printf("# ARCH_GET_CPUID returned %ld, expected %ld\n", ret, want);
		return false;
	}
	return true;
}

static bool set_cpuid(unsigned long enable)
{
	if (arch_prctl(ARCH_SET_CPUID, enable)) {
		printf("# ARCH_SET_CPUID(%lu): %s\n", enable, strerror(errno));
		return false;
	}
	return true;
}

/* CPUID completes and returns a sane leaf 0; else say why not. */
static bool cpuid_works(const char *when)
{
	unsigned int max_leaf;
	char vendor[13];

	if (cpuid_faults(&max_leaf, vendor)) {
		printf("# CPUID raised SIGSEGV %s\n", when);
		return false;
	}
	if (!max_leaf) {
		printf("# CPUID leaf 0 returned max leaf 0 %s\n", when);
		return false;
	}
	return true;
}

/* CPUID raises SIGSEGV; else say that it did not. */
static bool cpuid_traps(const char *when)
{
	if (!cpuid_faults(NULL, NULL)) {
		printf("# CPUID completed %s, no SIGSEGV\n", when);
		return false;
	}
	return true;
}

static void cpuid_count(unsigned int leaf, unsigned int subleaf,
			unsigned int *regs)
{
	asm volatile("cpuid"
		     : "=a" (regs[0]), "=b" (regs[1]), "=c" (regs[2]),
		       "=d" (regs[3])
		     : "a" (leaf), "c" (subleaf));
}

static bool rdmsr(int fd, unsigned int msr, unsigned long long *val)
{
	if (pread(fd, val, sizeof(*val), msr) != sizeof(*val)) {
		printf("# rdmsr %#x: %s\n", msr, strerror(errno));
		return false;
	}
	return true;
}

static bool wrmsr(int fd, unsigned int msr, unsigned long long val)
{
	if (pwrite(fd, &val, sizeof(val), msr) != sizeof(val)) {
		printf("# wrmsr %#x: %s\n", msr, strerror(errno));
		return false;
	}
	return true;
}

static bool intel_advertised(int fd)
{
	unsigned long long val;

	return rdmsr(fd, MSR_PLATFORM_INFO, &val) &&
	       (val & PLATFORM_INFO_CPUID_FAULT);
}

static bool amd_advertised(int fd)
{
	unsigned int regs[4];

	(void)fd;
	if (cpuid_faults(NULL, NULL))
		return false;
	cpuid_count(0x80000000, 0, regs);
	if (regs[0] < 0x80000021) {
		printf("# highest extended leaf %#x: no CPUID 0x80000021\n",
		       regs[0]);
		return false;
	}
	cpuid_count(0x80000021, 0, regs);
	printf("# CPUID 0x80000021 EAX %#x\n", regs[0]);
	return regs[0] & (1U << 17);
}

static const struct fault_switch fault_switches[] = {
	{ "GenuineIntel", MSR_MISC_FEATURES_ENABLES, MISC_FEATURES_CPUID_FAULT,
	  intel_advertised },
	{ "AuthenticAMD", MSR_K7_HWCR, HWCR_CPUID_USER_DIS, amd_advertised },
};

/* The switch's bit reads @on; else say what it reads. */
static bool switch_is(int fd, const struct fault_switch *sw, bool on)
{
	unsigned long long val;

	if (!rdmsr(fd, sw->msr, &val))
		return false;
	if (!!(val & sw->bit) != on) {
		printf("# MSR %#x is %#llx: CPUID faulting %s\n", sw->msr, val,
		       on ? "off" : "on");
		return false;
	}
	return true;
}

static bool set_switch(int fd, const struct fault_switch *sw, bool on)
{
	unsigned long long val;

	if (!rdmsr(fd, sw->msr, &val))
		return false;
	return wrmsr(fd, sw->msr, on ? val | sw->bit : val & ~sw->bit);
}

/*
 * The vendor's switch, driven through /dev/cpu/N/msr on the CPU this
 * program runs on, pinned there: four results.  Writes are allowed
 * (msr.allow_writes=on) for the while, so that they do not taint the
 * kernel.
 */
static void test_switch(const char *vendor)
{
	const struct fault_switch *sw = NULL;
	char path[64], allow[16] = "";
	bool on_ok = false, off_ok = false;
	cpu_set_t one;
	int cpu, fd, afd;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < sizeof(fault_switches) / sizeof(*fault_switches); i++)
		if (!strcmp(vendor, fault_switches[i].vendor))
			sw = &fault_switches[i];
	cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		printf("# sched_setaffinity: %s\n", strerror(errno));
	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDWR);
	if (fd < 0)
		printf("# %s: %s\n", path, strerror(errno));
	if (!sw)
		printf("# vendor %s: no CPUID faulting known\n", vendor);
	afd = open(MSR_ALLOW_WRITES, O_RDWR);
	if (afd >= 0) {
		n = read(afd, allow, sizeof(allow) - 1);
		allow[n > 0 ? n : 0] = '\0';
		if (pwrite(afd, "on", 2, 0) != 2)
			printf("# %s: %s\n", MSR_ALLOW_WRITES, strerror(errno));
	}

	result(sw && fd >= 0 && sw->advertised(fd), "hw_cpuid_fault_advertised");
	result(sw && fd >= 0 && switch_is(fd, sw, false), "hw_switch_off_at_start");
	if (sw && fd >= 0 && set_switch(fd, sw, true)) {
		on_ok = switch_is(fd, sw, true);
		on_ok = cpuid_traps("with the switch on") && on_ok;
		off_ok = set_switch(fd, sw, false) && switch_is(fd, sw, false);
		off_ok = cpuid_works("with the switch off again") && off_ok;
	}
	result(on_ok, "hw_switch_on_cpuid_faults");
	result(off_ok, "hw_switch_off_cpuid_completes");

	if (afd >= 0) {
		if (allow[0] && pwrite(afd, allow, strcspn(allow, "\n"), 0) < 0)
			printf("# %s: %s\n", MSR_ALLOW_WRITES, strerror(errno));
		close(afd);
	}
	if (fd >= 0)
		close(fd);
}

/* Wait for @pid and tell whether it exited with status 0. */
static bool child_ok(pid_t pid, const char *what)
{
	int status;

	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return false;
	}
	if (waitpid(pid, &status, 0) != pid) {
		printf("# waitpid: %s\n", strerror(errno));
		return false;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s was killed by signal %d (%s)\n", what,
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# %s exited with status %d\n", what,
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return false;
	}
	return true;
}

/* After fork: CPUID stays disabled in the child. */
static bool fork_inherits(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		bool ok = get_cpuid_is(0);

		ok = cpuid_traps("in the forked child") && ok;
		fflush(stdout);
		_exit(ok ? 0 : 1);
	}
	return child_ok(pid, "the forked child");
}

/* After execve: CPUID is enabled again (checked by --exec-child). */
static bool execve_resets(const char *argv0)
{
	char *const argv[] = { (char *)argv0, EXEC_CHILD_ARG, NULL };
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		printf("# execv /proc/self/exe: %s\n", strerror(errno));
		fflush(stdout);
		_exit(2);
	}
	return child_ok(pid, "the re-executed program");
}

/*
 * The program re-executed by execve_resets(), with CPUID disabled in the
 * process that called execve.  Had that survived, the C library's start-up
 * code would already have died of its own CPUID.
 */
static int exec_child(void)
{
	bool ok;

	install_handler();
	ok = get_cpuid_is(1);
	ok = cpuid_works("after execve") && ok;
	fflush(stdout);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	char vendor[13] = "?";
	unsigned int max_leaf = 0;

	if (argc == 2 && !strcmp(argv[1], EXEC_CHILD_ARG))
		return exec_child();
	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}

	install_handler();
	printf("TAP version 13\n");
	printf("1..%d\n", NR_TESTS);
	if (!cpuid_faults(&max_leaf, vendor))
		printf("# CPU vendor %s, max basic leaf %#x\n", vendor, max_leaf);

	result(cpuinfo_has_flag("cpuid_fault"), "cpuinfo_cpuid_fault_flag");
	result(get_cpuid_is(1) && cpuid_works("at start"),
	       "get_cpuid_enabled_at_start");

	result(set_cpuid(0), "set_cpuid_0");
	result(cpuid_traps("after ARCH_SET_CPUID(0)"), "cpuid_sigsegv_when_disabled");
	result(get_cpuid_is(0), "get_cpuid_disabled");
	result(fork_inherits(), "fork_inherits_disabled");
	result(execve_resets(argv[0]), "execve_reenables");

	result(set_cpuid(1) && get_cpuid_is(1) &&
	       cpuid_works("after ARCH_SET_CPUID(1)"), "set_cpuid_1_reenables");

	test_switch(vendor);

	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       nr_pass, nr_fail);
	return nr_fail || test_nr != NR_TESTS ? 1 : 0;
}
