// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of test_cpufeat: lists of names, the cpufeat files, the probe
 * programs the tests run in cgroups and what they report, and the fixture
 * every test sets up and tears down.
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/auxv.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "cpufeat_util.h"

/* Is @name one of the words of @list? */
bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p++)
		if ((p == list || isspace(p[-1])) &&
		    (!p[len] || isspace(p[len])))
			return true;
	return false;
}

/* Copy the word of @list at or after *@pos to @word; false at the end. */
bool list_next(const char *list, size_t *pos, char *word, size_t size)
{
	size_t len;

	while (list[*pos] && isspace(list[*pos]))
		(*pos)++;
	len = strcspn(list + *pos, " \t\n");
	if (!len || len >= size)
		return false;
	memcpy(word, list + *pos, len);
	word[len] = '\0';
	*pos += len;
	return true;
}

int list_count(const char *list)
{
	char word[64];
	size_t pos = 0;
	int n = 0;

	while (list_next(list, &pos, word, sizeof(word)))
		n++;
	return n;
}

/* The @i-th word of @list, in a static buffer; "" when there is none. */
const char *list_word(const char *list, int i)
{
	static char word[64];
	size_t pos = 0;

	while (list_next(list, &pos, word, sizeof(word)))
		if (!i--)
			return word;
	return "";
}

/* Is every word of @sub a word of @list? */
bool list_subset(const char *sub, const char *list)
{
	char word[64];
	size_t pos = 0;

	while (list_next(sub, &pos, word, sizeof(word)))
		if (!list_has(list, word))
			return false;
	return true;
}

/* Does @list have all of the NULL-terminated @names? */
bool list_has_all(const char *list, const char * const *names)
{
	for (; *names; names++)
		if (!list_has(list, *names))
			return false;
	return true;
}

/* The first of @names that @list has, or NULL. */
const char *list_first_of(const char *list, const char * const *names)
{
	for (; *names; names++)
		if (list_has(list, *names))
			return *names;
	return NULL;
}

/* Add @word to @list, a buffer of @size bytes. */
void list_append(char *list, size_t size, const char *word)
{
	if (list[0])
		strncat(list, " ", size - strlen(list) - 1);
	strncat(list, word, size - strlen(list) - 1);
}

/*
 * The words of @order that @set has, in the order of @order: how the kernel
 * prints a set of names, @order being the root's effective list.
 */
void list_ordered(const char *order, const char *set, char *out, size_t size)
{
	char word[64];
	size_t pos = 0;

	out[0] = '\0';
	while (list_next(order, &pos, word, sizeof(word)))
		if (list_has(set, word))
			list_append(out, size, word);
}

/* Is @raw, as read from a file, one line of names separated by spaces? */
static bool list_well_formed(const char *raw)
{
	size_t len = strlen(raw);

	if (!len || raw[len - 1] != '\n' || strchr(raw, '\n') != raw + len - 1)
		return false;
	if (len == 1)
		return true;
	return raw[0] != ' ' && raw[len - 2] != ' ' && !strstr(raw, "  ") &&
	       !strchr(raw, '\t');
}

/*
 * Say how list @what, @got, differs from @expected; briefly, as lists can
 * be long: what it has that it shouldn't (+) and what it lacks (-).
 */
void print_list_diff(const char *what, const char *expected, const char *got)
{
	char word[64], diff[160] = "";
	size_t pos, len = 0;
	int pass;

	if (!strcmp(expected, got))
		return;
	if (strlen(expected) + strlen(got) < 200) {
		ksft_print_msg("%s is \"%s\", expected \"%s\"\n", what, got,
			       expected);
		return;
	}
	if (!strcmp(expected, "max") || !strcmp(got, "max")) {
		ksft_print_msg("%s is %s, expected %s\n", what,
			       strcmp(got, "max") ? "a list of names" : "max",
			       strcmp(expected, "max") ? "a list" : "max");
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		const char *from = pass ? expected : got;
		const char *other = pass ? got : expected;

		pos = 0;
		while (list_next(from, &pos, word, sizeof(word)) &&
		       len < sizeof(diff))
			if (!list_has(other, word))
				len += snprintf(diff + len, sizeof(diff) - len,
						" %c%s", pass ? '-' : '+', word);
	}
	ksft_print_msg("%s has %d names, expected %d:%s%s\n", what,
		       list_count(got), list_count(expected), diff,
		       len >= sizeof(diff) ? "..." : "");
}

/* Read a cgroup file holding a list, without its newline. */
int read_list(const char *cgroup, const char *control, char *buf)
{
	if (cg_read(cgroup, control, buf, LIST_SIZE)) {
		ksft_print_msg("can't read %s/%s: %s\n", cgroup, control,
			       strerror(errno));
		return -1;
	}
	if (!list_well_formed(buf)) {
		ksft_print_msg("%s/%s: not one line of names: \"%s\"\n",
			       cgroup, control, buf);
		return -1;
	}
	buf[strlen(buf) - 1] = '\0';
	return 0;
}

int read_hwcap(const char *cgroup, char *buf)
{
	return read_list(cgroup, "cpufeat.hwcap", buf);
}

int read_effective(const char *cgroup, char *buf)
{
	return read_list(cgroup, "cpufeat.hwcap.effective", buf);
}

/* Write @len bytes of @buf in one write(2); 0 or -errno. */
int write_raw(const char *cgroup, const char *control, const char *buf,
	      size_t len)
{
	ssize_t ret;
	int fd;

	fd = cg_open(cgroup, control, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, buf, len);
	if (ret < 0)
		ret = -errno;
	else
		ret = ret == len ? 0 : -EIO;
	close(fd);
	return ret;
}

int write_hwcap(const char *cgroup, const char *setting)
{
	int ret = write_raw(cgroup, "cpufeat.hwcap", setting, strlen(setting));

	if (ret)
		ksft_print_msg("writing \"%s\" to %s/cpufeat.hwcap: %s\n",
			       setting, cgroup, strerror(-ret));
	return ret;
}

