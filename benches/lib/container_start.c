/* SPDX-License-Identifier: MIT */
/* container/start: what a minimal runtime does to run /bin/true in a fresh
 * container, part by part; container/runtime: the same by crun or runc. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/cgroup.h"
#include "kerf/container.h"
#include "kerf/result.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

/* The namespaces of a runtime's default spec (crun spec: no user, no time
 * namespace when run as root). */
#define CONTAINER_ST_NS                                             \
	(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUTS | \
	 CLONE_NEWIPC | CLONE_NEWCGROUP)

static const char *const container_st_parts[KERF_CT_ST_NPARTS] = {
	"cgroup", "clone", "overlay", "pivot_root", "proc", "exec_exit",
};

/* Copy src to root/src (its directories made), mode 0755. */
static int container_st_copy(const char *root, const char *src)
{
	char dst[PATH_MAX + 512], buf[1 << 16];
	int in, out, err = 0;
	ssize_t r;

	snprintf(dst, sizeof(dst), "%s%s", root, src);
	*strrchr(dst, '/') = '\0';
	err = kerf_mkdir_p(dst);
	if (err)
		return err;
	snprintf(dst, sizeof(dst), "%s%s", root, src);
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	while (!err && (r = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)r) != r)
			err = -errno;
	close(in);
	close(out);
	return err;
}

/* The libraries /bin/true loads, as ldd lists them: the dynamic loader run
 * with LD_TRACE_LOADED_OBJECTS=1 prints them instead of running it. */
static int container_st_libs(char *buf, size_t len)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { "LD_TRACE_LOADED_OBJECTS=1", NULL };
	int fds[2], st;
	size_t used = 0;
	ssize_t r;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && used + 1 < len &&
	       (r = read(fds[0], buf + used, len - 1 - used)) > 0)
		used += (size_t)r;
	buf[used] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -ECHILD;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -ENOEXEC;
}

int kerf_ct_rootfs(const char *dir, char *why, size_t len)
{
	static const char *const dirs[] = { "/proc", "/dev", "/sys", "/tmp" };
	char list[8192], path[PATH_MAX + 64], *line, *save, *s;
	int err, i, n = 0;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, dirs[i]);
		kerf_mkdir_p(path);
	}
	err = container_st_copy(dir, "/bin/true");
	if (!err)
		err = container_st_libs(list, sizeof(list));
	for (line = strtok_r(list, "\n", &save); !err && line;
	     line = strtok_r(NULL, "\n", &save)) {
		s = strstr(line, "=> ");
		s = s ? s + 3 : line + strspn(line, " \t");
		if (*s != '/')
			continue; /* linux-vdso.so.1, not a file */
		s[strcspn(s, " (")] = '\0';
		err = container_st_copy(dir, s);
		n++;
	}
	if (err)
		snprintf(why, len, "rootfs of /bin/true in %s: %s", dir,
			 strerror(-err));
	return err ? err : n;
}

/* In the new namespaces: overlay root, pivot_root, /proc, exec; each
 * step stamped in the shared page; on failure the step and errno. */
static int container_st_child(void *arg)
{
	struct kerf_ct_st_priv *p = arg;
	struct kerf_ct_st_page *s = p->page;
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL }, c;

	if (p->sync[0] >= 0 && read(p->sync[0], &c, 1) != 1)
		return 99;
	s->t[0] = kerf_now_ns();
	s->stage = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("overlay", p->merged, "overlay", 0, p->opts))
		goto fail;
	s->t[1] = kerf_now_ns();
	s->stage = 1;
	if (chdir(p->merged) || syscall(SYS_pivot_root, ".", ".") ||
	    umount2(".", MNT_DETACH) || chdir("/"))
		goto fail;
	s->t[2] = kerf_now_ns();
	s->stage = 2;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		goto fail;
	s->t[3] = kerf_now_ns();
	s->stage = 3;
	execve(argv[0], argv, envp);
fail:
	s->err = errno;
	return 100 + s->stage;
}

