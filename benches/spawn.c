/* SPDX-License-Identifier: MIT */
/* Process creation benches: fork, vfork, clone, clone3, posix_spawn, threads,
 * exec, copy-on-write and exit, each against the memory the parent holds
 * (the process creators run in kerf-spawner, which holds just that). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/param.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/bench.h"
#include "kerf/cgroup.h"
#include "kerf/derive.h"
#include "kerf/memlib.h"
#include "kerf/parse.h"
#include "kerf/procfs.h"
#include "kerf/spawner.h"

extern char **environ;

#define SMALL_PAGE 4096ul
#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

struct spawn_priv {
	uint64_t rss;
	int pages; /* enum kerf_pages: 4k or thp */
	struct kerf_buf reg; /* rss, touched page by page */
	char helper[PATH_MAX];
	pid_t lean; /* kerf-spawner, 0: none */
	int req, rep; /* its request and reply pipes */
};

/* Where this process's memory cgroup is, and its limit and usage files. */
static bool memory_cgroup(char *dir, size_t len, const char **lim,
			  const char **use)
{
	char self[512];

	if (!kerf_cg_self("memory", self, sizeof(self))) {
		snprintf(dir, len, "/sys/fs/cgroup/memory%s", self);
		*lim = "memory.limit_in_bytes";
		*use = "memory.usage_in_bytes";
		return true;
	}
	if (!kerf_cg_self(NULL, self, sizeof(self))) {
		snprintf(dir, len, "/sys/fs/cgroup%s", self);
		*lim = "memory.max";
		*use = "memory.current";
		return true;
	}
	return false;
}

/*
 * Memory this process may still take: MemAvailable, lowered by the room
 * left under the limit of its cgroup and of each ancestor.
 */
static uint64_t mem_room(void)
{
	char dir[1024], path[1100];
	const char *lim, *use;
	uint64_t room = kerf_mem_available();
	bool found = memory_cgroup(dir, sizeof(dir), &lim, &use);

	while (found) {
		char *slash = strrchr(dir, '/');
		uint64_t max, cur;
		bool have;

		snprintf(path, sizeof(path), "%s/%s", dir, lim);
		have = !kerf_read_u64(path, &max);
		snprintf(path, sizeof(path), "%s/%s", dir, use);
		have = !kerf_read_u64(path, &cur) && have;
		if (have)
			room = MIN(room, max > cur ? max - cur : 0);
		if (!slash || !strcmp(dir, "/sys/fs/cgroup") ||
		    !strcmp(dir, "/sys/fs/cgroup/memory"))
			break;
		*slash = 0;
	}
	return room;
}

/* Can this host give rss bytes of the page kind asked for? */
static int rss_check(struct kerf_ctx *ctx, uint64_t rss, int pages)
{
	char mode[32], a[32], b[32];
	uint64_t avail;

	if (!rss)
		return 0;
	avail = mem_room();
	if (rss > avail / 2) {
		kerf_fmt_size(rss, a, sizeof(a));
		kerf_fmt_size(avail, b, sizeof(b));
		return kerf_skip(
			ctx,
			"rss=%s is more than half of the memory kerf may take (%s: MemAvailable, or the room under its cgroup's memory limit)",
			a, b);
	}
	if (pages != KERF_PAGES_THP)
		return 0;
	kerf_thp_setting("enabled", mode, sizeof(mode));
	if (!strcmp(mode, "absent"))
		return kerf_skip(ctx, "no transparent huge pages: %s missing",
				 THP_ENABLED);
	if (!strcmp(mode, "never"))
		return kerf_skip(ctx,
				 "transparent huge pages disabled: %s is "
				 "never",
				 THP_ENABLED);
	return 0;
}

/* Map len bytes of the page kind (memlib) and touch every 4 KiB page. */
static int spawn_rss_map(struct kerf_buf *b, uint64_t len, int pages, char *why,
			 size_t whylen)
{
	int ret = kerf_buf_map(b, len, (enum kerf_pages)pages, why, whylen);

	if (ret)
		return ret;
	for (size_t off = 0; off < b->len; off += SMALL_PAGE)
		b->p[off] = 1;
	return 0;
}

static void report_huge(struct kerf_ctx *ctx, double f, int pages)
{
	if (f < 0)
		return;
	kerf_metric(ctx, "huge_fraction", f, "");
	if (pages == KERF_PAGES_THP && f < 0.9)
		kerf_warn(ctx,
			  "only %.0f%% of rss is backed by huge pages "
			  "(AnonHugePages in /proc/self/smaps)",
			  f * 100);
}

