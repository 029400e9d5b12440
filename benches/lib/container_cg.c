/* SPDX-License-Identifier: MIT */
/* container/cgroup: make a cgroup with memory, pids and cpu limits, move a
 * process in (cgroup.procs or CLONE_INTO_CGROUP), remove it; v1 and v2. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/cgroup.h"
#include "kerf/container.h"

enum { HIER_V1, HIER_V2 };
enum { MOVE_PROCS, MOVE_CLONE };

/* The limits a runtime writes: 256 MiB, 64 tasks, half a CPU. */
static const struct {
	unsigned int ctrl;
	const char *v1file, *v1val, *v2file, *v2val;
} container_cg_limits[] = {
	{ KERF_CG_MEM, "memory.limit_in_bytes", "268435456", "memory.max",
	  "268435456" },
	{ KERF_CG_PIDS, "pids.max", "64", "pids.max", "64" },
	{ KERF_CG_CPU, "cpu.cfs_quota_us", "50000", "cpu.max", "50000 100000" },
};

static int container_cg_put(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 64];
	int fd, err = 0;
	size_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		err = -errno;
	close(fd);
	return err;
}

/* The cgroup2 mount point, from /proc/self/mountinfo. */
static int container_cg_v2_mount(char *buf, size_t len)
{
	char line[4096], mnt[PATH_MAX], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", fstype) != 1)
			continue;
		if (!strcmp(fstype, "cgroup2")) {
			snprintf(buf, len, "%s", mnt);
			err = 0;
		}
	}
	fclose(f);
	return err;
}

static int container_cg_v1(struct kerf_ctx *ctx, struct kerf_ct_cg_priv *p)
{
	struct kerf_cg cg;
	char why[512];
	int i, err;

	if (p->move == MOVE_CLONE)
		return kerf_skip(ctx, "CLONE_INTO_CGROUP is cgroup v2 only");
	err = kerf_cg_create(&cg, KERF_CG_MEM | KERF_CG_PIDS | KERF_CG_CPU, why,
			     sizeof(why));
	if (err)
		return kerf_skip(ctx, "%s", why);
	if (cg.version != 1) {
		kerf_cg_destroy(&cg, 1000);
		return kerf_skip(
			ctx,
			"memory, pids and cpu are on cgroup v2 here (mode %s)",
			kerf_cg_mode());
	}
	for (i = 0; i < KERF_CG_NCTRL; i++) {
		snprintf(p->parent[i], PATH_MAX, "%s", dirname(cg.dir[i]));
		p->ctrls |= 1u << i;
	}
	p->nparent = KERF_CG_NCTRL;
	p->version = 1;
	/* dirname() cut cg.dir: rebuild the paths to remove it. */
	for (i = 0; i < KERF_CG_NCTRL; i++)
		snprintf(cg.dir[i], PATH_MAX, "%.3900s/%s", p->parent[i],
			 cg.name);
	kerf_cg_destroy(&cg, 1000);
	return 0;
}

/* v2: kerf.slice below the mount (swept for leftovers), with whichever of
 * memory, pids and cpu the hierarchy offers. */
static int container_cg_v2(struct kerf_ctx *ctx, struct kerf_ct_cg_priv *p)
{
	static const char *const names[] = { "memory", "pids", "cpu" };
	char mnt[PATH_MAX], ctl[512] = "", path[PATH_MAX + 64];
	int i, fd;
	ssize_t r;

	if (container_cg_v2_mount(mnt, sizeof(mnt)))
		return kerf_skip(ctx, "no cgroup2 file system mounted");
	snprintf(p->parent[0], PATH_MAX, "%.4000s/kerf.slice", mnt);
	if (mkdir(p->parent[0], 0755) && errno != EEXIST)
		return kerf_skip(ctx, "cannot create %s: %s (needs root)",
				 p->parent[0], strerror(errno));
	p->nparent = 1;
	p->version = 2;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	r = fd >= 0 ? read(fd, ctl, sizeof(ctl) - 1) : -1;
	if (fd >= 0)
		close(fd);
	ctl[r > 0 ? r : 0] = '\0';
	for (i = 0; i < KERF_CG_NCTRL; i++) {
		char plus[16];

		if (!strstr(ctl, names[i]))
			continue;
		snprintf(plus, sizeof(plus), "+%s", names[i]);
		if (!container_cg_put(mnt, "cgroup.subtree_control", plus) &&
		    !container_cg_put(p->parent[0], "cgroup.subtree_control",
				      plus))
			p->ctrls |= 1u << i;
	}
	if (!p->ctrls)
		kerf_warn(
			ctx,
			"cgroup v2 at %s offers none of memory, pids, cpu (bound to v1 here): no limits written",
			mnt);
	return 0;
}

int kerf_ct_cg_setup(struct kerf_ctx *ctx)
{
	if (geteuid() != 0)
		return kerf_skip(ctx, "creating cgroups needs root");
	kerf_ct_cleanup_leftovers(kerf_tmpdir(ctx));
	return kerf_ct_cg_prepare(ctx, kerf_priv(ctx));
}