int kerf_ct_st_setup(struct kerf_ctx *ctx)
{
	struct kerf_ct_st_priv *p = kerf_priv(ctx);
	char root[PATH_MAX + 16], why[512];
	int err;

	p->sync[0] = p->sync[1] = -1;
	if (geteuid() != 0)
		return kerf_skip(ctx, "starting a container needs root");
	err = kerf_ct_scratch(ctx, "st", p->dir, sizeof(p->dir));
	if (err)
		return err;
	err = kerf_ct_cg_prepare(ctx, &p->cg);
	if (err)
		return err;
	if (p->cg.hier == 1)
		kerf_info(ctx, "enter", "CLONE_INTO_CGROUP");
	else
		kerf_info(ctx, "enter", "cgroup.procs (v1)");
	snprintf(root, sizeof(root), "%s/rootfs", p->dir);
	err = kerf_ct_rootfs(root, why, sizeof(why));
	if (err < 0)
		return kerf_fail(ctx, err, "%s", why);
	kerf_info(ctx, "rootfs", "/bin/true and %d libraries", err);
	kerf_info(ctx, "namespaces", "pid net mnt uts ipc cgroup");
	snprintf(p->merged, sizeof(p->merged), "%.4000s/m", p->dir);
	if (mkdir(p->merged, 0755))
		return kerf_fail(ctx, -errno, "mkdir %s", p->merged);
	p->rec = calloc(KERF_CT_ST_CAP * KERF_CT_ST_NPARTS, sizeof(*p->rec));
	if (!p->rec)
		return kerf_fail(ctx, -ENOMEM, "parts record");
	p->page = mmap(NULL, sizeof(*p->page), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->page == MAP_FAILED) {
		p->page = NULL;
		return kerf_fail(ctx, -errno, "mmap");
	}
	return 0;
}

static const char *const container_st_stage[] = {
	"mounting the overlay root",
	"pivot_root",
	"mounting /proc",
	"execve /bin/true",
};

/* The child's exit, or what it failed at. */
static int container_st_status(struct kerf_ct_st_priv *p, int st)
{
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 100 && WEXITSTATUS(st) < 104) {
		snprintf(p->why, sizeof(p->why), "%s: %s",
			 container_st_stage[WEXITSTATUS(st) - 100],
			 strerror(p->page->err));
		return -p->page->err ? -p->page->err : -EIO;
	}
	snprintf(p->why, sizeof(p->why), "the container's /bin/true %s %d",
		 WIFEXITED(st) ? "exited" : "was killed by signal",
		 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return -ECHILD;
}

/* Into the prepared cgroup: CLONE_INTO_CGROUP (v2), or cgroup.procs
 * while the child waits on p->sync (v1). Returns the pid or -errno. */
static pid_t container_st_clone(struct kerf_ct_st_priv *p,
				char dirs[][PATH_MAX], int dfd)
{
	pid_t pid = kerf_ct_clone3(CONTAINER_ST_NS, dfd, container_st_child, p);
	int err = 0;

	if (p->sync[0] >= 0) {
		if (pid > 0)
			err = kerf_ct_cg_procs(&p->cg, dirs, pid);
		if (write(p->sync[1], "", 1) != 1 && !err)
			err = -errno;
		close(p->sync[0]);
		close(p->sync[1]);
		p->sync[0] = p->sync[1] = -1;
	}
	if (pid > 0 && err) {
		waitpid(pid, NULL, 0);
		return err;
	}
	return pid;
}

