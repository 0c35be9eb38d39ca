// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat: the record "cpufeat criu-hook" keeps in a CRIU image directory
 * (see cpufeat.8, CRIU RECORD): the dumping machine's features and each
 * dumped process's view, and what a restore target lacks of them.  No
 * system access here: tests/unit.c tests it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpufeat.h"

void record_init(struct criu_record *r)
{
	memset(r, 0, sizeof(*r));
	fs_init(&r->machine);
}

void record_free(struct criu_record *r)
{
	size_t i;

	free(r->arch);
	free(r->kernel);
	free(r->cpu);
	fs_free(&r->machine);
	for (i = 0; i < r->nr; i++)
		fs_free(&r->procs[i].view);
	free(r->procs);
	record_init(r);
}

/* Add process @nspid with @view (NULL: no program, a zombie). */
void record_add(struct criu_record *r, long nspid, const struct featset *view)
{
	struct criu_proc *p;

	r->procs = xrealloc(r->procs, (r->nr + 1) * sizeof(*r->procs));
	p = &r->procs[r->nr++];
	p->nspid = nspid;
	p->has_view = view;
	fs_init(&p->view);
	if (view)
		fs_copy(&p->view, view);
}

struct criu_proc *record_find(const struct criu_record *r, long nspid)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (r->procs[i].nspid == nspid)
			return &r->procs[i];
	return NULL;
}

int write_record(FILE *f, const struct criu_record *r)
{
	char *s;
	size_t i;

	s = fs_join(&r->machine);
	fprintf(f, "# cpufeat criu-hook: the views of the dumped processes (cpufeat(8))\n"
		"%s %d\narch %s\nkernel %s\ncpu %s\nmachine %s\n",
		CRIU_MAGIC, CRIU_VERSION, r->arch, r->kernel, r->cpu, s);
	free(s);
	for (i = 0; i < r->nr; i++) {
		s = fs_join(&r->procs[i].view);
		fprintf(f, "process %ld%s%s\n", r->procs[i].nspid,
			r->procs[i].has_view ? " " : "", s);
		free(s);
	}
	return ferror(f) ? -1 : 0;
}

static int record_error(char *err, const char *fname, int lineno,
			const char *what, const char *arg)
{
	snprintf(err, ERRLEN, "%s:%d: %s%s%s%s", fname, lineno, what,
		 arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "");
	return -1;
}

/* The words of a line as a feature set; -1 if one is no feature name. */
static int record_names(const char *v, struct featset *fs, const char **bad)
{
	size_t i;

	fs_add_words(fs, v);
	for (i = 0; i < fs->nr; i++) {
		if (!valid_name(fs->names[i])) {
			*bad = fs->names[i];
			return -1;
		}
	}
	return 0;
}

static int record_line(struct criu_record *r, char *line, const char *fname,
		       int lineno, char *err)
{
	char *key = line, *v = line + strcspn(line, " "), *end;
	const char *bad = NULL;
	struct featset fs;
	char **slot = NULL;
	long pid;

	if (*v)
		*v++ = '\0';
	if (!strcmp(key, "arch"))
		slot = &r->arch;
	else if (!strcmp(key, "kernel"))
		slot = &r->kernel;
	else if (!strcmp(key, "cpu"))
		slot = &r->cpu;
	if (slot) {
		if (*slot)
			return record_error(err, fname, lineno, "given twice:", key);
		*slot = xstrdup(v);
		if (slot == &r->arch && strcmp(v, "x86_64") && strcmp(v, "arm64"))
			return record_error(err, fname, lineno, "unknown architecture", v);
		return 0;
	}
	if (!strcmp(key, "machine")) {
		if (r->machine.nr)
			return record_error(err, fname, lineno, "given twice:", key);
		if (record_names(v, &r->machine, &bad) || !r->machine.nr)
			return record_error(err, fname, lineno,
					    bad ? "invalid feature name" : "no features", bad);
		return 0;
	}
	if (strcmp(key, "process"))
		return record_error(err, fname, lineno, "unknown key", key);
	pid = strtol(v, &end, 10);
	if (end == v || pid <= 0 || (*end && *end != ' '))
		return record_error(err, fname, lineno, "not a process id:", v);
	if (record_find(r, pid))
		return record_error(err, fname, lineno, "process listed twice:", v);
	fs_init(&fs);
	if (record_names(end, &fs, &bad)) {
		record_error(err, fname, lineno, "invalid feature name", bad);
		fs_free(&fs);
		return -1;
	}
	record_add(r, pid, fs.nr ? &fs : NULL);
	fs_free(&fs);
	return 0;
}

/*
 * Parse a record; 0, or -1 with "FILE:LINE: what" in @err.  Lines are
 * "KEY VALUE"; blank lines and lines starting with "#" are skipped.
 */
int parse_record(const char *text, const char *fname, struct criu_record *r,
		 char *err)
{
	char *copy = xstrdup(text), *line, *next;
	bool magic = false;
	int lineno = 0;
	char want[32];

	record_init(r);
	snprintf(want, sizeof(want), "%s %d", CRIU_MAGIC, CRIU_VERSION);
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!*line || *line == '#')
			continue;
		if (strchr(line, '\r') || strchr(line, '\t') || *line == ' ') {
			record_error(err, fname, lineno, "tab, carriage return or leading blank", NULL);
			goto fail;
		}
		if (!magic) {
			if (strcmp(line, want)) {
				record_error(err, fname, lineno, "not a cpufeat CRIU record; the first line must be", want);
				goto fail;
			}
			magic = true;
			continue;
		}
		if (record_line(r, line, fname, lineno, err))
			goto fail;
	}
	if (!magic || !r->arch || !r->machine.nr || !r->nr) {
		snprintf(err, ERRLEN, "%s: %s", fname,
			 !magic ? "empty, not a cpufeat CRIU record" :
			 !r->arch ? "no \"arch\" line" :
			 !r->machine.nr ? "no \"machine\" line" : "no \"process\" line");
		goto fail;
	}
	if (!r->kernel)
		r->kernel = xstrdup("unknown");
	if (!r->cpu)
		r->cpu = xstrdup("unknown");
	free(copy);
	return 0;
fail:
	free(copy);
	record_free(r);
	return -1;
}

/*
 * What @target (a machine's features, on @arch) lacks of the views in @r,
 * by class (check_missing()), over all processes.
 */
void record_check(const struct criu_record *r, const char *arch,
		  const struct featset *target, bool strict,
		  struct check_result *res)
{
	struct featset all;
	size_t i;

	fs_init(&all);
	for (i = 0; i < r->nr; i++)
		fs_add_all(&all, &r->procs[i].view);
	fs_order(&all, &r->machine);
	check_missing(arch, &all, target, strict, res);
	fs_free(&all);
}
