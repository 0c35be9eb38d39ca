// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat criu-hook: a CRIU action script (criu --action-script).  CRIU
 * executes the script's path, without arguments, at each stage (so criu
 * is given the link cpufeat-criu-hook), CRTOOLS_SCRIPT_ACTION naming the
 * stage, CRTOOLS_IMAGE_DIR the image directory (a /proc/CRIU/fd/N path)
 * and, once the process tree is known, CRTOOLS_INIT_PID its root
 * (criu/action-scripts.c; CRIU's test/others/action-script checks that
 * post-dump and post-restore have it, pre-dump and pre-restore not).
 *
 *   post-dump     record the machine's features and the view of every
 *                 dumped process (the tree of CRTOOLS_INIT_PID, still
 *                 frozen) in IMAGE_DIR/cpufeat-criu.txt
 *   pre-restore   refuse (exit 1: criu aborts) when this machine lacks an
 *                 instruction set or state of a recorded view
 *   post-restore  give every restored process its recorded view, narrowing
 *                 the view it has (criu's: it is a copy of criu) by writing
 *                 /proc/PID/cpufeat, then check that each has it (exit 1:
 *                 criu kills the restored tree).  CRIU runs it once the
 *                 processes are restored, before they resume (criu/
 *                 cr-restore.c: before CR_STATE_RESTORE_CREDS and
 *                 CR_STATE_COMPLETE)
 *
 * Other stages do nothing.  See cpufeat.8, CRIU.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cpufeat.h"

/* A process of the tree: its host PID and its parent's. */
struct proc_link {
	long pid;
	long ppid;
};

/* The parent of @pid from /proc/PID/stat (after the command's ')'). */
static long proc_ppid(long pid)
{
	char *path = xasprintf("%s/proc/%ld/stat", sysroot(), pid), *text, *p;
	long ppid = -1;

	if (read_text(path, &text) == 0) {
		p = strrchr(text, ')');
		if (p && p[1] == ' ' && p[2] && p[3] == ' ')
			ppid = strtol(p + 4, NULL, 10);
		free(text);
	}
	free(path);
	return ppid;
}

/* @pid's id in its innermost PID namespace (the last of NSpid), or @pid. */
static long proc_nspid(long pid)
{
	char *path = xasprintf("%s/proc/%ld/status", sysroot(), pid), *text, *p;
	long nspid = pid;

	if (read_text(path, &text) == 0) {
		p = strstr(text, "\nNSpid:");
		if (p) {
			p += 7;
			while (*p && *p != '\n') {
				p += strspn(p, " \t");
				if (isdigit((unsigned char)*p))
					nspid = strtol(p, &p, 10);
				else
					break;
			}
		}
		free(text);
	}
	free(path);
	return nspid;
}

/*
 * @root and all its descendants, @root first, parents before children:
 * the tree CRIU dumps or restores.  Threads share their process's view.
 */
static size_t proc_tree(long root, long **pids)
{
	struct proc_link *all = NULL;
	size_t nr_all = 0, nr = 0, i, j;
	char *dir = sys_path("/proc");
	struct dirent *d;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		die(EXIT_SYSTEM, "%s: %s", dir, strerror(errno));
	while ((d = readdir(dp))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		all = xrealloc(all, (nr_all + 1) * sizeof(*all));
		all[nr_all].pid = atol(d->d_name);
		all[nr_all].ppid = proc_ppid(all[nr_all].pid);
		nr_all++;
	}
	closedir(dp);
	free(dir);
	*pids = xrealloc(NULL, (nr_all + 1) * sizeof(**pids));
	(*pids)[nr++] = root;
	for (i = 0; i < nr; i++)
		for (j = 0; j < nr_all; j++)
			if (all[j].ppid == (*pids)[i] && all[j].pid != root)
				(*pids)[nr++] = all[j].pid;
	free(all);
	return nr;
}

/* @pid's view; false if it has none (no program: a zombie). */
static bool proc_view(long pid, struct featset *view)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", pid);
	read_view(buf, view);
	return view->nr > 0;
}