/* The untimed part shared by the create+reap benches: touch rss. */
static int rss_setup(struct kerf_ctx *ctx)
{
	struct spawn_priv *p = kerf_priv(ctx);
	int ret = rss_check(ctx, p->rss, p->pages);
	char why[256] = "";

	if (ret)
		return ret;
	if (!p->rss)
		return 0;
	ret = spawn_rss_map(&p->reg, p->rss, p->pages, why, sizeof(why));
	if (ret)
		return kerf_fail(ctx, ret, "mapping rss: %s", why);
	report_huge(ctx, kerf_huge_fraction(p->reg.p, p->reg.len), p->pages);
	return 0;
}

static void rss_teardown(struct kerf_ctx *ctx)
{
	struct spawn_priv *p = kerf_priv(ctx);

	kerf_buf_unmap(&p->reg);
}

/* Reap pid; 0 when it exited with status 0. */
static int reap(struct kerf_ctx *ctx, pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return kerf_fail(ctx, -errno, "waitpid: %s",
					 strerror(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return kerf_fail(ctx, -ECHILD, "child ended with status 0x%x",
				 st);
	return 0;
}

static void *thread_exit_at_once(void *arg)
{
	return arg;
}

static int pthread_run(struct kerf_ctx *ctx, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		pthread_t t;
		int ret = pthread_create(&t, NULL, thread_exit_at_once, NULL);

		if (ret)
			return kerf_fail(ctx, -ret, "pthread_create: %s",
					 strerror(ret));
		pthread_join(t, NULL);
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	char *b = buf;

	while (len) {
		ssize_t r = read(fd, b, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -EPIPE;
		b += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * fork, vfork, clone, clone3, posix_spawn and exec run in kerf-spawner, a
 * small program that maps only rss: forking kerf's worker would copy every
 * library kerf links (hwloc, jansson, liburing...), so fork at rss=0 would
 * measure kerf, not an empty process. One request per run(): n operations.
 */
static int lean_start(struct kerf_ctx *ctx, const char *op, char **argv)
{
	struct spawn_priv *p = kerf_priv(ctx);
	int req[2], rep[2];

	if (pipe2(req, O_CLOEXEC))
		return -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		close(req[0]);
		close(req[1]);
		return -errno;
	}
	p->lean = fork();
	if (!p->lean) {
		if (dup2(req[0], 0) < 0 || dup2(rep[1], 1) < 0)
			_exit(127);
		execve(argv[0], argv, environ);
		_exit(127);
	}
	close(req[0]);
	close(rep[1]);
	p->req = req[1];
	p->rep = rep[0];
	if (p->lean < 0) {
		p->lean = 0;
		return -errno;
	}
	return 0;
}

static int lean_setup(struct kerf_ctx *ctx, const char *op, bool program)
{
	struct spawn_priv *p = kerf_priv(ctx);
	struct kerf_spawner_ready rd;
	char path[PATH_MAX], rss[32];
	char *argv[] = { path,
			 (char *)op,
			 rss,
			 p->pages == KERF_PAGES_THP ? "thp" : "4k",
			 program ? p->helper : NULL,
			 NULL };
	int ret = rss_check(ctx, p->rss, p->pages);

	p->req = p->rep = -1;
	if (ret)
		return ret;
	if (program &&
	    kerf_helper_path(ctx, "kerf-exit0", p->helper, sizeof(p->helper)))
		return kerf_fail(
			ctx, -ENOENT,
			"helper kerf-exit0 not found next to kerf (%s)",
			p->helper);
	if (kerf_helper_path(ctx, "kerf-spawner", path, sizeof(path)))
		return kerf_fail(
			ctx, -ENOENT,
			"helper kerf-spawner not found next to kerf (%s)",
			path);
	snprintf(rss, sizeof(rss), "%llu", (unsigned long long)p->rss);
	ret = lean_start(ctx, op, argv);
	if (ret)
		return kerf_fail(ctx, ret, "starting kerf-spawner: %s",
				 strerror(-ret));
	ret = read_full(p->rep, &rd, sizeof(rd));
	if (ret)
		return kerf_fail(ctx, ret, "kerf-spawner did not get ready");
	if (rd.err == -ENOSYS || (rd.err == -EPERM && !strcmp(op, "clone3")))
		return kerf_skip(ctx, "%s() not available: %s", op,
				 strerror((int)-rd.err));
	if (rd.err)
		return kerf_fail(ctx, (int)rd.err, "kerf-spawner %s rss=%s: %s",
				 op, rss, strerror((int)-rd.err));
	if (p->rss)
		report_huge(ctx, rd.huge, p->pages);
	kerf_info(ctx, "spawner", "kerf-spawner: %lld mappings, VmRSS %lld kB",
		  (long long)rd.maps, (long long)rd.rss_kb);
	return 0;
}

static int lean_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct spawn_priv *p = kerf_priv(ctx);
	int64_t res;
	int ret;

	while (write(p->req, &n, sizeof(n)) < 0)
		if (errno != EINTR)
			return kerf_fail(ctx, -errno, "kerf-spawner: %s",
					 strerror(errno));
	ret = read_full(p->rep, &res, sizeof(res));
	if (ret)
		return kerf_fail(ctx, ret, "kerf-spawner died");
	if (res)
		return kerf_fail(ctx, (int)res, "kerf-spawner: %s",
				 strerror((int)-res));
	return 0;
}

/* EOF on its requests ends kerf-spawner; reap it. */
static void lean_teardown(struct kerf_ctx *ctx)
{
	struct spawn_priv *p = kerf_priv(ctx);

	if (p->req >= 0)
		close(p->req);
	if (p->rep >= 0)
		close(p->rep);
	p->req = p->rep = -1;
	while (p->lean > 0 && waitpid(p->lean, NULL, 0) < 0 && errno == EINTR)
		;
	p->lean = 0;
}

static int fork_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "fork", false);
}

static int vfork_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "vfork", false);
}