int kerf_ct_cg_prepare(struct kerf_ctx *ctx, struct kerf_ct_cg_priv *p)
{
	int err;

	snprintf(p->prefix, sizeof(p->prefix), "kerf-%d-c%d", kerf_ct_owner(),
		 (int)getpid());
	err = p->hier == HIER_V1 ? container_cg_v1(ctx, p) :
				   container_cg_v2(ctx, p);
	if (err)
		return err;
	kerf_info(ctx, "limits", "%s%s%s",
		  p->ctrls & KERF_CG_MEM ? "memory " : "",
		  p->ctrls & KERF_CG_PIDS ? "pids " : "",
		  p->ctrls & KERF_CG_CPU ? "cpu" : "");
	return 0;
}

static int container_cg_wait(void *arg)
{
	char c;

	return read(*(int *)arg, &c, 1) == 1 ? 0 : 1;
}

/* The child into the cgroup: CLONE_INTO_CGROUP, or fork and write its pid
 * to cgroup.procs of each hierarchy while it waits on a pipe. */
static int container_cg_move(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX],
			     pid_t *child)
{
	int fds[2], err = 0, dfd;

	if (p->move == MOVE_CLONE) {
		dfd = open(dirs[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return -errno;
		*child = kerf_ct_clone3(0, dfd, NULL, NULL);
		close(dfd);
		return *child < 0 ? *child : 0;
	}
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	*child = kerf_ct_clone3(0, -1, container_cg_wait, &fds[0]);
	close(fds[0]);
	if (*child > 0)
		err = kerf_ct_cg_procs(p, dirs, *child);
	if (write(fds[1], "", 1) != 1 && !err)
		err = -errno;
	close(fds[1]);
	return *child < 0 ? *child : err;
}

int kerf_ct_cg_make(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX], int *made)
{
	int err = 0;

	for (*made = 0; *made < p->nparent && !err; (*made)++) {
		snprintf(dirs[*made], PATH_MAX, "%.3900s/%s-%llu",
			 p->parent[*made], p->prefix,
			 (unsigned long long)p->seq);
		if (mkdir(dirs[*made], 0755))
			err = -errno;
	}
	if (err)
		(*made)--;
	p->seq++;
	return err;
}

int kerf_ct_cg_limit(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX])
{
	int i, j, err = 0;

	for (i = 0; i < p->nparent && !err; i++)
		for (j = 0; j < KERF_CG_NCTRL && !err; j++) {
			unsigned int c = container_cg_limits[j].ctrl;

			if (!(p->ctrls & c) || (p->version == 1 && i != j))
				continue;
			err = container_cg_put(
				dirs[i],
				p->hier == HIER_V1 ?
					container_cg_limits[j].v1file :
					container_cg_limits[j].v2file,
				p->hier == HIER_V1 ?
					container_cg_limits[j].v1val :
					container_cg_limits[j].v2val);
		}
	return err;
}

int kerf_ct_cg_remove(char dirs[][PATH_MAX], int made)
{
	int i, err = 0;

	for (i = made - 1; i >= 0; i--)
		if (rmdir(dirs[i]) && !err)
			err = -errno;
	return err;
}

int kerf_ct_cg_procs(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX],
		     pid_t pid)
{
	char buf[32];
	int i, err = 0;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (i = 0; !err && i < p->nparent; i++)
		err = container_cg_put(dirs[i], "cgroup.procs", buf);
	return err;
}

/* One cgroup: made, limited, entered, left, removed; the parts timed. */
static int container_cg_once(struct kerf_ct_cg_priv *p)
{
	char dirs[KERF_CG_NCTRL][PATH_MAX];
	uint64_t t0 = kerf_now_ns(), t1, t2, t3;
	pid_t child = -1;
	int made, err, st;

	err = kerf_ct_cg_make(p, dirs, &made);
	t1 = kerf_now_ns();
	if (!err)
		err = kerf_ct_cg_limit(p, dirs);
	t2 = kerf_now_ns();
	if (!err)
		err = container_cg_move(p, dirs, &child);
	if (child > 0 && waitpid(child, &st, 0) != child && !err)
		err = -errno;
	t3 = kerf_now_ns();
	if (kerf_ct_cg_remove(dirs, made) && !err)
		err = -errno;
	p->mkdir_ns += t1 - t0;
	p->limits_ns += t2 - t1;
	p->move_ns += t3 - t2;
	p->rmdir_ns += kerf_now_ns() - t3;
	return err;
}

int kerf_ct_cg_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct kerf_ct_cg_priv *p = kerf_priv(ctx);
	uint64_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = container_cg_once(p);
		if (err)
			return kerf_fail(ctx, err, "cgroup %s under %s: %s",
					 p->prefix, p->parent[0],
					 strerror(-err));
	}
	return 0;
}

void kerf_ct_cg_teardown(struct kerf_ctx *ctx)
{
	struct kerf_ct_cg_priv *p = kerf_priv(ctx);
	double n = (double)p->seq;

	if (!p->seq)
		return;
	kerf_metric(ctx, "mkdir", (double)p->mkdir_ns / n, "ns");
	kerf_metric(ctx, "limits", (double)p->limits_ns / n, "ns");
	kerf_metric(ctx, "enter_exit", (double)p->move_ns / n, "ns");
	kerf_metric(ctx, "rmdir", (double)p->rmdir_ns / n, "ns");
}