/*
 * Can this kernel narrow the view of process @pid?  /proc/PID/cpufeat is
 * writable (0600) where it can, read-only (0400) before.
 */
static bool can_narrow(const char *pid)
{
	char *path = xasprintf("%s/proc/%s/cpufeat", sysroot(), pid);
	struct stat st;
	bool ok;

	ok = !stat(path, &st) && (st.st_mode & S_IWUSR);
	free(path);
	return ok;
}

/*
 * Give restored process @pid (@nspid in the record) its recorded view
 * @rec, narrowing @view, the one it has, which is then read again.  False,
 * said why, if @rec has features @view lacks (a view is never widened) or
 * the kernel refused.
 */
static bool narrow_view(long pid, long nspid, struct featset *view,
			const struct featset *rec)
{
	char *path, *text, buf[32];
	struct featset wider;
	bool ok = true;
	ssize_t len;
	int fd;

	fs_init(&wider);
	fs_copy(&wider, rec);
	fs_minus(&wider, view);
	if (wider.nr) {
		text = fs_join(&wider);
		fprintf(stderr, "cpufeat: restored process %ld (pid %ld here) cannot get its recorded view: it would need %s, which the view criu runs with lacks (a view can be narrowed, never widened)\n",
			nspid, pid, text);
		free(text);
		fs_free(&wider);
		return false;
	}
	fs_free(&wider);
	if (view->nr == rec->nr)
		return true;
	path = xasprintf("%s/proc/%ld/cpufeat", sysroot(), pid);
	text = fs_join(rec);
	fd = open(path, O_WRONLY | O_TRUNC);
	len = fd < 0 ? -1 : write(fd, text, strlen(text));
	if (len != (ssize_t)strlen(text)) {
		fprintf(stderr, "cpufeat: %s: cannot narrow restored process %ld's view: %s\n",
			path, nspid, strerror(errno));
		ok = false;
	}
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	if (ok) {
		snprintf(buf, sizeof(buf), "%ld", pid);
		fs_free(view);
		read_view(buf, view);
	}
	return ok;
}

static long root_pid(void)
{
	const char *s = getenv("CRTOOLS_INIT_PID");
	char *end;
	long pid;

	if (!s || !*s)
		die(EXIT_SYSTEM, "CRTOOLS_INIT_PID is not set: is this run by criu --action-script?");
	pid = strtol(s, &end, 10);
	if (*end || pid <= 0)
		die(EXIT_SYSTEM, "CRTOOLS_INIT_PID=\"%s\" is not a process id", s);
	return pid;
}

/* post-dump: the record, written whole or not at all. */
static int hook_post_dump(const char *images)
{
	char *path = xasprintf("%s/%s", images, CRIU_RECORD);
	char *tmp = xasprintf("%s.tmp", path);
	struct criu_record r;
	struct featset view;
	struct utsname u;
	size_t nr, i;
	long *pids;
	FILE *f;

	record_init(&r);
	r.arch = xstrdup(this_arch());
	r.kernel = xstrdup(uname(&u) ? "unknown" : u.release);
	r.cpu = cpu_model();
	machine_features(&r.machine);
	nr = proc_tree(root_pid(), &pids);
	for (i = 0; i < nr; i++) {
		fs_init(&view);
		record_add(&r, proc_nspid(pids[i]),
			   proc_view(pids[i], &view) ? &view : NULL);
		fs_free(&view);
	}
	f = fopen(tmp, "w");
	if (!f)
		die(EXIT_SYSTEM, "%s: %s", tmp, strerror(errno));
	if (write_record(f, &r) || fclose(f) || rename(tmp, path))
		die(EXIT_SYSTEM, "%s: cannot write the record: %s", path,
		    strerror(errno));
	if (!quiet)
		fprintf(stderr, "cpufeat: recorded the views of %zu processes in %s\n",
			nr, path);
	free(pids);
	free(tmp);
	free(path);
	record_free(&r);
	return EXIT_OK;
}