/* Does @cgroup's file @control read exactly @expected (plus newline)? */
bool list_is(const char *cgroup, const char *control, const char *expected)
{
	char buf[LIST_SIZE], what[PATH_MAX];

	if (read_list(cgroup, control, buf))
		return false;
	if (strcmp(buf, expected)) {
		snprintf(what, sizeof(what), "%s/%s", cgroup, control);
		print_list_diff(what, expected, buf);
		return false;
	}
	return true;
}

/* Is the effective set of @cgroup @expected?  Says how it differs if not. */
bool effective_is(const char *cgroup, const char *expected)
{
	return list_is(cgroup, "cpufeat.hwcap.effective", expected);
}

/* Does @cgroup offer no more than @allowed?  Its effective set in @eff. */
bool effective_within(const char *cgroup, const char *allowed, char *eff)
{
	if (read_effective(cgroup, eff))
		return false;
	if (!list_subset(eff, allowed)) {
		ksft_print_msg("%s: effective \"%s\" not within \"%s\"\n",
			       cgroup, eff, allowed);
		return false;
	}
	return true;
}

/* Does @cgroup offer no more than @parent_effective and none of @hidden? */
bool effective_hides(const char *cgroup, const char *parent_effective,
		     const char * const *hidden)
{
	char eff[LIST_SIZE];

	if (!effective_within(cgroup, parent_effective, eff))
		return false;
	for (; *hidden; hidden++) {
		if (list_has(eff, *hidden)) {
			ksft_print_msg("%s: effective still has %s\n", cgroup,
				       *hidden);
			return false;
		}
	}
	return true;
}

/*
 * Try to write @file of @cgroup; true if that fails as it should.  Without
 * privilege the open fails with EACCES (mode 0444).  Root may open it (cgroup
 * files are not checked against their mode at open, unlike sysfs), but the
 * write then fails with EINVAL.
 */
bool cannot_write(const char *cgroup, const char *file, int flags)
{
	int fd = cg_open(cgroup, file, flags);
	bool ok;

	if (fd < 0) {
		ok = errno == EACCES;
		if (!ok)
			ksft_print_msg("open(%s/%s): %s, expected EACCES\n",
				       cgroup, file, strerror(errno));
		return ok;
	}
	ok = write(fd, "max", 3) < 0 && errno == EINVAL;
	if (!ok)
		ksft_print_msg("write to %s/%s: %s, expected EINVAL\n",
			       cgroup, file, strerror(errno));
	close(fd);
	return ok;
}

/*
 * Split the next line of what cgroup file @file read off *@pos, in place:
 * 1 and the line in *@line, 0 at the end, -1 if it lacks its newline.
 */
int split_line(char **pos, char **line, const char *file)
{
	char *end;

	if (!**pos)
		return 0;
	end = strchr(*pos, '\n');
	if (!end) {
		ksft_print_msg("%s: \"%s\" has no newline\n", file, *pos);
		return -1;
	}
	*end = '\0';
	*line = *pos;
	*pos = end + 1;
	return 1;
}

/*
 * Does @cgroup's cpufeat.stat have restricted_execs, and every counter in it
 * at 0?
 */
bool stat_all_zero(const char *cgroup)
{
	char buf[1024], key[64], *line, *pos = buf;
	bool restricted = false;
	long long value;
	int n, more;

	if (cg_read(cgroup, "cpufeat.stat", buf, sizeof(buf))) {
		ksft_print_msg("can't read %s/cpufeat.stat: %s\n", cgroup,
			       strerror(errno));
		return false;
	}
	while ((more = split_line(&pos, &line, "cpufeat.stat")) > 0) {
		n = 0;
		if (sscanf(line, "%63s %lld%n", key, &value, &n) != 2 ||
		    line[n] || value) {
			ksft_print_msg("new cgroup's cpufeat.stat: \"%s\", not 0\n",
				       line);
			return false;
		}
		if (!strcmp(key, "restricted_execs"))
			restricted = true;
	}
	if (more < 0)
		return false;
	if (!restricted)
		ksft_print_msg("cpufeat.stat has no restricted_execs\n");
	return restricted;
}

/* The value of @key in the root's cpufeat.filters. */
int read_filter(const char *root, const char *key, char *value, size_t size)
{
	char buf[256], *line, *next;
	size_t len = strlen(key);

	if (cg_read(root, "cpufeat.filters", buf, sizeof(buf))) {
		ksft_print_msg("can't read %s/cpufeat.filters: %s\n", root,
			       strerror(errno));
		return -1;
	}
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!strncmp(line, key, len) && line[len] == ' ') {
			snprintf(value, size, "%s", line + len + 1);
			return 0;
		}
	}
	ksft_print_msg("%s/cpufeat.filters has no \"%s\" line\n", root, key);
	return -1;
}

/*
 * Does the kernel filter @key ("cpuid", "mrs", "cpuinfo") here?  KSFT_PASS if
 * cpufeat.filters says "yes", KSFT_SKIP if "no", else KSFT_FAIL.
 */
int filter_on(const char *root, const char *key)
{
	char value[32];

	if (read_filter(root, key, value, sizeof(value)))
		return KSFT_FAIL;
	if (!strcmp(value, "yes"))
		return KSFT_PASS;
	if (!strcmp(value, "no")) {
		ksft_print_msg("cpufeat.filters: \"%s no\": not filtered here%s\n",
			       key, strcmp(key, "cpuid") ? "" :
			       " (no CPUID faulting)");
		return KSFT_SKIP;
	}
	ksft_print_msg("cpufeat.filters: \"%s %s\", expected yes or no\n",
		       key, value);
	return KSFT_FAIL;
}

int read_state(const char *cgroup, struct cg_state *s)
{
	return read_hwcap(cgroup, s->hwcap) ?: read_effective(cgroup,
							      s->effective);
}

bool state_unchanged(const char *cgroup, const struct cg_state *before)
{
	struct cg_state *now = malloc(sizeof(*now));
	char what[PATH_MAX];
	bool same;

	if (!now || read_state(cgroup, now)) {
		free(now);
		return false;
	}
	snprintf(what, sizeof(what), "%s/cpufeat.hwcap", cgroup);
	print_list_diff(what, before->hwcap, now->hwcap);
	snprintf(what, sizeof(what), "%s/cpufeat.hwcap.effective", cgroup);
	print_list_diff(what, before->effective, now->effective);
	same = !strcmp(now->hwcap, before->hwcap) &&
	       !strcmp(now->effective, before->effective);
	free(now);
	return same;
}

