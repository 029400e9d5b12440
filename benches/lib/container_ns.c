/* SPDX-License-Identifier: MIT */
/* container/unshare: create each namespace type by unshare or clone3, and
 * wait for its teardown, up to the moment the kernel has released it. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/cgroup.h"
#include "kerf/container.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* In KERF_CT_NS_CHOICES order; the ucount limit that counts each type. */
static const struct {
	uint64_t flag;
	const char *max;
} container_ns_types[] = {
	{ 0, NULL },
	{ CLONE_NEWUSER, "max_user_namespaces" },
	{ CLONE_NEWPID, "max_pid_namespaces" },
	{ CLONE_NEWNET, "max_net_namespaces" },
	{ CLONE_NEWNS, "max_mnt_namespaces" },
	{ CLONE_NEWUTS, "max_uts_namespaces" },
	{ CLONE_NEWIPC, "max_ipc_namespaces" },
	{ CLONE_NEWCGROUP, "max_cgroup_namespaces" },
	{ CLONE_NEWTIME, "max_time_namespaces" },
};
#define CONTAINER_NS_ALL 9

enum { VIA_UNSHARE, VIA_CLONE };
enum { WAIT_EXIT, WAIT_GONE };

uint64_t kerf_ct_ns_flags(int choice)
{
	uint64_t f = 0;
	int i;

	if (choice != CONTAINER_NS_ALL)
		return container_ns_types[choice].flag;
	for (i = 1; i < CONTAINER_NS_ALL; i++)
		f |= container_ns_types[i].flag;
	return f;
}

pid_t kerf_ct_clone3(uint64_t flags, int cgroup_fd, int (*fn)(void *),
		     void *arg)
{
	struct kerf_clone_args ca = {
		.flags = flags,
		.exit_signal = SIGCHLD,
	};
	pid_t pid;

	if (cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(fn ? fn(arg) : 0);
	return pid < 0 ? -errno : pid;
}

static int container_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(val), w;

	if (fd < 0)
		return -errno;
	w = write(fd, val, (size_t)len);
	if (w != len) {
		int err = w < 0 ? -errno : -EIO;

		close(fd);
		return err;
	}
	return close(fd) ? -errno : 0;
}

int kerf_ct_enter_userns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int err;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	err = container_write("/proc/self/setgroups", "deny");
	if (err && err != -ENOENT)
		return err;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	err = container_write("/proc/self/uid_map", map);
	if (err)
		return err;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	return container_write("/proc/self/gid_map", map);
}

static long container_read_long(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return r > 0 ? strtol(buf, NULL, 10) : -1;
}

static int container_userns_child(void *arg)
{
	(void)arg;
	return unshare(CLONE_NEWUSER) ? errno : 0;
}

void kerf_ct_userns_why(char *why, size_t len)
{
	long max = container_read_long("/proc/sys/user/max_user_namespaces");
	long clone = container_read_long(
		"/proc/sys/kernel/unprivileged_userns_clone");
	int st = 0;
	pid_t pid;

	why[0] = '\0';
	if (max == 0) {
		snprintf(why, len, "/proc/sys/user/max_user_namespaces is 0");
		return;
	}
	if (clone == 0 && geteuid() != 0) {
		snprintf(why, len,
			 "/proc/sys/kernel/unprivileged_userns_clone is 0");
		return;
	}
	pid = kerf_ct_clone3(0, -1, container_userns_child, NULL);
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		snprintf(why, len, "cannot fork: %s", strerror(-pid));
		return;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		snprintf(
			why, len,
			"unshare(CLONE_NEWUSER) fails: %s (max_user_namespaces %ld, unprivileged_userns_clone %ld, an LSM may refuse it)",
			WIFEXITED(st) ? strerror(WEXITSTATUS(st)) : "killed",
			max, clone);
}

int kerf_ct_owner(void)
{
	char path[64], comm[32] = "";
	pid_t ppid = getppid();
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)ppid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, comm, sizeof(comm) - 1) < 0)
			comm[0] = '\0';
		close(fd);
	}
	return strncmp(comm, "kerf", 4) ? (int)getpid() : (int)ppid;
}

/*
 * wait=gone: a namespace is gone when the kernel gives its count back
 * (dec_*_namespaces, ucounts). For a network namespace that is the last
 * step of cleanup_net, the deferred work that runs its exit methods, so
 * in a user namespace whose max_<type>_namespaces is 1 the next create
 * fails with ENOSPC until the previous one is really gone.
 */