/* The record of @images; false (with a warning) if there is none. */
static bool load_record(const char *images, struct criu_record *r)
{
	char *path = xasprintf("%s/%s", images, CRIU_RECORD), *text;
	char err[ERRLEN];
	int e;

	e = read_text(path, &text);
	if (e == -ENOENT) {
		warn("%s: no record: the images were dumped without \"cpufeat criu-hook\"; nothing checked",
		     path);
		free(path);
		return false;
	}
	if (e)
		die(EXIT_SYSTEM, "%s: %s", path, strerror(-e));
	if (parse_record(text, path, r, err))
		die(EXIT_SYSTEM, "%s", err);
	free(text);
	free(path);
	return true;
}

static void print_names(const char *what, const struct featset *fs)
{
	char *s = fs_join(fs);

	fprintf(stderr, "cpufeat: %s: %s\n", what, s);
	free(s);
}

/*
 * pre-restore: does this machine have what the recorded programs were told
 * about?  And will they get their views (criu's own view, which every
 * process it restores inherits)?
 */
static int hook_pre_restore(const char *images, bool strict)
{
	struct featset target, self;
	struct check_result res;
	struct criu_record r;
	const char *arch = this_arch();
	size_t i, differ = 0, views = 0;
	int status = EXIT_OK;
	bool narrow;

	if (!load_record(images, &r))
		return EXIT_OK;
	if (strcmp(r.arch, arch)) {
		fprintf(stderr, "cpufeat: refusing to restore: the checkpoint was made on %s, this machine is %s\n",
			r.arch, arch);
		record_free(&r);
		return EXIT_MISSING;
	}
	machine_features(&target);
	record_check(&r, arch, &target, strict, &res);
	if (res.refused.nr) {
		fprintf(stderr, "cpufeat: refusing to restore on this machine: it lacks %zu of the features the checkpointed programs were told about (recorded on %s, %s)\n",
			res.refused.nr, r.cpu, r.kernel);
		print_names("missing", &res.refused);
		if (res.missing[FC_STATE].nr)
			print_names("state a checkpoint holds, which a CPU without them cannot restore",
				    &res.missing[FC_STATE]);
		if (res.missing[FC_UNKNOWN].nr)
			print_names("not in cpufeat's table, taken for instruction sets",
				    &res.missing[FC_UNKNOWN]);
		status = EXIT_MISSING;
	} else if (!quiet && res.missing[FC_HINT].nr) {
		print_names("note: performance hints this machine lacks, programs work without them",
			    &res.missing[FC_HINT]);
	}
	check_free(&res);
	fs_free(&target);
	fs_init(&self);
	read_view("self", &self);
	narrow = can_narrow("self");
	for (i = 0; i < r.nr; i++) {
		if (!r.procs[i].has_view)
			continue;
		views++;
		/* Narrowing at post-restore fixes a view that is wider. */
		fs_copy(&target, &r.procs[i].view);
		fs_minus(&target, &self);
		if (target.nr || (!narrow && self.nr != r.procs[i].view.nr))
			differ++;
	}
	if (differ && narrow) {
		fprintf(stderr, "cpufeat: %s: %zu of the %zu recorded views have features the view criu runs with lacks, which the processes it restores cannot get (a view is narrowed, never widened): run criu in a cgroup that offers them (cpufeat run --cgroup CGROUP --exec FILE -- criu restore ...)\n",
			strict ? "refusing to restore" : "warning", differ, views);
	} else if (differ) {
		fprintf(stderr, "cpufeat: %s: %zu of the %zu recorded views are not the view criu runs with, which the processes it restores get: run criu in a cgroup with that view (cpufeat run --cgroup CGROUP --exec FILE -- criu restore ...)\n",
			strict ? "refusing to restore" : "warning", differ, views);
	}
	if (differ && strict)
		status = EXIT_MISSING;
	fs_free(&self);
	fs_free(&target);
	record_free(&r);
	return status;
}

/* Does @view have a feature @rec lacks? */
static bool extra_of(const struct featset *view, const struct featset *rec)
{
	struct featset extra;
	bool ret;

	fs_init(&extra);
	fs_copy(&extra, view);
	fs_minus(&extra, rec);
	ret = extra.nr > 0;
	fs_free(&extra);
	return ret;
}