/* Create @name under @parent; with @subtree, enable cpufeat for children. */
char *create_cgroup(const char *parent, const char *name, bool subtree)
{
	char *cgroup = cg_name(parent, name);

	if (!cgroup)
		return NULL;
	if (cg_create(cgroup)) {
		ksft_print_msg("can't create %s: %s\n", cgroup,
			       strerror(errno));
		free(cgroup);
		return NULL;
	}
	if (subtree && cg_write(cgroup, "cgroup.subtree_control", "+cpufeat")) {
		ksft_print_msg("can't enable cpufeat below %s\n", cgroup);
		cg_destroy(cgroup);
		free(cgroup);
		return NULL;
	}
	return cgroup;
}

void destroy_cgroup(char *cgroup)
{
	if (cgroup)
		cg_destroy(cgroup);
	free(cgroup);
}

/* Drop root for good: no supplementary groups, no capabilities. */
int become_user(uid_t uid)
{
	return setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	       setresuid(uid, uid, uid) ? -1 : 0;
}

/* Run @fn(@arg) in a child as user @uid; true if it returned 0. */
bool run_as(uid_t uid, int (*fn)(const void *arg), const void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(become_user(uid) ? 1 : fn(arg));
	return pid > 0 && waitpid(pid, &status, 0) == pid && !status;
}

/* Give @cgroup and its files to @uid, as when delegating it. */
int chown_cgroup(const char *cgroup, uid_t uid)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	dir = opendir(cgroup);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", cgroup, de->d_name);
		if (chown(path, uid, uid))
			ret = -1;
	}
	closedir(dir);
	return ret ?: chown(cgroup, uid, uid);
}

/* One byte and one fd: the message send_fd() and receive_fd() pass. */
struct fd_message {
	char data;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct msghdr msg;
};

static struct msghdr *fd_message_init(struct fd_message *m)
{
	memset(m, 0, sizeof(*m));
	m->data = 'f';
	m->iov.iov_base = &m->data;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->control.buf;
	m->msg.msg_controllen = sizeof(m->control.buf);
	return &m->msg;
}

/* Send @fd over the AF_UNIX socket @sock. */
int send_fd(int sock, int fd)
{
	struct fd_message m;
	struct msghdr *msg = fd_message_init(&m);
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, msg, 0) == 1 ? 0 : -1;
}

/* The fd that send_fd() sent over @sock, or -1. */
int receive_fd(int sock)
{
	struct fd_message m;
	struct msghdr *msg = fd_message_init(&m);
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* Drop CAP_SYS_ADMIN from the effective, permitted and inheritable sets. */
int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_SYS_ADMIN);
	__u32 mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (syscall(SYS_capget, &header, data))
		return -1;
	data[i].effective &= ~mask;
	data[i].permitted &= ~mask;
	data[i].inheritable &= ~mask;
	if (syscall(SYS_capset, &header, data))
		return -1;
	if (syscall(SYS_capget, &header, data) ||
	    (data[i].effective | data[i].permitted) & mask)
		return -1;
	return 0;
}

/* Copy @in, an open file, to @out; 0 or -1. */
static int copy_file(int in, int out)
{
	char buf[65536];
	ssize_t len;

	while ((len = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, len) != len)
			return -1;
	return len < 0 ? -1 : 0;
}

/*
 * Copy the program @name (found by find_program()) to a file in a
 * directory that honours set-user-ID bits, owned by root, mode 0755.
 * Returns the path (to free) or NULL.
 */
char *copy_setuid_capable(const char *name)
{
	static const char * const dirs[] = { "/tmp", "/var/tmp", "/dev/shm",
					     "/" };
	char *probe = find_program(name, NULL), *path = NULL;
	int i, in = -1, out = -1;
	struct statvfs sv;

	for (i = 0; probe && i < ARRAY_SIZE(dirs); i++) {
		if (asprintf(&path, "%s/cpufeat_setuid_XXXXXX",
			     strcmp(dirs[i], "/") ? dirs[i] : "") < 0)
			break;
		out = mkstemp(path);
		if (out >= 0 && !fstatvfs(out, &sv) && !(sv.f_flag & ST_NOSUID))
			break;
		if (out >= 0) {
			close(out);
			unlink(path);
			out = -1;
		}
		free(path);
		path = NULL;
	}
	if (out < 0) {
		ksft_print_msg("no %s, or no writable directory allows setuid programs\n",
			       name);
		free(probe);
		return NULL;
	}
	in = open(probe, O_RDONLY);
	if (in < 0 || copy_file(in, out) || fchown(out, 0, 0) ||
	    fchmod(out, 0755) || close(out)) {
		ksft_print_msg("copying %s to %s: %s\n", probe, path,
			       strerror(errno));
		unlink(path);
		free(path);
		path = NULL;
	}
	if (in >= 0)
		close(in);
	free(probe);
	return path;
}

/* Remove and free a copy_setuid_capable() copy (NULL: none). */
void remove_copy(char *copy)
{
	if (copy)
		unlink(copy);
	free(copy);
}

/* Credentials for probe_start_with(): an unprivileged user. */
int become_nobody(const void *arg)
{
	return become_user(NOBODY);
}

/* The unprivileged user, with OWN_GROUP as its supplementary group. */
int become_member(const void *arg)
{
	const gid_t group = OWN_GROUP;

	return setgroups(1, &group) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(NOBODY, NOBODY, NOBODY) ? -1 : 0;
}

/* The kernel uid and gid of uid and gid 1 in the tests' user namespaces. */
#define NS_USER		101000

/*
 * Enter a new user namespace owned by kernel uid *@arg, in which uid and
 * gid 0 are *@arg and 1 is NS_USER, and become its uid and gid 1.  A
 * helper that stays root outside writes the maps, as newuidmap would.
 */