/* One container: the parent's stamps T[0..2], the child's t[0..3]. */
static int container_st_once(struct kerf_ctx *ctx, struct kerf_ct_st_priv *p,
			     bool record)
{
	char dirs[KERF_CG_NCTRL][PATH_MAX], u[PATH_MAX + 32], w[PATH_MAX + 32];
	struct kerf_ct_st_page *s = p->page;
	uint64_t T[3], *rec;
	int made = 0, err, st = 0, dfd = -1;
	pid_t pid = -1;

	snprintf(u, sizeof(u), "%s/u%llu", p->dir, (unsigned long long)p->seq);
	snprintf(w, sizeof(w), "%s/w%llu", p->dir, (unsigned long long)p->seq);
	p->seq++;
	snprintf(p->opts, sizeof(p->opts),
		 "lowerdir=%.4000s/rootfs,upperdir=%.4000s,workdir=%.4000s",
		 p->dir, u, w);
	memset(s, 0, sizeof(*s));
	if (mkdir(u, 0755) || mkdir(w, 0755) ||
	    (p->cg.hier == 0 && pipe2(p->sync, O_CLOEXEC)))
		return -errno;
	T[0] = kerf_now_ns();
	err = kerf_ct_cg_make(&p->cg, dirs, &made);
	if (!err)
		err = kerf_ct_cg_limit(&p->cg, dirs);
	if (!err && p->cg.hier == 1) {
		dfd = open(dirs[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = dfd < 0 ? -errno : 0;
	}
	T[1] = kerf_now_ns();
	if (!err) {
		pid = container_st_clone(p, dirs, dfd);
		err = pid < 0 ? pid : 0;
	}
	if (pid > 0 && waitpid(pid, &st, 0) != pid)
		err = -errno;
	T[2] = kerf_now_ns();
	if (dfd >= 0)
		close(dfd);
	if (!err)
		err = container_st_status(p, st);
	if (kerf_ct_cg_remove(dirs, made) && !err)
		err = -errno;
	kerf_ct_rmtree(u);
	kerf_ct_rmtree(w);
	p->cleanup_ns += kerf_now_ns() - T[2];
	if (err || !record)
		return err;
	kerf_sample(ctx, (double)(T[2] - T[0]));
	if (p->nrec >= KERF_CT_ST_CAP)
		return 0;
	rec = p->rec + p->nrec++ * KERF_CT_ST_NPARTS;
	rec[0] = T[1] - T[0];
	rec[1] = s->t[0] - T[1];
	rec[2] = s->t[1] - s->t[0];
	rec[3] = s->t[2] - s->t[1];
	rec[4] = s->t[3] - s->t[2];
	rec[5] = T[2] - s->t[3];
	return 0;
}

int kerf_ct_st_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct kerf_ct_st_priv *p = kerf_priv(ctx);
	/* The harness's first call is its warm-up sample, discarded: its
	 * parts are not kept either, so that they match the samples. */
	bool record = p->runs++ > 0;
	uint64_t i;
	int err;

	for (i = 0; i < n; i++) {
		p->why[0] = '\0';
		err = container_st_once(ctx, p, record);
		if (err)
			return kerf_fail(ctx, err, "container %llu: %s",
					 (unsigned long long)p->seq,
					 p->why[0] ? p->why : strerror(-err));
	}
	return 0;
}

/*
 * Each part as its mean over the kept samples: the parts tile the timeline
 * from the cgroup's mkdir to the reaped exit, so their means stack to the
 * mean total (a stacked bar by part); medians would not add up.
 */
void kerf_ct_st_teardown(struct kerf_ctx *ctx)
{
	struct kerf_ct_st_priv *p = kerf_priv(ctx);
	double sum = 0, part;
	uint64_t i;
	int k;

	for (k = 0; p->nrec && k < KERF_CT_ST_NPARTS; k++) {
		part = 0;
		for (i = 0; i < p->nrec; i++)
			part += (double)p->rec[i * KERF_CT_ST_NPARTS + k];
		part /= (double)p->nrec;
		sum += part;
		kerf_metric(ctx, container_st_parts[k], part,
			    "ns, mean over the samples");
	}
	if (p->nrec) {
		/* The report stacks these metrics into one bar (parts.c). */
		_Static_assert(KERF_CT_ST_NPARTS == 6, "six parts named");
		kerf_info(ctx, "parts", "%s,%s,%s,%s,%s,%s",
			  container_st_parts[0], container_st_parts[1],
			  container_st_parts[2], container_st_parts[3],
			  container_st_parts[4], container_st_parts[5]);
		kerf_metric(ctx, "parts_sum", sum, "ns, sum of the parts");
		kerf_metric(
			ctx, "cleanup", (double)p->cleanup_ns / (double)p->seq,
			"ns after the exit: rmdir the cgroup, remove upper and work (not in the total)");
	}
	free(p->rec);
	p->rec = NULL;
	if (p->page)
		munmap(p->page, sizeof(*p->page));
	p->page = NULL;
	if (p->dir[0])
		kerf_ct_rmtree(p->dir);
}