static int container_ns_limit(struct kerf_ctx *ctx, uint64_t flags)
{
	char path[128];
	int i, err;

	err = kerf_ct_enter_userns();
	if (err)
		return kerf_skip(ctx, "wait=gone needs a user namespace: %s",
				 strerror(-err));
	for (i = 1; i < CONTAINER_NS_ALL; i++) {
		if (!(flags & container_ns_types[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/user/%s",
			 container_ns_types[i].max);
		err = container_write(path, "1");
		if (err)
			return kerf_skip(ctx, "cannot write 1 to %s: %s", path,
					 strerror(-err));
	}
	return 0;
}

int kerf_ct_ns_setup(struct kerf_ctx *ctx)
{
	struct kerf_ct_ns_priv *p = kerf_priv(ctx);
	const char *names[] = { "none", "user", "pid",	  "net",  "mnt",
				"uts",	"ipc",	"cgroup", "time", "all" };
	char why[256];

	p->flags = kerf_ct_ns_flags(p->ns);
	if (p->userns)
		p->flags |= CLONE_NEWUSER;
	kerf_info(ctx, "namespaces", "%s%s", p->userns ? "user+" : "",
		  names[p->ns]);
	if (geteuid() != 0 && (p->flags & ~(uint64_t)CLONE_NEWUSER) &&
	    !(p->flags & CLONE_NEWUSER))
		return kerf_skip(
			ctx,
			"creating a %s namespace needs CAP_SYS_ADMIN (run as root); -p userns=1 measures user+%s without privilege",
			names[p->ns], names[p->ns]);
	if (p->flags & CLONE_NEWUSER) {
		kerf_ct_userns_why(why, sizeof(why));
		if (why[0])
			return kerf_skip(ctx, "no user namespaces: %s", why);
	}
	if (p->wait == WAIT_GONE) {
		kerf_info(
			ctx, "gone",
			"each create waits until the previous namespace's count is given back (max_*_namespaces=1 in a user namespace; for net the end of cleanup_net)");
		prctl(PR_SET_TIMERSLACK, 1000ul);
		return container_ns_limit(ctx, p->flags);
	}
	return 0;
}

static int container_ns_unshare(void *arg)
{
	uint64_t flags = *(uint64_t *)arg;

	return unshare((int)flags) ? errno : 0;
}

static const struct timespec container_poll = { 0, 20000 };

/* One create, exit and wait; ENOSPC (wait=gone: the previous one is not
 * gone yet) is retried. */
static int container_ns_once(struct kerf_ct_ns_priv *p)
{
	pid_t pid;
	int st;

	for (;;) {
		if (p->via == VIA_CLONE)
			pid = kerf_ct_clone3(p->flags, -1, NULL, NULL);
		else
			pid = kerf_ct_clone3(0, -1, container_ns_unshare,
					     &p->flags);
		if (pid == -ENOSPC && p->wait == WAIT_GONE)
			goto retry;
		if (pid < 0)
			return pid;
		if (waitpid(pid, &st, 0) != pid)
			return -errno;
		if (!WIFEXITED(st))
			return -EINTR;
		if (WEXITSTATUS(st) == 0)
			return 0;
		if (WEXITSTATUS(st) != ENOSPC || p->wait != WAIT_GONE)
			return -WEXITSTATUS(st);
retry:
		/* Sleep, not spin: the freeing work may be queued on this
		 * PU (system_wq is per-CPU), and a spinning retry would
		 * delay what it waits for. */
		p->retries++;
		nanosleep(&container_poll, NULL);
	}
}

int kerf_ct_ns_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct kerf_ct_ns_priv *p = kerf_priv(ctx);
	uint64_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = container_ns_once(p);
		if (err)
			return kerf_fail(
				ctx, err, "%s of flags %#llx: %s",
				p->via == VIA_CLONE ? "clone3" : "unshare",
				(unsigned long long)p->flags, strerror(-err));
	}
	p->ops += n;
	return 0;
}

void kerf_ct_ns_teardown(struct kerf_ctx *ctx)
{
	struct kerf_ct_ns_priv *p = kerf_priv(ctx);

	if (p->wait == WAIT_GONE && p->ops)
		kerf_metric(ctx, "gone_retries", (double)p->retries / p->ops,
			    "creates refused (ENOSPC) per op");
}