int become_ns_user(const void *arg)
{
	uid_t owner = *(const uid_t *)arg;
	pid_t child = getpid(), mapper;
	char map[64], path[64], c;
	int go[2], status;

	if (pipe(go))
		return -1;
	mapper = fork();
	if (!mapper) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		snprintf(map, sizeof(map), "0 %u 1\n1 %u 1\n", owner, NS_USER);
		snprintf(path, sizeof(path), "/proc/%d/uid_map", child);
		if (write_text(path, map, strlen(map)) < 0)
			_exit(1);
		snprintf(path, sizeof(path), "/proc/%d/gid_map", child);
		_exit(write_text(path, map, strlen(map)) < 0);
	}
	close(go[0]);
	if (mapper < 0 || setgroups(0, NULL) ||
	    (owner && (setresgid(owner, owner, owner) ||
		       setresuid(owner, owner, owner))) ||
	    unshare(CLONE_NEWUSER) || write(go[1], "m", 1) != 1 ||
	    waitpid(mapper, &status, 0) != mapper || status)
		return -1;
	close(go[1]);
	return setresgid(1, 1, 1) || setresuid(1, 1, 1) ? -1 : 0;
}

/* Write @setting to @fd, expecting EPERM: a WRITER_* code. */
int write_expecting_eperm(int fd, const char *setting)
{
	if (write(fd, setting, strlen(setting)) >= 0) {
		ksft_print_msg("the write of \"%s\" succeeded\n", setting);
		return WRITER_WROTE;
	}
	if (errno != EPERM) {
		ksft_print_msg("the write failed with %s, expected EPERM\n",
			       strerror(errno));
		return WRITER_OTHER_ERROR;
	}
	return WRITER_GOT_EPERM;
}

/* Wait for a writer child: KSFT_PASS if it got EPERM. */
int wait_writer(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return KSFT_FAIL;
	switch (WEXITSTATUS(status)) {
	case WRITER_GOT_EPERM:
		return KSFT_PASS;
	case WRITER_UNSUPPORTED:
		return KSFT_SKIP;
	default:
		return KSFT_FAIL;
	}
}

/* In a writer child: open cpufeat.hwcap of @cg and write @setting. */
int open_and_write(const char *cg, const char *setting)
{
	int fd = cg_open(cg, "cpufeat.hwcap", O_WRONLY);

	if (fd < 0) {
		ksft_print_msg("can't open cpufeat.hwcap: %s\n",
			       strerror(errno));
		return WRITER_SETUP_FAILED;
	}
	return write_expecting_eperm(fd, setting);
}

/*
 * The contexts a writer enters (eperm tests): 0 when done, or a WRITER_*
 * code.
 */

/* The owner of @cg, as when it is delegated, without privilege. */
int enter_as_owner(const char *cg)
{
	if (chown_cgroup(cg, NOBODY)) {
		ksft_print_msg("can't chown %s: %s\n", cg, strerror(errno));
		return WRITER_SETUP_FAILED;
	}
	return become_user(NOBODY) ? WRITER_SETUP_FAILED : 0;
}

/* Root without CAP_SYS_ADMIN. */
int enter_without_cap_sys_admin(const char *cg)
{
	if (!drop_cap_sys_admin())
		return 0;
	ksft_print_msg("can't drop CAP_SYS_ADMIN: %s\n", strerror(errno));
	return WRITER_SETUP_FAILED;
}

/* A new cgroup namespace. */
int enter_cgroup_namespace(const char *cg)
{
	if (!unshare(CLONE_NEWCGROUP))
		return 0;
	ksft_print_msg("unshare(CLONE_NEWCGROUP): %s\n", strerror(errno));
	return WRITER_UNSUPPORTED;
}

/* Write TEXT to the /proc/self file NAME; 0 or -1 with errno. */
static int write_proc_self(const char *name, const char *text)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	snprintf(buf, sizeof(buf), "%s", text);
	return write_text(path, buf, strlen(buf)) < 0 ? -1 : 0;
}

