/* SPDX-License-Identifier: MIT */
/* container/runtime: a real OCI runtime (crun, runc) starting /bin/true
 * from a bundle kerf prepares, timed from fork to the runtime's exit. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/container.h"

static const char *const container_rt_names[] = { "crun", "runc" };

/*
 * crun refuses a hybrid hierarchy whose cgroup2 holds a controller
 * ("cgroups in hybrid mode not supported"); there the cgroup2 mount is
 * detached in the worker's private mount namespace, so that crun sees
 * (and uses) the v1 hierarchies alone, and the result says so.
 */
static bool container_rt_hybrid_v2_busy(void)
{
	char buf[256] = "";
	int fd = open("/sys/fs/cgroup/unified/cgroup.controllers",
		      O_RDONLY | O_CLOEXEC);
	ssize_t r = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return r > 0 && buf[0] > ' ';
}

/* Run argv with cwd dir, output to dir/out.log; returns the wait status
 * or -errno. */
static int container_rt_exec(const char *bin, char *const argv[],
			     const char *dir)
{
	char log[PATH_MAX + 16];
	int st, fd;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/out.log", dir);
	pid = fork();
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY | O_CLOEXEC);

		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || in < 0 || chdir(dir) || dup2(in, 0) < 0 ||
		    dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(bin, argv);
		_exit(127);
	}
	if (pid < 0)
		return -errno;
	return waitpid(pid, &st, 0) == pid ? st : -errno;
}

/* The first line the runtime wrote, for a failure's message. */
static void container_rt_log(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/out.log", dir);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (f && fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* `RT spec` in the bundle, then: /bin/true, no terminal, root rootfs. */
static int container_rt_bundle(struct kerf_ctx *ctx, struct kerf_ct_rt_priv *p)
{
	char *argv[] = { (char *)container_rt_names[p->rt], "spec", NULL };
	char path[PATH_MAX + 16], why[512];
	json_error_t jerr;
	json_t *cfg, *proc, *root;
	int st, err;

	snprintf(path, sizeof(path), "%s/rootfs", p->dir);
	err = kerf_ct_rootfs(path, why, sizeof(why));
	if (err < 0)
		return kerf_fail(ctx, err, "%s", why);
	st = container_rt_exec(p->bin, argv, p->dir);
	if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		container_rt_log(p->dir, why, sizeof(why));
		return kerf_fail(ctx, -EIO, "%s spec failed: %s", p->bin, why);
	}
	snprintf(path, sizeof(path), "%s/config.json", p->dir);
	cfg = json_load_file(path, 0, &jerr);
	proc = json_object_get(cfg, "process");
	root = json_object_get(cfg, "root");
	if (!json_is_object(proc) || !json_is_object(root)) {
		json_decref(cfg);
		return kerf_fail(ctx, -EINVAL, "%s: no process or root object",
				 path);
	}
	json_object_set_new(proc, "args", json_pack("[s]", "/bin/true"));
	json_object_set_new(proc, "terminal", json_false());
	json_object_set_new(root, "path", json_string("rootfs"));
	err = json_dump_file(cfg, path, JSON_INDENT(2));
	json_decref(cfg);
	return err ? kerf_fail(ctx, -EIO, "cannot write %s", path) : 0;
}

int kerf_ct_rt_setup(struct kerf_ctx *ctx)
{
	static const char *const dirs[] = { "/usr/bin",	      "/usr/sbin",
					    "/usr/local/bin", "/usr/local/sbin",
					    "/bin",	      "/sbin" };
	struct kerf_ct_rt_priv *p = kerf_priv(ctx);
	const char *name = container_rt_names[p->rt];
	size_t i;
	int err;

	if (geteuid() != 0)
		return kerf_skip(ctx, "a rootful %s run needs root", name);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p->bin, sizeof(p->bin), "%s/%s", dirs[i], name);
		if (!access(p->bin, X_OK))
			break;
	}
	if (i == sizeof(dirs) / sizeof(dirs[0]))
		return kerf_skip(ctx,
				 "%s is not installed (apt-get install %s)",
				 name, name);
	err = kerf_ct_scratch(ctx, "rt", p->dir, sizeof(p->dir));
	if (err)
		return err;
	kerf_info(ctx, "runtime", "%s", p->bin);
	if (p->rt == 0 && container_rt_hybrid_v2_busy()) {
		if (umount2("/sys/fs/cgroup/unified", MNT_DETACH))
			return kerf_skip(
				ctx,
				"crun refuses this hybrid cgroup layout and /sys/fs/cgroup/unified cannot be detached: %s",
				strerror(errno));
		kerf_warn(
			ctx,
			"crun refuses hybrid cgroups with controllers on v2: /sys/fs/cgroup/unified detached in kerf's private mount namespace, crun uses v1");
	}
	return container_rt_bundle(ctx, p);
}

int kerf_ct_rt_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct kerf_ct_rt_priv *p = kerf_priv(ctx);
	char id[64], why[512];
	char *argv[] = { (char *)container_rt_names[p->rt],
			 "run",
			 "--bundle",
			 p->dir,
			 id,
			 NULL };
	uint64_t i;
	int st;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "kerf-%d-ct%d-%llu", kerf_ct_owner(),
			 (int)getpid(), (unsigned long long)p->seq++);
		kerf_time_start(ctx);
		st = container_rt_exec(p->bin, argv, p->dir);
		if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			container_rt_log(p->dir, why, sizeof(why));
			return kerf_fail(ctx, -EIO, "%s run %s: status %#x: %s",
					 p->bin, id, st, why);
		}
		kerf_sample(ctx, (double)kerf_time_stop(ctx));
	}
	return 0;
}

void kerf_ct_rt_teardown(struct kerf_ctx *ctx)
{
	struct kerf_ct_rt_priv *p = kerf_priv(ctx);

	if (p->dir[0])
		kerf_ct_rmtree(p->dir);
}