/*
 * post-restore: every restored process gets the view it was dumped with,
 * and has it.
 */
static int hook_post_restore(const char *images)
{
	struct featset view, extra, lack;
	struct criu_record r;
	struct criu_proc *p;
	size_t nr, i, bad = 0, narrowed = 0;
	long *pids, nspid;
	bool narrow = true;
	char buf[32];

	if (!load_record(images, &r))
		return EXIT_OK;
	nr = proc_tree(root_pid(), &pids);
	for (i = 0; i < nr; i++) {
		nspid = proc_nspid(pids[i]);
		p = record_find(&r, nspid);
		fs_init(&view);
		if (!proc_view(pids[i], &view) || !p || !p->has_view) {
			if (!p)
				warn("restored process %ld (pid %ld here) is not in the record",
				     nspid, pids[i]);
			fs_free(&view);
			continue;
		}
		snprintf(buf, sizeof(buf), "%ld", pids[i]);
		if (!can_narrow(buf)) {
			narrow = false;
		} else if (view.nr != p->view.nr || extra_of(&view, &p->view)) {
			if (!narrow_view(pids[i], nspid, &view, &p->view)) {
				bad++;
				fs_free(&view);
				continue;
			}
			narrowed++;
		}
		fs_init(&extra);
		fs_init(&lack);
		fs_copy(&extra, &view);
		fs_minus(&extra, &p->view);
		fs_copy(&lack, &p->view);
		fs_minus(&lack, &view);
		if (extra.nr || lack.nr) {
			char *e = fs_join(&extra), *l = fs_join(&lack);

			fprintf(stderr, "cpufeat: restored process %ld (pid %ld here) has another view than it was dumped with:%s%s%s%s\n",
				nspid, pids[i], extra.nr ? " it now sees " : "", e,
				lack.nr ? "; it no longer sees " : "", l);
			free(e);
			free(l);
			bad++;
		}
		fs_free(&extra);
		fs_free(&lack);
		fs_free(&view);
	}
	if (narrowed && !quiet)
		fprintf(stderr, "cpufeat: narrowed the views of %zu restored processes to the recorded ones\n",
			narrowed);
	if (bad && !narrow)
		fprintf(stderr, "cpufeat: %zu of %zu restored processes do not have their recorded views: criu restores every process with its own view, and this kernel cannot narrow it (/proc/PID/cpufeat is read-only); run criu in a cgroup with the recorded view\n",
			bad, nr);
	else if (bad)
		fprintf(stderr, "cpufeat: %zu of %zu restored processes do not have their recorded views\n",
			bad, nr);
	else if (!quiet)
		fprintf(stderr, "cpufeat: the %zu restored processes have the views they were dumped with\n",
			nr);
	free(pids);
	record_free(&r);
	return bad ? EXIT_MISSING : EXIT_OK;
}

int cmd_criu_hook(int argc, char **argv)
{
	const char *images = getenv("CRTOOLS_IMAGE_DIR");
	const char *action = getenv("CRTOOLS_SCRIPT_ACTION");
	bool strict = false;
	struct opt opts[] = {
		{ "images", 'D', true, &images, NULL },
		{ "strict", 0, false, NULL, &strict },
		{ "quiet", 'q', false, NULL, &quiet },
		{ NULL },
	};
	int first;

	first = parse_opts(argc, argv, 2, opts, false);
	if (argc - first > 1)
		usage_error("criu-hook takes at most one ACTION");
	if (first < argc)
		action = argv[first];
	if (!action)
		usage_error("criu-hook: no ACTION and no CRTOOLS_SCRIPT_ACTION (criu --action-script /usr/bin/cpufeat-criu-hook)");
	if (strcmp(action, "post-dump") && strcmp(action, "pre-restore") &&
	    strcmp(action, "post-restore"))
		return EXIT_OK;
	if (!images)
		usage_error("criu-hook %s: no --images and no CRTOOLS_IMAGE_DIR", action);
	if (!strcmp(action, "post-dump"))
		return hook_post_dump(images);
	if (!strcmp(action, "pre-restore"))
		return hook_pre_restore(images, strict);
	return hook_post_restore(images);
}