/* A new user namespace whose root is root outside. */
int enter_user_namespace(const char *cg)
{
	if (unshare(CLONE_NEWUSER)) {
		ksft_print_msg("unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return WRITER_UNSUPPORTED;
	}
	if (write_proc_self("uid_map", "0 0 1") ||
	    write_proc_self("setgroups", "deny") ||
	    write_proc_self("gid_map", "0 0 1")) {
		ksft_print_msg("can't map root into the user namespace: %s\n",
			       strerror(errno));
		return WRITER_SETUP_FAILED;
	}
	return 0;
}

/* Where the fd-passing child keeps its fd for pidfd_getfd(). */
#define PASSED_FD	100

/* Is pidfd_getfd() implemented?  Given no pidfd, it fails with EBADF. */
static bool have_pidfd_getfd(void)
{
	return syscall(__NR_pidfd_getfd, -1, 0, 0) < 0 && errno == EBADF;
}

/*
 * In the child: open @path as @uid, pass the fd over the socket (or keep
 * it as PASSED_FD), stay until the parent is done with it.
 */
static int pass_fd(struct fd_opener *c, uid_t uid, const char *path,
		   int flags)
{
	char byte;
	int fd;

	close(c->ready[0]);
	close(c->done[1]);
	if (become_user(uid))
		return WRITER_SETUP_FAILED;
	fd = open(path, flags);
	if (fd < 0 || (c->unix_sockets ? send_fd(c->sock[1], fd) :
		       dup2(fd, PASSED_FD) != PASSED_FD))
		return WRITER_SETUP_FAILED;
	if (write(c->ready[1], "r", 1) != 1 || read(c->done[0], &byte, 1) < 0)
		return WRITER_SETUP_FAILED;
	return 0;
}

/* The fd the child opened: by SCM_RIGHTS, or pidfd_getfd(); -1, -2: SKIP. */
static int fd_of_child(struct fd_opener *c)
{
	int pidfd, fd = -1;

	if (c->unix_sockets)
		return receive_fd(c->sock[0]);
	pidfd = syscall(__NR_pidfd_open, c->pid, 0);
	if (pidfd >= 0)
		fd = syscall(__NR_pidfd_getfd, pidfd, PASSED_FD, 0);
	if (pidfd < 0 || (fd < 0 && !have_pidfd_getfd())) {
		ksft_print_msg("neither AF_UNIX nor pidfd_getfd()\n");
		fd = -2;
	}
	if (pidfd >= 0)
		close(pidfd);
	return fd;
}

/*
 * A file @uid opened: a child opens @path with @flags as @uid and hands the
 * fd over, by SCM_RIGHTS or, on kernels without AF_UNIX, pidfd_getfd().
 * The fd, -1 if that failed, -2 if neither way is there; @c, initialised
 * with FD_OPENER_INIT, is for fd_opener_end() in any case.
 */
int fd_opened_as(struct fd_opener *c, uid_t uid, const char *path, int flags)
{
	char byte;

	if (pipe(c->ready) || pipe(c->done))
		return -1;
	c->unix_sockets = !socketpair(AF_UNIX, SOCK_STREAM, 0, c->sock);
	fflush(stdout);
	c->pid = fork();
	if (!c->pid)
		_exit(pass_fd(c, uid, path, flags));
	if (c->pid < 0 || read(c->ready[0], &byte, 1) != 1)
		return -1;
	return fd_of_child(c);
}

static void close_pair(int *fds)
{
	int i;

	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Let the child of fd_opened_as() go; true if all went well there. */
bool fd_opener_end(struct fd_opener *c)
{
	close_pair(c->sock);
	close_pair(c->ready);
	close_pair(c->done);
	return c->pid <= 0 || wait_writer(c->pid) == KSFT_PASS;
}

/* Is @dir/@name an executable?  If so, its path (to free). */
static char *program_in(const char *dir, size_t len, const char *name)
{
	char *path;

	if (asprintf(&path, "%.*s/%s", (int)len, dir, name) < 0)
		return NULL;
	if (!access(path, X_OK))
		return path;
	free(path);
	return NULL;
}

/*
 * Find the program @name: where the environment variable @env (if any)
 * says, else next to this program, else on the PATH.  Its path, to free,
 * or NULL.
 */
char *find_program(const char *name, const char *env)
{
	const char *dirs = getenv("PATH") ?: "/usr/bin:/bin";
	char self[PATH_MAX], *path;
	ssize_t len;

	if (env && getenv(env))
		return strdup(getenv(env));
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		path = program_in(self, strrchr(self, '/') - self, name);
		if (path)
			return path;
	}
	for (; *dirs; dirs += strspn(dirs, ":")) {
		len = strcspn(dirs, ":");
		path = program_in(dirs, len, name);
		if (path)
			return path;
		dirs += len;
	}
	return NULL;
}

/* How a probe's child ends when it does not get to run the probe. */
enum {
	PROBE_EXEC_FAILED = 124,
	PROBE_NO_USER,
	PROBE_NO_CGROUP,
	PROBE_NO_PIPES,
};

static const char * const probe_errors[] = {
	"exec failed",
	"could not change user",
	"could not join the cgroup",
	"could not set up its stdin and stdout",
};

/* The probe program, found once. */
static const char *probe_exe(void)
{
	static char *exe;

	if (!exe)
		exe = find_program(PROBE_NAME, NULL);
	if (!exe)
		ksft_print_msg("%s is neither next to this program nor on the PATH\n",
			       PROBE_NAME);
	return exe;
}

/* In the child: run @exe with @script in @cgroup after @become(@arg). */
static void probe_exec(int to_probe[2], int from_probe[2], const char *cgroup,
		       const char *exe, int (*become)(const void *arg),
		       const void *arg, const char *script)
{
	if (dup2(to_probe[0], STDIN_FILENO) < 0 ||
	    dup2(from_probe[1], STDOUT_FILENO) < 0)
		_exit(PROBE_NO_PIPES);
	close(to_probe[0]);
	close(to_probe[1]);
	close(from_probe[0]);
	close(from_probe[1]);
	if (cgroup && cg_enter_current(cgroup))
		_exit(PROBE_NO_CGROUP);
	if (become && become(arg))
		_exit(PROBE_NO_USER);
	execl(exe, PROBE_NAME, PROBE_SCRIPT, script, NULL);
	_exit(PROBE_EXEC_FAILED);
}

static int become_uid(const void *uid)
{
	return become_user(*(const uid_t *)uid);
}

/*
 * Start @exe (NULL: cpufeat_probe) with @script in @cgroup, as user @uid
 * (0: stay root).
 */
int probe_start(struct probe *p, const char *cgroup, const char *exe,
		uid_t uid, const char *script)
{
	return probe_start_with(p, cgroup, exe, uid ? become_uid : NULL, &uid,
				script);
}

/*
 * Start @exe (NULL: cpufeat_probe) with @script in @cgroup, with the
 * credentials @become(@arg) gives the child before it executes @exe (NULL:
 * stay root).
 */
int probe_start_with(struct probe *p, const char *cgroup, const char *exe,
		     int (*become)(const void *arg), const void *arg,
		     const char *script)
{
	int to_probe[2], from_probe[2];

	p->pid = -1;
	exe = exe ?: probe_exe();
	if (!exe || pipe(to_probe))
		return -1;
	if (pipe(from_probe)) {
		close(to_probe[0]);
		close(to_probe[1]);
		return -1;
	}
	fflush(stdout);
	p->pid = fork();
	if (!p->pid)
		probe_exec(to_probe, from_probe, cgroup, exe, become, arg,
			   script);
	close(to_probe[0]);
	close(from_probe[1]);
	p->control = to_probe[1];
	p->reports = p->pid < 0 ? NULL : fdopen(from_probe[0], "r");
	if (!p->reports) {
		ksft_print_msg("can't start the probe: %s\n", strerror(errno));
		close(from_probe[0]);
		close(p->control);
		if (p->pid > 0)
			waitpid(p->pid, NULL, 0);
		p->pid = -1;
		return -1;
	}
	return 0;
}

/* Parse a view report "view hwcap=... cpufeat=..." (no newline) into @v. */
static bool view_parse(const char *line, struct view *v)
{
	int n = 0;

	if (sscanf(line, "view hwcap=%lx hwcap2=%lx secure=%lu cpufeat=%n",
		   &v->hwcap, &v->hwcap2, &v->secure, &n) != 3 || !n)
		return false;
	snprintf(v->cpufeat, sizeof(v->cpufeat), "%s", line + n);
	return true;
}

/*
 * The view of process @pid as root reads it from /proc/PID/auxv and
 * /proc/PID/cpufeat: a set-group-ID program cannot read its own.
 */
int view_of_pid(pid_t pid, struct view *v)
{
	unsigned long auxv[512];
	char path[64];
	ssize_t len;
	size_t i;
	int fd;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "/proc/%d/auxv", pid);
	fd = open(path, O_RDONLY);
	len = fd < 0 ? -1 : read(fd, auxv, sizeof(auxv));
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/proc/%d/cpufeat", pid);
	if (len <= 0 || read_text(path, v->cpufeat, sizeof(v->cpufeat)) < 0) {
		ksft_print_msg("can't read the view of process %d: %s\n", pid,
			       strerror(errno));
		return -1;
	}
	v->cpufeat[strcspn(v->cpufeat, "\n")] = '\0';
	for (i = 0; i + 1 < len / sizeof(*auxv); i += 2) {
		if (auxv[i] == AT_HWCAP)
			v->hwcap = auxv[i + 1];
		else if (auxv[i] == AT_HWCAP2)
			v->hwcap2 = auxv[i + 1];
		else if (auxv[i] == AT_SECURE)
			v->secure = auxv[i + 1];
	}
	return 0;
}

