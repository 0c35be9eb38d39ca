// SPDX-License-Identifier: GPL-2.0
/*
 * The cpufeat tests of a restorer's writes to /proc/PID/cpufeat: a
 * process that never executes again (as one that CRIU restores, a copy of
 * the restorer) gets a narrower view, in each of its threads and in CPUID
 * on x86; the view is never widened; malformed, unknown, oversized and
 * unprivileged writes are refused and change nothing.  Part of test_cpufeat
 * (test_cpufeat.c lists the tests).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "cpufeat_util.h"

/* Threads of a restored process, besides its main thread. */
#define RESTORED_THREADS	4

/*
 * A process like one a restorer made: a copy of the test, which never
 * executes, with its threads waiting for @go while it is narrowed.
 */
struct restored {
	pid_t pid;
	int go[2];		/* a byte per thread lets it check its view */
	int ready[2];		/* closed by the child once its threads run */
	char path[64];		/* its /proc/PID/cpufeat */
};

static atomic_int restored_bad;
static const char *restored_expected;

/*
 * In each thread of the restored process: what /proc/self/cpufeat says,
 * and on x86 what CPUID says, is the expected view.
 */
static void *restored_check(void *arg)
{
	int fd = *(int *)arg;
	char view[LIST_SIZE], c;

	if (read(fd, &c, 1) != 1 ||
	    read_text("/proc/thread-self/cpufeat", view, sizeof(view)) < 0) {
		restored_bad++;
		return NULL;
	}
	view[strcspn(view, "\n")] = '\0';
	if (strcmp(view, restored_expected)) {
		print_list_diff("a thread's /proc/thread-self/cpufeat",
				restored_expected, view);
		restored_bad++;
	}
	if (cpufeat_arch.probe_check &&
	    cpufeat_arch.probe_check(view, true))
		restored_bad++;
	return NULL;
}

/* The restored process: 0 if each of its threads saw @expected. */
static int restored_main(struct restored *r, const char *expected)
{
	pthread_t threads[RESTORED_THREADS];
	int i, n;

	close(r->go[1]);
	close(r->ready[0]);
	restored_expected = expected;
	for (n = 0; n < RESTORED_THREADS; n++)
		if (pthread_create(&threads[n], NULL, restored_check, &r->go[0]))
			break;
	close(r->ready[1]);
	if (n == RESTORED_THREADS)
		restored_check(&r->go[0]);
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	return n == RESTORED_THREADS && !restored_bad ? 0 : 1;
}

/*
 * Start a restored process in @cg whose threads will check that they see
 * @expected.  It runs its threads before it returns.
 */
static int restored_start(struct restored *r, const char *cg,
			  const char *expected)
{
	char c;

	r->pid = -1;
	if (pipe(r->go) || pipe(r->ready))
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (!r->pid) {
		if (cg && cg_enter_current(cg))
			_exit(2);
		_exit(restored_main(r, expected));
	}
	close(r->go[0]);
	close(r->ready[1]);
	snprintf(r->path, sizeof(r->path), "/proc/%d/cpufeat", r->pid);
	/* EOF: the child closed it with its threads running, or died. */
	return read(r->ready[0], &c, 1) == 0 ? 0 : -1;
}

/* Let its threads check, and wait for it: 0 if they all saw it. */
static int restored_finish(struct restored *r)
{
	int status, i;

	if (r->pid < 0)
		return -1;
	for (i = 0; i <= RESTORED_THREADS; i++)
		if (write(r->go[1], "g", 1) != 1)
			break;
	close(r->go[1]);
	close(r->ready[0]);
	if (waitpid(r->pid, &status, 0) != r->pid)
		return -1;
	r->pid = -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

static void restored_kill(struct restored *r)
{
	if (r->pid <= 0)
		return;
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	r->pid = -1;
}

/* Write @text to @path in one write(): 0 or the errno. */
static int write_view(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ?: EIO;
	close(fd);
	return err;
}

/* Does @path read @expected (a line of names, without its newline)? */
static bool view_reads(const char *path, const char *expected)
{
	char buf[LIST_SIZE];

	if (read_text(path, buf, sizeof(buf)) < 0) {
		ksft_print_msg("can't read %s: %s\n", path, strerror(errno));
		return false;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, expected)) {
		print_list_diff(path, expected, buf);
		return false;
	}
	return true;
}

/* A write of @text expected to fail with @err; false if it did not. */
static bool refused(const char *path, const char *what, const char *text,
		    size_t len, int err)
{
	int got = write_view(path, text, len);

	if (got == err)
		return true;
	ksft_print_msg("%s: %s, expected %s\n", what,
		       got ? strerror(got) : "taken", strerror(err));
	return false;
}

/* The expected view after hiding @first: an extra cgroup's closure. */
static int expected_view(struct fixture *f, char *eff)
{
	char edit[64];

	snprintf(edit, sizeof(edit), "-%s", cpufeat_arch.hide_set[0]);
	return fixture_cgroup(f, NULL, "cpufeat_test_restore_expected", edit,
			      eff) ? 0 : -1;
}

/* The feature the tests hide: the first of the architecture's hide_set. */
static const char *first_hidden[2];

/*
 * The restored processes are copies of this test: SKIP unless it sees the
 * machine's features, which the expected views start from.
 */