static int clone_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "clone", false);
}

static int clone3_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "clone3", false);
}

static int posix_spawn_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "posix_spawn", false);
}

static int exec_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "exec", true);
}

static int posix_spawn_exec_setup(struct kerf_ctx *ctx)
{
	return lean_setup(ctx, "posix_spawn_exec", true);
}

/* Copy-on-write: the child times its first write to each 4 KiB page. */
static void cow_child(struct kerf_ctx *ctx, const struct kerf_buf *r, int fd)
{
	uint64_t ns;

	kerf_time_start(ctx);
	for (size_t off = 0; off < r->len; off += SMALL_PAGE)
		r->p[off] = 2;
	kerf_barrier();
	ns = kerf_time_stop(ctx);
	if (write(fd, &ns, sizeof(ns)) != sizeof(ns))
		_exit(1);
	_exit(0);
}

static int cow_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct spawn_priv *p = kerf_priv(ctx);
	double pages = (double)(p->reg.len / SMALL_PAGE);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t ns = 0;
		int fd[2], ret;
		pid_t pid;

		if (pipe2(fd, O_CLOEXEC))
			return kerf_fail(ctx, -errno, "pipe: %s",
					 strerror(errno));
		pid = fork();
		if (!pid) {
			close(fd[0]);
			cow_child(ctx, &p->reg, fd[1]);
		}
		close(fd[1]);
		if (pid < 0) {
			close(fd[0]);
			return kerf_fail(ctx, -errno, "fork: %s",
					 strerror(errno));
		}
		ret = read_full(fd[0], &ns, sizeof(ns));
		close(fd[0]);
		if (reap(ctx, pid))
			return -ECHILD;
		if (ret)
			return kerf_fail(ctx, ret, "no time from the child");
		kerf_sample(ctx, (double)ns / pages);
	}
	return 0;
}

static int exit_setup(struct kerf_ctx *ctx)
{
	struct spawn_priv *p = kerf_priv(ctx);

	return rss_check(ctx, p->rss, p->pages);
}

/* The child maps and touches its own rss, says how much is huge, waits. */
static void exit_child(const struct spawn_priv *p, int fd)
{
	struct kerf_buf r;
	char why[256];
	double f = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* rss=0: an empty child, nothing mapped. */
	if (p->rss) {
		if (spawn_rss_map(&r, p->rss, p->pages, why, sizeof(why)))
			_exit(1);
		f = kerf_huge_fraction(r.p, r.len);
	}
	if (write(fd, &f, sizeof(f)) != sizeof(f))
		_exit(1);
	for (;;)
		pause();
}

static int exit_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct spawn_priv *p = kerf_priv(ctx);
	double f = -1;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t ns;
		int fd[2], st, ret;
		pid_t pid;

		if (pipe2(fd, O_CLOEXEC))
			return kerf_fail(ctx, -errno, "pipe: %s",
					 strerror(errno));
		pid = fork();
		if (!pid) {
			close(fd[0]);
			exit_child(p, fd[1]);
		}
		close(fd[1]);
		if (pid < 0) {
			close(fd[0]);
			return kerf_fail(ctx, -errno, "fork: %s",
					 strerror(errno));
		}
		ret = read_full(fd[0], &f, sizeof(f));
		close(fd[0]);
		kerf_time_start(ctx);
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		ns = kerf_time_stop(ctx);
		if (ret)
			return kerf_fail(ctx, ret,
					 "the child did not get ready (mapping "
					 "rss failed?)");
		kerf_sample(ctx, (double)ns);
	}
	if (p->rss)
		report_huge(ctx, f, p->pages);
	return 0;
}

static const struct kerf_param rss_params[] = {
	KERF_SIZE("rss", struct spawn_priv, rss, "0,256M", "0", "64G",
		  "anonymous memory the parent touches before creating"),
	KERF_ENUM("pages", struct spawn_priv, pages, "4k", "4k,thp",
		  "pages backing rss: 4k (MADV_NOHUGEPAGE) or thp "
		  "(MADV_HUGEPAGE)"),
	{}
};