/*
 * Run @exe in @cg with the credentials @become(@arg) gives it, and read its
 * view from /proc as root: a set-group-ID program cannot read its own
 * /proc/self/auxv.  The probe reports /proc/cpuinfo, which anyone can
 * read, to say that it runs.
 */
int probe_view_as(struct probe *p, const char *cg, const char *exe,
		  int (*become)(const void *arg), const void *arg,
		  struct view *v)
{
	char line[LIST_SIZE + 128];

	if (probe_start_with(p, cg, exe, become, arg, "pw") ||
	    !fgets(line, sizeof(line), p->reports) || view_of_pid(p->pid, v) ||
	    probe_continue(p) || probe_finish(p))
		return -1;
	return 0;
}

/* Read the probe's next report, a view. */
int probe_read(struct probe *p, struct view *v)
{
	char line[LIST_SIZE + 128];

	if (!fgets(line, sizeof(line), p->reports)) {
		ksft_print_msg("probe %d: no report\n", p->pid);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	if (!view_parse(line, v)) {
		ksft_print_msg("probe %d: %s\n", p->pid, line);
		return -1;
	}
	return 0;
}

/* Let the probe go on from "w". */
int probe_continue(struct probe *p)
{
	return write(p->control, "c", 1) == 1 ? 0 : -1;
}

/* Wait for the probe to end; 0 if it ended well. */
int probe_finish(struct probe *p)
{
	pid_t pid = p->pid;
	int status;

	if (pid <= 0)
		return -1;
	p->pid = -1;
	close(p->control);
	fclose(p->reports);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (!WIFEXITED(status))
		ksft_print_msg("probe killed by signal %d\n", WTERMSIG(status));
	else if (WEXITSTATUS(status) >= PROBE_EXEC_FAILED)
		ksft_print_msg("probe: %s\n",
			       probe_errors[WEXITSTATUS(status) -
					    PROBE_EXEC_FAILED]);
	else
		ksft_print_msg("probe exited with status %d\n",
			       WEXITSTATUS(status));
	return -1;
}

/*
 * Start @script in @from, move the probe to @to after its first report
 * and collect the rest (on x86, "cwcxc" shows CPUID before and after the
 * move, and after the exec that follows).
 */
int run_moved(const char *from, const char *to, const char *script,
	      struct reports *r)
{
	struct probe p;

	reports_clear(r);
	if (probe_start(&p, from, NULL, 0, script))
		return -1;
	if (probe_next_n(&p, r, 1) || cg_enter(to, p.pid) ||
	    probe_continue(&p)) {
		probe_finish(&p);
		return -1;
	}
	return probe_collect(&p, r);
}

/* Run @script in @cgroup and collect its first @n reports, views. */
int run_probe(const char *cgroup, const char *script, struct view *views,
	      int n)
{
	struct probe p;
	int i, ret = 0;

	if (probe_start(&p, cgroup, NULL, 0, script))
		return -1;
	for (i = 0; i < n && !ret; i++)
		ret = probe_read(&p, &views[i]);
	if (probe_finish(&p))
		ret = -1;
	return ret;
}

/* @n reports, each with room for its architecture's reports. */
struct reports *reports_alloc(int n)
{
	struct reports *r = calloc(n, sizeof(*r));
	int i;

	if (!r)
		return NULL;
	for (i = 0; i < n && cpufeat_arch.reports_size; i++) {
		r[i].arch = calloc(1, cpufeat_arch.reports_size);
		if (!r[i].arch) {
			reports_free(r, i);
			return NULL;
		}
	}
	return r;
}

void reports_free(struct reports *r, int n)
{
	int i;

	for (i = 0; r && i < n; i++)
		free(r[i].arch);
	free(r);
}

void reports_clear(struct reports *r)
{
	struct arch_reports *arch = r->arch;

	r->nviews = 0;
	r->nother = 0;
	r->processors = -1;
	if (arch)
		memset(arch, 0, cpufeat_arch.reports_size);
}

/* File the probe's next report in @r: 1, 0 at its end, -1 if bad. */
int probe_next(struct probe *p, struct reports *r)
{
	char line[LIST_SIZE + 128];
	int n = 0;

	if (!fgets(line, sizeof(line), p->reports))
		return 0;
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "view ", 5)) {
		if (r->nviews < ARRAY_SIZE(r->views) &&
		    view_parse(line, &r->views[r->nviews])) {
			r->nviews++;
			return 1;
		}
	} else if (sscanf(line, "cpuinfo processors=%d same=%d flags=%n",
			  &r->processors, &r->same, &n) == 2 && n) {
		snprintf(r->flags, sizeof(r->flags), "%s", line + n);
		return 1;
	} else if (r->arch && cpufeat_arch.parse_report(line, r->arch)) {
		r->nother++;
		return 1;
	}
	ksft_print_msg("probe %d: unexpected report \"%.200s\"\n", p->pid,
		       line);
	return -1;
}