static int own_view_is_machine(struct fixture *f)
{
	char own[LIST_SIZE];

	if (read_text("/proc/self/cpufeat", own, sizeof(own)) < 0)
		return KSFT_FAIL;
	own[strcspn(own, "\n")] = '\0';
	if (!strcmp(own, f->machine))
		return KSFT_PASS;
	ksft_print_msg("this test runs with a view narrower than the machine's\n");
	return KSFT_SKIP;
}

/*
 * Both tests' set-up: the cgroup @name, unrestricted, on a machine with the
 * feature they hide.
 */
static int restore_setup(struct fixture **fp, const char *root,
			 const char *name)
{
	const struct fixture_params params = {
		.needs = first_hidden,
		.name = name,
		.unchanged = true,
		.prepare = own_view_is_machine,
	};

	first_hidden[0] = cpufeat_arch.hide_set[0];
	return fixture_setup(fp, root, &params);
}

/*
 * A process in an unrestricted cgroup that never executes again, all its
 * threads waiting, is narrowed by a write of "-FEATURE" to its
 * /proc/PID/cpufeat: every thread then sees the view a cgroup hiding
 * FEATURE gives (what needs FEATURE hidden too), in /proc/thread-self/cpufeat
 * and on x86 in CPUID.  Writing the machine's whole list afterwards does
 * not widen it, and writing its own view changes nothing.
 */
int test_cpufeat_restore_narrows(const char *root)
{
	static char expected[LIST_SIZE];
	struct restored r = { .pid = -1 };
	struct fixture *f;
	char edit[64];
	int ret, err;

	ret = restore_setup(&f, root, "cpufeat_test_restore");
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (expected_view(f, expected))
		goto cleanup;
	if (restored_start(&r, f->cg, expected))
		goto cleanup;
	/* A copy of this test: the view it runs with, the machine's. */
	if (!view_reads(r.path, f->machine))
		goto cleanup;

	snprintf(edit, sizeof(edit), "-%s", cpufeat_arch.hide_set[0]);
	err = write_view(r.path, edit, strlen(edit));
	if (err) {
		ksft_print_msg("write \"%s\" to %s: %s\n", edit, r.path,
			       strerror(err));
		goto cleanup;
	}
	if (!view_reads(r.path, expected))
		goto cleanup;
	/* Never wider; its own view again: no change. */
	if (write_view(r.path, f->machine, strlen(f->machine)) ||
	    !view_reads(r.path, expected) ||
	    write_view(r.path, expected, strlen(expected)) ||
	    !view_reads(r.path, expected))
		goto cleanup;
	if (!restored_finish(&r))
		ret = KSFT_PASS;
	else
		ksft_print_msg("a thread of the narrowed process saw another view\n");
cleanup:
	restored_kill(&r);
	return fixture_teardown(f, ret);
}

/* In a child without CAP_SYS_ADMIN: a write to @path gets EPERM. */
static int unprivileged_write(const void *arg)
{
	const char *path = arg;
	char edit[64];

	snprintf(edit, sizeof(edit), "-%s", cpufeat_arch.hide_set[0]);
	if (drop_cap_sys_admin())
		return 2;
	return write_view(path, edit, strlen(edit)) == EPERM ? 0 : 1;
}

/* Run @fn(@arg) in a child: true if it returned 0. */
static bool in_child(int (*fn)(const void *arg), const void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (!pid)
		_exit(fn(arg));
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

/*
 * What a write to /proc/PID/cpufeat must refuse, leaving the view as it
 * was: an unknown name, malformed text, more than cpufeat.hwcap takes
 * (E2BIG), a writer without CAP_SYS_ADMIN (EPERM), a kernel thread, which
 * has no view (ESRCH).
 */
int test_cpufeat_restore_refused(const char *root)
{
	static char big[MAX_WRITE + 2];
	struct restored r = { .pid = -1 };
	struct fixture *f;
	bool ok = true;
	char comm[32];
	int ret;

	ret = restore_setup(&f, root, "cpufeat_test_restore_refused");
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (restored_start(&r, f->cg, f->machine))
		goto cleanup;

	ok &= refused(r.path, "an unknown name", "no_such_feature", 15, EINVAL);
	ok &= refused(r.path, "names and edits", "fpu -fpu", 9, EINVAL);
	ok &= refused(r.path, "white space only", "\t", 1, EINVAL);
	ok &= refused(r.path, "a NUL", "max\0", 4, EINVAL);
	memset(big, ' ', sizeof(big) - 1);
	memcpy(big, "max", 3);
	ok &= refused(r.path, "more than cpufeat.hwcap takes", big,
		      MAX_WRITE + 1, E2BIG);
	if (!in_child(unprivileged_write, r.path)) {
		ksft_print_msg("a write without CAP_SYS_ADMIN did not get EPERM\n");
		ok = false;
	}
	if (read_text("/proc/2/comm", comm, sizeof(comm)) > 0 &&
	    !strcmp(comm, "kthreadd\n"))
		ok &= refused("/proc/2/cpufeat", "a kernel thread", "max", 3,
			      ESRCH);
	/* Its threads see the machine's view still. */
	if (ok && view_reads(r.path, f->machine) && !restored_finish(&r))
		ret = KSFT_PASS;
cleanup:
	restored_kill(&r);
	return fixture_teardown(f, ret);
}