static const struct kerf_param fork_params[] = {
	KERF_SIZE("rss", struct spawn_priv, rss, "0,64M,256M", "0", "64G",
		  "anonymous memory the parent touches before forking"),
	KERF_ENUM("pages", struct spawn_priv, pages, "4k", "4k,thp",
		  "pages backing rss: 4k (MADV_NOHUGEPAGE) or thp "
		  "(MADV_HUGEPAGE)"),
	{}
};

static const struct kerf_param cow_params[] = {
	KERF_SIZE("rss", struct spawn_priv, rss, "64M,256M", "4K", "64G",
		  "memory the parent touched; the child writes every page"),
	KERF_ENUM("pages", struct spawn_priv, pages, "4k", "4k,thp",
		  "pages backing rss: 4k (MADV_NOHUGEPAGE) or thp "
		  "(MADV_HUGEPAGE)"),
	{}
};

static const struct kerf_param exit_params[] = {
	KERF_SIZE("rss", struct spawn_priv, rss, "0,64M,256M", "0", "64G",
		  "anonymous memory the child touches before it is killed"),
	KERF_ENUM("pages", struct spawn_priv, pages, "4k", "4k,thp",
		  "pages backing rss: 4k (MADV_NOHUGEPAGE) or thp "
		  "(MADV_HUGEPAGE)"),
	{}
};

#define SPAWN_FULL "rss=0,64M,256M,1G,4G pages=4k,thp"

const struct kerf_bench spawn_fork = {
	.name = "spawn/fork",
	.summary = "fork() + _exit() + waitpid(), parent holding rss bytes",
	.unit = "ns/op",
	.params = fork_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = fork_setup,
	.run = lean_run,
	.teardown = lean_teardown,
	.derive = &kerf_derive_fork_rss,
};

const struct kerf_bench spawn_vfork = {
	.name = "spawn/vfork",
	.summary = "vfork() + _exit() + waitpid(), parent holding rss bytes",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = vfork_setup,
	.run = lean_run,
	.teardown = lean_teardown,
};

const struct kerf_bench spawn_clone = {
	.name = "spawn/clone",
	.summary = "clone(SIGCHLD) (process semantics) + exit + waitpid()",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = clone_setup,
	.run = lean_run,
	.teardown = lean_teardown,
};

const struct kerf_bench spawn_clone3 = {
	.name = "spawn/clone3",
	.summary = "clone3() with exit_signal SIGCHLD + _exit() + waitpid()",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = clone3_setup,
	.run = lean_run,
	.teardown = lean_teardown,
};

const struct kerf_bench spawn_posix_spawn = {
	.name = "spawn/posix_spawn",
	.summary = "posix_spawn() whose child exits at once (its execve "
		   "fails), reaped by libc",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = posix_spawn_setup,
	.run = lean_run,
	.teardown = lean_teardown,
};

const struct kerf_bench spawn_pthread = {
	.name = "spawn/pthread",
	.summary = "pthread_create() + pthread_join() of a thread that "
		   "returns at once",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = rss_setup,
	.run = pthread_run,
	.teardown = rss_teardown,
};

const struct kerf_bench spawn_exec = {
	.name = "spawn/exec",
	.summary = "fork() + execve() of kerf-exit0 + waitpid()",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = exec_setup,
	.run = lean_run,
	.teardown = lean_teardown,
};

const struct kerf_bench spawn_posix_spawn_exec = {
	.name = "spawn/posix_spawn_exec",
	.summary = "posix_spawn() of kerf-exit0 + waitpid()",
	.unit = "ns/op",
	.params = rss_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0",
	.full = SPAWN_FULL,
	.setup = posix_spawn_exec_setup,
	.run = lean_run,
	.teardown = lean_teardown,
};

const struct kerf_bench spawn_cow = {
	.name = "spawn/cow",
	.summary = "after fork(), the child's first write to each 4 KiB page "
		   "of rss (timed in the child), per page",
	.unit = "ns/page",
	.flags = KERF_F_SAMPLES,
	.params = cow_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=16M",
	.full = "rss=64M,256M,1G pages=4k,thp",
	.setup = rss_setup,
	.run = cow_run,
	.teardown = rss_teardown,
};

const struct kerf_bench spawn_exit = {
	.name = "spawn/exit",
	.summary = "kill(SIGKILL) to waitpid() returning, for a child "
		   "holding rss bytes",
	.unit = "ns",
	.flags = KERF_F_SAMPLES,
	.params = exit_params,
	.priv_size = sizeof(struct spawn_priv),
	.quick = "rss=0,16M",
	.full = "rss=0,64M,256M,1G pages=4k,thp",
	.setup = exit_setup,
	.run = exit_run,
};