/* Read @n reports of @p into @r. */
int probe_next_n(struct probe *p, struct reports *r, int n)
{
	int ret;

	while (n--) {
		ret = probe_next(p, r);
		if (ret != 1) {
			if (!ret)
				ksft_print_msg("probe %d: no report\n", p->pid);
			return -1;
		}
	}
	return 0;
}

/* Read the rest of @p's reports into @r; 0 if it then ended well. */
int probe_collect(struct probe *p, struct reports *r)
{
	int ret;

	while ((ret = probe_next(p, r)) == 1)
		;
	if (probe_finish(p))
		return -1;
	return ret;
}

/*
 * Run @script of @exe (NULL: cpufeat_probe) in @cgroup, and check that it
 * reported @views views and @others reports of the architecture's own.
 */
int run_reports(const char *cgroup, const char *exe, const char *script,
		struct reports *r, int views, int others)
{
	struct probe p;

	reports_clear(r);
	if (probe_start(&p, cgroup, exe, 0, script) || probe_collect(&p, r))
		return -1;
	if (r->nviews != views || r->nother != others) {
		ksft_print_msg("\"%s\": %d views and %d other reports, not %d and %d\n",
			       script, r->nviews, r->nother, views, others);
		return -1;
	}
	return 0;
}

/* The AT_HWCAP word (0 or 1) and bit of feature @name, if it has one. */
bool hwcap_bit(const char *name, int *word, int *bit)
{
	const char *n;
	int w, b;

	for (w = 0; w < 2; w++) {
		for (b = 0; b < 64; b++) {
			n = cpufeat_arch.hwcap_names[w] ?
			    cpufeat_arch.hwcap_names[w][b] : NULL;
			if (n && !strcmp(n, name)) {
				*word = w;
				*bit = b;
				return true;
			}
		}
	}
	return false;
}

bool view_has_bit(const struct view *v, int word, int bit)
{
	unsigned long value = word ? v->hwcap2 : v->hwcap;

	return bit < 8 * sizeof(value) && (value >> bit) & 1;
}

/*
 * Does @v, the view of a program exec'd in a cgroup with @effective, agree
 * with @full, the view of the same program where nothing is hidden?  Every
 * AT_HWCAP* bit of a feature the machine has (@machine) but @effective
 * lacks must be clear, every other bit as in @full; /proc/self/cpufeat
 * lists @effective.
 */
bool view_matches(const struct view *v, const struct view *full,
		  const char *machine, const char *effective)
{
	const char * const *names;
	bool ok = true, want;
	const char *name;
	int word, bit;

	for (word = 0; word < 2; word++) {
		names = cpufeat_arch.hwcap_names[word];
		for (bit = 0; bit < 8 * sizeof(long); bit++) {
			name = names ? names[bit] : NULL;
			want = view_has_bit(full, word, bit);
			if (name && list_has(machine, name) &&
			    !list_has(effective, name))
				want = false;
			if (view_has_bit(v, word, bit) == want)
				continue;
			ksft_print_msg("AT_HWCAP%s bit %d (%s) is %d, expected %d\n",
				       word ? "2" : "", bit, name ?: "?",
				       !want, want);
			ok = false;
		}
	}
	if (strcmp(v->cpufeat, effective)) {
		print_list_diff("/proc/self/cpufeat", effective, v->cpufeat);
		ok = false;
	}
	return ok;
}

bool same_view(const struct view *a, const struct view *b)
{
	if (a->hwcap == b->hwcap && a->hwcap2 == b->hwcap2 &&
	    !strcmp(a->cpufeat, b->cpufeat))
		return true;
	ksft_print_msg("view changed: AT_HWCAP %#lx -> %#lx, AT_HWCAP2 %#lx -> %#lx\n",
		       a->hwcap, b->hwcap, a->hwcap2, b->hwcap2);
	print_list_diff("/proc/self/cpufeat", a->cpufeat, b->cpufeat);
	return false;
}

/* Does the program's view @v list what its cgroup offers, @eff? */
bool view_is(const struct view *v, const char *eff)
{
	if (!strcmp(v->cpufeat, eff))
		return true;
	print_list_diff("/proc/self/cpufeat", eff, v->cpufeat);
	return false;
}

/* "-a -b ..." for the NULL-terminated @names that @machine has. */
void hide_edits(const char * const *names, const char *machine, char *out,
		size_t size)
{
	char edit[64];

	out[0] = '\0';
	for (; *names; names++) {
		if (!list_has(machine, *names))
			continue;
		snprintf(edit, sizeof(edit), "-%s", *names);
		list_append(out, size, edit);
	}
}

/*
 * Read the root's effective set, and check that @names are in it: the
 * features a test hides must exist on this machine.
 */
int machine_has(const char *root, char *machine, const char * const *names)
{
	if (read_effective(root, machine))
		return KSFT_FAIL;
	if (!names[0]) {
		ksft_print_msg("no test features for this architecture\n");
		return KSFT_SKIP;
	}
	if (!list_has_all(machine, names)) {
		ksft_print_msg("the machine lacks some of %s%s%s\n", names[0],
			       names[1] ? " " : "", names[1] ?: "");
		return KSFT_SKIP;
	}
	return KSFT_PASS;
}

/* The count of @key ("emulated_cpuid", ...) in @cgroup's cpufeat.stat. */
static long emulations(const char *cgroup, const char *key)
{
	char k[32];

	snprintf(k, sizeof(k), "%s ", key);
	return cg_read_key_long(cgroup, "cpufeat.stat", k);
}

/*
 * @key in cpufeat.stat of @cg, a cgroup that hides features, counts each
 * instruction the kernel emulated for its programs: a probe's start-up,
 * then that plus the @loops of its "n" command; a program in the root
 * adds nothing.  @r is room for the probes' reports.
 */
int emulations_counted(const char *root, const char *cg, struct reports *r,
		       const char *key, long loops)
{
	long before, startup, grown, after;

	before = emulations(cg, key);
	if (before < 0) {
		ksft_print_msg("%s/cpufeat.stat has no %s\n", cg, key);
		return KSFT_FAIL;
	}
	if (run_reports(cg, NULL, "", r, 0, 0))
		return KSFT_FAIL;
	startup = emulations(cg, key) - before;
	if (run_reports(cg, NULL, "n", r, 0, 0))
		return KSFT_FAIL;
	grown = emulations(cg, key) - before - startup;
	if (grown != startup + loops) {
		ksft_print_msg("%s: +%ld for a program, +%ld with %ld more\n",
			       key, startup, grown, loops);
		return KSFT_FAIL;
	}

	after = emulations(cg, key);
	if (run_reports(root, NULL, "n", r, 0, 0))
		return KSFT_FAIL;
	if (emulations(cg, key) != after) {
		ksft_print_msg("programs in the root: %s %ld -> %ld\n", key,
			       after, emulations(cg, key));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* Run the test, and so the probes it starts, on the first of its CPUs. */
static int fixture_pin(struct fixture *f)
{
	cpu_set_t one;
	int cpu;

	if (sched_getaffinity(0, sizeof(f->cpus), &f->cpus))
		return KSFT_FAIL;
	for (cpu = 0; cpu < CPU_SETSIZE - 1; cpu++)
		if (CPU_ISSET(cpu, &f->cpus))
			break;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		ksft_print_msg("can't pin the test to CPU %d: %s\n", cpu,
			       strerror(errno));
		return KSFT_FAIL;
	}
	f->pinned = true;
	return KSFT_PASS;
}

/* Make the test's cgroup, hiding those of @p->hide the machine has. */
static int fixture_make_cgroup(struct fixture *f,
			       const struct fixture_params *p)
{
	if (p->hide) {
		hide_edits(p->hide, f->machine, f->edits, sizeof(f->edits));
		if (!f->edits[0]) {
			ksft_print_msg("the machine has none of the features to hide\n");
			return KSFT_SKIP;
		}
	}
	f->cg = create_cgroup(f->root, p->name, p->subtree);
	if (!f->cg || (f->edits[0] && write_hwcap(f->cg, f->edits)) ||
	    read_effective(f->cg, f->eff) || read_state(f->cg, &f->before))
		return KSFT_FAIL;
	return KSFT_PASS;
}

/* What the fixture needs of the kernel and the machine: else SKIP. */
static int fixture_check(struct fixture *f, const struct fixture_params *p)
{
	char value[32];
	int ret;

	if (p->filter) {
		ret = filter_on(f->root, p->filter);
		if (ret != KSFT_PASS)
			return ret;
		if (read_filter(f->root, "cpuinfo", value, sizeof(value)))
			return KSFT_FAIL;
		f->cpuinfo = !strcmp(value, "yes");
	}
	if (p->needs)
		return machine_has(f->root, f->machine, p->needs);
	return read_effective(f->root, f->machine) ? KSFT_FAIL : KSFT_PASS;
}

/*
 * Set a test up as @params say, in this order: check the filter, the
 * root's effective set and the features the machine must have (KSFT_SKIP
 * if it lacks them), make room for reports, pin the test, make its cgroup,
 * then run the variant's own set-up.  *@fp is for fixture_teardown() in
 * any case; KSFT_PASS if the test can go on.
 */
int fixture_setup(struct fixture **fp, const char *root,
		  const struct fixture_params *params)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int ret, i;

	*fp = f;
	if (!f)
		return KSFT_FAIL;
	f->root = root;
	f->unchanged = params->unchanged;
	for (i = 0; i < FIXTURE_PROBES; i++)
		f->probe[i].pid = -1;
	ret = fixture_check(f, params);
	if (ret != KSFT_PASS)
		return ret;
	f->r = reports_alloc(FIXTURE_REPORTS);
	if (!f->r)
		return KSFT_FAIL;
	if (params->pin) {
		ret = fixture_pin(f);
		if (ret != KSFT_PASS)
			return ret;
	}
	if (params->name) {
		ret = fixture_make_cgroup(f, params);
		if (ret != KSFT_PASS)
			return ret;
	}
	return params->prepare ? params->prepare(f) : KSFT_PASS;
}

/*
 * One more cgroup for the test, @name below @parent (NULL: the root), torn
 * down with the fixture; with @setting written to its cpufeat.hwcap, and
 * its effective set read into @eff if not NULL.
 */
char *fixture_cgroup(struct fixture *f, const char *parent, const char *name,
		     const char *setting, char *eff)
{
	char **slot = NULL;
	int i;

	for (i = 0; i < FIXTURE_CGROUPS && !slot; i++)
		if (!f->extra[i])
			slot = &f->extra[i];
	if (!slot) {
		ksft_print_msg("a test may make %d more cgroups\n",
			       FIXTURE_CGROUPS);
		return NULL;
	}
	*slot = create_cgroup(parent ?: f->root, name, false);
	if (!*slot || (setting && write_hwcap(*slot, setting)) ||
	    (eff && read_effective(*slot, eff)))
		return NULL;
	return *slot;
}

/*
 * Undo fixture_setup() and what the test left to the fixture: finish its
 * probes, remove its cgroups (the last made first), unpin it.  Returns
 * @ret, the test's result, or KSFT_FAIL if the teardown failed.
 */
int fixture_teardown(struct fixture *f, int ret)
{
	int i;

	if (!f)
		return KSFT_FAIL;
	for (i = 0; i < FIXTURE_PROBES; i++)
		if (f->probe[i].pid > 0)
			probe_finish(&f->probe[i]);
	for (i = FIXTURE_CGROUPS - 1; i >= 0; i--)
		destroy_cgroup(f->extra[i]);
	if (f->unchanged && f->cg && !state_unchanged(f->cg, &f->before))
		ret = KSFT_FAIL;
	destroy_cgroup(f->cg);
	if (f->pinned && sched_setaffinity(0, sizeof(f->cpus), &f->cpus)) {
		ksft_print_msg("can't unpin the test: %s\n", strerror(errno));
		ret = KSFT_FAIL;
	}
	reports_free(f->r, FIXTURE_REPORTS);
	free(f->arch);
	free(f);
	return ret;
}
