/* SPDX-License-Identifier: MIT */
/* cgroup v1 and v2 backends: find, create, limit, populate, kill, remove. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kerf/cgroup.h"
#include "kerf/vmknobs.h"
#include "kerf/procfs.h"

static const char *const ctrl_name[KERF_CG_NCTRL] = { "memory", "pids", "cpu" };

/* Where each cgroup file system is mounted, and this process's place in it. */
struct cg_mounts {
	char v2[PATH_MAX]; /* cgroup2 mount point, "" if none */
	char v2own[PATH_MAX]; /* kerf's own v2 cgroup directory */
	char v1[KERF_CG_NCTRL][PATH_MAX]; /* v1 mount of each controller */
	char v1own[KERF_CG_NCTRL][PATH_MAX]; /* kerf's own v1 directories */
	bool any_v1;
};

static bool has_token(const char *list, const char *tok, char sep)
{
	size_t n = strlen(tok);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, tok, n) && (p[n] == sep || p[n] == '\0' ||
					    p[n] == '\n' || p[n] == ' '))
			return true;
		p = strchr(p, sep);
		if (p)
			p++;
	}
	return false;
}

static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* dst = mnt + (path relative to the mount's root). */
static void join_own(char *dst, const char *mnt, const char *root,
		     const char *path)
{
	size_t rl = strlen(root);

	if (strcmp(root, "/") && !strncmp(path, root, rl))
		path += rl;
	if (!strcmp(path, "/"))
		path = "";
	snprintf(dst, PATH_MAX, "%s%s", mnt, path);
}

int kerf_cg_self(const char *ctrl, char *path, size_t len)
{
	char line[4096];
	int err = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	/* Each line is "hierarchy-id:controllers:path"; v2 lists none. */
	while (err && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		c2[strcspn(c2 + 1, "\n") + 1] = '\0';
		if (ctrl ? has_token(c1 + 1, ctrl, ',') : c1 + 1 == c2) {
			snprintf(path, len, "%s", c2 + 1);
			err = 0;
		}
	}
	fclose(f);
	return err;
}

static void scan_mounts(struct cg_mounts *mt)
{
	char line[4096], root[KERF_CG_NCTRL + 1][PATH_MAX];
	char self[KERF_CG_NCTRL + 1][PATH_MAX];
	FILE *f;
	int i;

	memset(mt, 0, sizeof(*mt));
	memset(root, 0, sizeof(root));
	memset(self, 0, sizeof(self));
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mroot[PATH_MAX], mpoint[PATH_MAX], fstype[64], opts[1024];
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", mroot,
				    mpoint) != 2)
			continue;
		if (sscanf(dash + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup2") && !mt->v2[0]) {
			snprintf(mt->v2, PATH_MAX, "%s", mpoint);
			snprintf(root[KERF_CG_NCTRL], PATH_MAX, "%s", mroot);
		} else if (!strcmp(fstype, "cgroup")) {
			mt->any_v1 = true;
			for (i = 0; i < KERF_CG_NCTRL; i++) {
				if (has_token(opts, ctrl_name[i], ',') &&
				    !mt->v1[i][0]) {
					snprintf(mt->v1[i], PATH_MAX, "%s",
						 mpoint);
					snprintf(root[i], PATH_MAX, "%s",
						 mroot);
				}
			}
		}
	}
	fclose(f);

	kerf_cg_self(NULL, self[KERF_CG_NCTRL], PATH_MAX);
	for (i = 0; i < KERF_CG_NCTRL; i++)
		kerf_cg_self(ctrl_name[i], self[i], PATH_MAX);

	if (mt->v2[0])
		join_own(mt->v2own, mt->v2, root[KERF_CG_NCTRL],
			 self[KERF_CG_NCTRL][0] ? self[KERF_CG_NCTRL] : "/");
	for (i = 0; i < KERF_CG_NCTRL; i++)
		if (mt->v1[i][0])
			join_own(mt->v1own[i], mt->v1[i], root[i],
				 self[i][0] ? self[i] : "/");
}

/* Does dir/file (cgroup.controllers, cgroup.subtree_control) list ctrls? */
static bool cg_lists(const char *dir, const char *file, unsigned int ctrls)
{
	char path[PATH_MAX + 32], buf[512];
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (kerf_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (i = 0; i < KERF_CG_NCTRL; i++)
		if ((ctrls & (1u << i)) && !has_token(buf, ctrl_name[i], ' '))
			return false;
	return true;
}

/* Controllers the v2 root offers (its cgroup.controllers). */
static bool v2_offers(const struct cg_mounts *mt, unsigned int ctrls)
{
	return mt->v2[0] && cg_lists(mt->v2, "cgroup.controllers", ctrls);
}

const char *kerf_cg_mode(void)
{
	struct cg_mounts mt;

	scan_mounts(&mt);
	if (mt.v2[0] && mt.any_v1)
		return "hybrid";
	if (mt.v2[0])
		return "v2";
	return mt.any_v1 ? "v1" : "none";
}

/*
 * Enable ctrls in dir's subtree_control; what was not enabled before is
 * recorded in cg (when given) for kerf_cg_destroy to put back.
 */
static int enable_ctrls(struct kerf_cg *cg, const char *dir, unsigned int ctrls)
{
	char path[PATH_MAX + 32], buf[512], val[32];
	unsigned int added = 0;
	int i, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	for (i = 0; i < KERF_CG_NCTRL; i++) {
		if (!(ctrls & (1u << i)))
			continue;
		if (kerf_read_file(path, buf, sizeof(buf)) >= 0 &&
		    has_token(buf, ctrl_name[i], ' '))
			continue;
		snprintf(val, sizeof(val), "+%s", ctrl_name[i]);
		err = write_file(path, val);
		if (err)
			break;
		added |= 1u << i;
	}
	if (added && cg && cg->nrestore < 2) {
		snprintf(cg->restore_dir[cg->nrestore], PATH_MAX, "%s", dir);
		cg->restore_ctrls[cg->nrestore++] = added;
	}
	return err;
}

/* Put back what enable_ctrls changed above the run's cgroup, last first. */
static void cg_restore_parents(struct kerf_cg *cg)
{
	char path[PATH_MAX + 32], val[32];
	int i, c;

	if (cg->made_slice && cg->nrestore &&
	    !strcmp(cg->restore_dir[cg->nrestore - 1] +
			    strlen(cg->restore_dir[cg->nrestore - 1]) -
			    strlen("/kerf.slice"),
		    "/kerf.slice") &&
	    !rmdir(cg->restore_dir[cg->nrestore - 1]))
		cg->nrestore--; /* its subtree_control went with it */
	for (i = cg->nrestore - 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control",
			 cg->restore_dir[i]);
		for (c = KERF_CG_NCTRL - 1; c >= 0; c--) {
			if (!(cg->restore_ctrls[i] & (1u << c)))
				continue;
			snprintf(val, sizeof(val), "-%s", ctrl_name[c]);
			/* EBUSY: another run below still uses it; keep it. */
			write_file(path, val);
		}
	}
	cg->nrestore = 0;
}

static bool enabled_in(const char *dir, unsigned int ctrls)
{
	return cg_lists(dir, "cgroup.subtree_control", ctrls);
}

/*
 * The v2 parent of the run's cgroup: kerf.slice below the root when kerf
 * may write the root (root, no container), else kerf's own cgroup when it
 * is delegated (kerf then moves itself to a leaf kerf-<pid>-self so that
 * the controllers can be enabled: the no-internal-process rule).
 */
static int v2_parent(struct kerf_cg *cg, const struct cg_mounts *mt,
		     unsigned int ctrls, char *parent, char *why, size_t whylen)
{
	char path[PATH_MAX + 64], leaf[PATH_MAX + 64], pid[32];
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mt->v2);
	if (geteuid() == 0 && !access(path, W_OK) &&
	    !enable_ctrls(cg, mt->v2, ctrls)) {
		snprintf(parent, PATH_MAX, "%.4000s/kerf.slice", mt->v2);
		if (!mkdir(parent, 0755))
			cg->made_slice = true;
		else if (errno != EEXIST)
			goto delegated;
		if (!enable_ctrls(cg, parent, ctrls))
			return 0;
	}
delegated:
	if (strcmp(mt->v2own, mt->v2) && enabled_in(mt->v2own, ctrls) &&
	    !access(mt->v2own, W_OK)) {
		snprintf(parent, PATH_MAX, "%s", mt->v2own);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mt->v2own);
	if (strcmp(mt->v2own, mt->v2) && !access(path, W_OK)) {
		snprintf(leaf, sizeof(leaf), "%s/kerf-%d-self", mt->v2own,
			 (int)getpid());
		if (mkdir(leaf, 0755) && errno != EEXIST)
			goto fail;
		snprintf(path, sizeof(path), "%.4000s/cgroup.procs", leaf);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		if (write_file(path, pid))
			goto fail_leaf;
		err = enable_ctrls(cg, mt->v2own, ctrls);
		if (!err) {
			snprintf(parent, PATH_MAX, "%s", mt->v2own);
			return 0;
		}
		snprintf(path, sizeof(path), "%s/cgroup.procs", mt->v2own);
		write_file(path, pid);
fail_leaf:
		rmdir(leaf);
	}
fail:
	snprintf(
		why, whylen,
		"cgroup v2 at %s: kerf may not create a cgroup with the memory, pids or cpu controller (%s/cgroup.subtree_control is not writable, or other processes share kerf's cgroup %s); run kerf in a delegated scope: systemd-run --user --scope -p Delegate=yes kerf stress ...",
		mt->v2, mt->v2, mt->v2own);
	return -EACCES;
}

static unsigned int run_seq;

int kerf_cg_create(struct kerf_cg *cg, unsigned int ctrls, char *why,
		   size_t whylen)
{
	char parent[PATH_MAX], path[PATH_MAX + 32];
	struct cg_mounts mt;
	int i, err;

	memset(cg, 0, sizeof(*cg));
	cg->dirfd = -1;
	cg->ctrls = ctrls;
	if (!ctrls)
		return 0;
	snprintf(cg->name, sizeof(cg->name), "kerf-%d-%u", (int)getpid(),
		 run_seq++);
	scan_mounts(&mt);

	if (v2_offers(&mt, ctrls)) {
		err = v2_parent(cg, &mt, ctrls, parent, why, whylen);
		if (err) {
			cg_restore_parents(cg);
			return err;
		}
		snprintf(cg->dir[0], PATH_MAX, "%.3900s/%s", parent, cg->name);
		if (mkdir(cg->dir[0], 0755)) {
			err = -errno;
			snprintf(why, whylen, "cannot create %s: %s",
				 cg->dir[0], strerror(errno));
			cg->dir[0][0] = '\0';
			return err;
		}
		cg->version = 2;
		cg->dirfd =
			open(cg->dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		snprintf(path, sizeof(path), "%s/cgroup.kill", cg->dir[0]);
		cg->has_kill = !access(path, W_OK);
		return 0;
	}

	for (i = 0; i < KERF_CG_NCTRL; i++) {
		if (!(ctrls & (1u << i)))
			continue;
		if (!mt.v1[i][0]) {
			snprintf(
				why, whylen,
				"no %s controller: cgroup v2 %s%s does not offer it and no cgroup v1 hierarchy has it mounted",
				ctrl_name[i], mt.v2[0] ? "at " : "",
				mt.v2[0] ? mt.v2 : "(not mounted)");
			err = -ENOENT;
			goto fail;
		}
		snprintf(cg->dir[i], PATH_MAX, "%.3900s/%s", mt.v1own[i],
			 cg->name);
		if (mkdir(cg->dir[i], 0755)) {
			err = -errno;
			snprintf(
				why, whylen,
				"cgroup v1 %s: cannot create %s: %s; run kerf as root or make %s writable by this user, or on cgroup v2: systemd-run --user --scope -p Delegate=yes kerf stress ...",
				ctrl_name[i], cg->dir[i], strerror(errno),
				mt.v1own[i]);
			cg->dir[i][0] = '\0';
			goto fail;
		}
	}
	cg->version = 1;
	return 0;
fail:
	for (i = 0; i < KERF_CG_NCTRL; i++)
		if (cg->dir[i][0])
			rmdir(cg->dir[i]);
	memset(cg->dir, 0, sizeof(cg->dir));
	return err;
}

/* The directory holding the files of ctrl (v2: the one directory). */
static const char *ctrl_dir(const struct kerf_cg *cg, unsigned int ctrl)
{
	int i;

	if (cg->version == 2)
		return cg->dir[0];
	for (i = 0; i < KERF_CG_NCTRL; i++)
		if (ctrl == (1u << i))
			return cg->dir[i][0] ? cg->dir[i] : NULL;
	return NULL;
}

int kerf_cg_write(const struct kerf_cg *cg, unsigned int ctrl, const char *file,
		  const char *val)
{
	const char *dir = ctrl_dir(cg, ctrl);
	char path[PATH_MAX + 64];

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file(path, val);
}

int kerf_cg_read(const struct kerf_cg *cg, unsigned int ctrl, const char *file,
		 char *buf, size_t len)
{
	const char *dir = ctrl_dir(cg, ctrl);
	char path[PATH_MAX + 64];

	if (!dir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return kerf_read_file(path, buf, len);
}

bool kerf_cg_has(const struct kerf_cg *cg, unsigned int ctrl, const char *file)
{
	const char *dir = ctrl_dir(cg, ctrl);
	char path[PATH_MAX + 64];

	if (!dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return !access(path, F_OK);
}

static uint64_t read_u64(const struct kerf_cg *cg, unsigned int ctrl,
			 const char *file)
{
	char buf[64];

	if (kerf_cg_read(cg, ctrl, file, buf, sizeof(buf)) <= 0)
		return KERF_CG_NA;
	if (!strncmp(buf, "max", 3))
		return KERF_CG_NA;
	return strtoull(buf, NULL, 10);
}

static int write_u64(struct kerf_cg *cg, unsigned int ctrl, const char *file,
		     uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return kerf_cg_write(cg, ctrl, file, buf);
}

int kerf_cg_mem_max(struct kerf_cg *cg, uint64_t bytes)
{
	int err;

	if (cg->version == 2) {
		err = write_u64(cg, KERF_CG_MEM, "memory.max", bytes);
		/* Anonymous memory must not escape to swap. */
		if (!err && kerf_cg_has(cg, KERF_CG_MEM, "memory.swap.max"))
			err = write_u64(cg, KERF_CG_MEM, "memory.swap.max", 0);
		return err;
	}
	err = write_u64(cg, KERF_CG_MEM, "memory.limit_in_bytes", bytes);
	if (!err && kerf_cg_has(cg, KERF_CG_MEM, "memory.memsw.limit_in_bytes"))
		err = write_u64(cg, KERF_CG_MEM, "memory.memsw.limit_in_bytes",
				bytes);
	if (!err && kerf_cg_has(cg, KERF_CG_MEM, "memory.swappiness"))
		write_u64(cg, KERF_CG_MEM, "memory.swappiness", 0);
	return err;
}

int kerf_cg_mem_swap(struct kerf_cg *cg, bool allow, uint64_t limit)
{
	uint64_t swappiness = 60;
	int err;

	if (cg->version == 2)
		return kerf_cg_write(cg, KERF_CG_MEM, "memory.swap.max",
				     allow ? "max" : "0");
	if (!kerf_cg_has(cg, KERF_CG_MEM, "memory.memsw.limit_in_bytes"))
		return -EOPNOTSUPP;
	err = allow ? kerf_cg_write(cg, KERF_CG_MEM,
				    "memory.memsw.limit_in_bytes", "-1") :
		      write_u64(cg, KERF_CG_MEM, "memory.memsw.limit_in_bytes",
				limit);
	if (err || !kerf_cg_has(cg, KERF_CG_MEM, "memory.swappiness"))
		return err;
	if (!allow)
		swappiness = 0;
	else
		kerf_read_u64("/proc/sys/vm/swappiness", &swappiness);
	return write_u64(cg, KERF_CG_MEM, "memory.swappiness", swappiness);
}

int kerf_cg_mem_high(struct kerf_cg *cg, uint64_t bytes)
{
	if (cg->version != 2)
		return -EOPNOTSUPP;
	return write_u64(cg, KERF_CG_MEM, "memory.high", bytes);
}

int kerf_cg_mem_oom_group(struct kerf_cg *cg)
{
	if (cg->version != 2 ||
	    !kerf_cg_has(cg, KERF_CG_MEM, "memory.oom.group"))
		return -EOPNOTSUPP;
	return kerf_cg_write(cg, KERF_CG_MEM, "memory.oom.group", "1");
}

int kerf_cg_pids_max(struct kerf_cg *cg, uint64_t n)
{
	return write_u64(cg, KERF_CG_PIDS, "pids.max", n);
}

int kerf_cg_cpu_max(struct kerf_cg *cg, uint64_t quota_us, uint64_t period_us)
{
	char buf[64];
	int err;

	if (cg->version == 2) {
		snprintf(buf, sizeof(buf), "%llu %llu",
			 (unsigned long long)quota_us,
			 (unsigned long long)period_us);
		return kerf_cg_write(cg, KERF_CG_CPU, "cpu.max", buf);
	}
	err = write_u64(cg, KERF_CG_CPU, "cpu.cfs_period_us", period_us);
	if (!err)
		err = write_u64(cg, KERF_CG_CPU, "cpu.cfs_quota_us", quota_us);
	return err;
}

static void stat_or_na(const char *text, const char *key, uint64_t *v)
{
	if (kerf_kv(text, key, v))
		*v = KERF_CG_NA;
}

static void read_psi(const char *path, struct kerf_cg_mem *m)
{
	char buf[512], *p;
	uint64_t total;

	m->psi_ok = false;
	if (kerf_read_file(path, buf, sizeof(buf)) <= 0)
		return;
	p = strstr(buf, "some avg10=");
	if (!p || kerf_kv(p, "total", &total))
		return;
	m->psi_avg10 = strtod(p + strlen("some avg10="), NULL);
	m->psi_total_us = total;
	m->psi_ok = true;
}

int kerf_cg_mem_read(const struct kerf_cg *cg, struct kerf_cg_mem *m)
{
	char buf[8192], path[PATH_MAX + 32];
	uint64_t v;

	memset(m, 0, sizeof(*m));
	if (!ctrl_dir(cg, KERF_CG_MEM))
		return -ENOENT;
	if (cg->version == 2) {
		m->usage = read_u64(cg, KERF_CG_MEM, "memory.current");
		m->limit = read_u64(cg, KERF_CG_MEM, "memory.max");
	} else {
		m->usage = read_u64(cg, KERF_CG_MEM, "memory.usage_in_bytes");
		m->limit = read_u64(cg, KERF_CG_MEM, "memory.limit_in_bytes");
	}
	if (m->usage == KERF_CG_NA)
		return -EIO;
	if (kerf_cg_read(cg, KERF_CG_MEM, "memory.stat", buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	stat_or_na(buf, cg->version == 2 ? "anon" : "rss", &m->anon);
	stat_or_na(buf, cg->version == 2 ? "file" : "cache", &m->file);
	stat_or_na(buf, "shmem", &m->shmem);
	stat_or_na(buf, "pgscan", &m->pgscan);
	stat_or_na(buf, "pgsteal", &m->pgsteal);

	if (cg->version == 2) {
		if (kerf_cg_read(cg, KERF_CG_MEM, "memory.events", buf,
				 sizeof(buf)) < 0)
			buf[0] = '\0';
		stat_or_na(buf, "high", &m->ev_high);
		stat_or_na(buf, "max", &m->ev_max);
		stat_or_na(buf, "oom", &m->ev_oom);
		stat_or_na(buf, "oom_kill", &m->ev_oom_kill);
		snprintf(path, sizeof(path), "%s/memory.pressure", cg->dir[0]);
		read_psi(path, m);
	} else {
		m->ev_high = KERF_CG_NA;
		m->ev_oom = KERF_CG_NA;
		m->ev_max = read_u64(cg, KERF_CG_MEM, "memory.failcnt");
		if (kerf_cg_read(cg, KERF_CG_MEM, "memory.oom_control", buf,
				 sizeof(buf)) >= 0 &&
		    !kerf_kv(buf, "oom_kill", &v))
			m->ev_oom_kill = v;
		else
			m->ev_oom_kill = KERF_CG_NA;
		read_psi("/proc/pressure/memory", m);
		m->psi_system = true;
	}
	return 0;
}

int kerf_cg_cpu_read(const struct kerf_cg *cg, struct kerf_cg_cpu *c)
{
	char buf[1024];
	uint64_t v;

	c->nr_periods = c->nr_throttled = c->throttled_us = KERF_CG_NA;
	if (kerf_cg_read(cg, KERF_CG_CPU, "cpu.stat", buf, sizeof(buf)) < 0)
		return -ENOENT;
	stat_or_na(buf, "nr_periods", &c->nr_periods);
	stat_or_na(buf, "nr_throttled", &c->nr_throttled);
	if (!kerf_kv(buf, "throttled_usec", &v))
		c->throttled_us = v;
	else if (!kerf_kv(buf, "throttled_time", &v))
		c->throttled_us = v / 1000;
	return 0;
}

/* Worker side of the spawn: default signals, die with kerf, then run. */
static void child_enter(pid_t kerf)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != kerf)
		_exit(127);
}

static int move_into(const struct kerf_cg *cg, pid_t pid)
{
	char path[PATH_MAX + 32], buf[32];
	int i, err;

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (i = 0; i < KERF_CG_NCTRL; i++) {
		if (!cg->dir[i][0])
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir[i]);
		err = write_file(path, buf);
		if (err)
			return err;
	}
	return 0;
}

pid_t kerf_cg_spawn(struct kerf_cg *cg, int (*fn)(void *), void *arg)
{
	pid_t kerf = getpid(), pid;
	int p[2], err;
	char c = 1;

	if (cg->version == 2 && cg->dirfd >= 0) {
		struct kerf_clone_args ca = {
			.flags = CLONE_INTO_CGROUP,
			.exit_signal = SIGCHLD,
			.cgroup = (uint64_t)cg->dirfd,
		};

		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0) {
			child_enter(kerf);
			_exit(fn(arg));
		}
		if (pid > 0) {
			cg->clone3 = true;
			return pid;
		}
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return -errno;
	}

	/* fork, move the child in, then let it run. */
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		close(p[1]);
		child_enter(kerf);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		close(p[0]);
		_exit(fn(arg));
	}
	close(p[0]);
	err = cg->version ? move_into(cg, pid) : 0;
	if (err) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[1]);
		return err;
	}
	if (write(p[1], &c, 1) != 1)
		err = -errno;
	close(p[1]);
	return err ? err : pid;
}

/* Is pid listed in the cgroup.procs text buf? */
static bool cg_listed(const char *buf, long pid)
{
	const char *p = buf;
	char *end;

	for (; *p; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v == pid)
			return true;
	}
	return false;
}

/* SIGKILL through the pidfd, or pid itself where there is none (< 5.3). */
static int cg_sigkill(int pidfd, long pid)
{
	if (pidfd < 0)
		return kill((pid_t)pid, SIGKILL);
	return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

#define CG_KILL_BATCH 256

/*
 * SIGKILL every pid listed in dir/cgroup.procs; returns how many. A pid
 * read from the file may have exited and been reused by a process outside
 * the cgroup, so each is pinned with a pidfd first, then signalled only if
 * it is still listed: a pidfd whose process died signals nothing.
 */
static int kill_listed(const char *dir)
{
	char path[PATH_MAX + 32], buf[8192], *p, *end;
	int fd[CG_KILL_BATCH], n = 0, i, nfd = 0;
	long pid[CG_KILL_BATCH];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (kerf_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (p = buf; *p && nfd < CG_KILL_BATCH; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v <= 0)
			continue;
		fd[nfd] = (int)syscall(SYS_pidfd_open, (pid_t)v, 0);
		/* Before 5.3 no pidfds: a bare kill, still only if listed. */
		if (fd[nfd] >= 0 || errno == ENOSYS)
			pid[nfd++] = v;
	}
	if (kerf_read_file(path, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	for (i = 0; i < nfd; i++) {
		if (cg_listed(buf, pid[i]) && !cg_sigkill(fd[i], pid[i]))
			n++;
		if (fd[i] >= 0)
			close(fd[i]);
	}
	return n;
}

static int count_listed(const char *dir)
{
	char path[PATH_MAX + 32], buf[8192], *p;
	int n = 0, len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	len = kerf_read_file(path, buf, sizeof(buf));
	if (len < 0)
		return len;
	for (p = buf; *p; p++)
		if (*p == '\n')
			n++;
	return n;
}

static void kill_dir(const char *dir, bool v2kill)
{
	char path[PATH_MAX + 32];

	if (v2kill) {
		snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
		if (!write_file(path, "1"))
			return;
	}
	kill_listed(dir);
}

int kerf_cg_kill(struct kerf_cg *cg)
{
	int i;

	for (i = 0; i < KERF_CG_NCTRL; i++)
		if (cg->dir[i][0])
			kill_dir(cg->dir[i], cg->version == 2 && cg->has_kill);
	return 0;
}

int kerf_cg_nprocs(const struct kerf_cg *cg)
{
	int i, n, total = 0;

	for (i = 0; i < KERF_CG_NCTRL; i++) {
		if (!cg->dir[i][0])
			continue;
		n = count_listed(cg->dir[i]);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Kill, wait until empty (bounded), rmdir: one directory. */
static int destroy_dir(const char *dir, bool v2kill, int timeout_ms)
{
	uint64_t end = mono_ms() + (uint64_t)timeout_ms;
	struct timespec ts = { 0, 2000000 };

	for (;;) {
		int n = count_listed(dir);

		if (n == -ENOENT)
			return 0;
		if (n == 0 && !rmdir(dir))
			return 0;
		if (n == 0 && errno != EBUSY)
			return -errno;
		if (mono_ms() > end)
			return -EBUSY;
		kill_dir(dir, v2kill);
		nanosleep(&ts, NULL);
	}
}

int kerf_cg_destroy(struct kerf_cg *cg, int timeout_ms)
{
	int i, err, ret = 0;

	for (i = 0; i < KERF_CG_NCTRL; i++) {
		if (!cg->dir[i][0])
			continue;
		err = destroy_dir(cg->dir[i], cg->version == 2 && cg->has_kill,
				  timeout_ms);
		if (err)
			ret = err;
		else
			cg->dir[i][0] = '\0';
	}
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	cg->dirfd = -1;
	if (!ret)
		cg_restore_parents(cg);
	return ret;
}

/* Is pid a live kerf (not a dead one whose pid was reused)? */
static bool kerf_alive(int pid)
{
	char path[64], comm[64];

	if (pid == (int)getpid())
		return true;
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (kerf_read_file(path, comm, sizeof(comm)) <= 0)
		return false;
	return !strncmp(comm, "kerf", 4);
}

static int owner_of(const char *name)
{
	int pid;

	if (strncmp(name, "kerf-", 5) || sscanf(name + 5, "%d-", &pid) != 1 ||
	    pid <= 0)
		return -1;
	return pid;
}

static int sweep_dir(const char *parent, bool v2, bool files,
		     void (*log)(const char *path))
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	int n = 0, pid;
	DIR *d;

	d = opendir(parent);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid = owner_of(de->d_name);
		if (pid < 0 || kerf_alive(pid))
			continue;
		/* THP state kerf could not put back: kept for a later try. */
		if (files && strstr(de->d_name, "-thp"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent, de->d_name);
		if (files ? unlink(path) : destroy_dir(path, v2, 2000))
			continue;
		if (log)
			log(path);
		n++;
	}
	closedir(d);
	return n;
}

/* What the leftover sweep over host VM settings counts and logs with. */
struct cg_vm_sweep {
	void (*log)(const char *path);
	int n;
};

/* A swap file kerf-<pid>-swap of a kerf that is gone: off and removed. */
static void cg_sweep_swap(const char *path, void *arg)
{
	struct cg_vm_sweep *sw = arg;
	const char *base = strrchr(path, '/');
	int pid = owner_of(base ? base + 1 : path);

	if (pid < 0 || kerf_alive(pid) || !strstr(path, "-swap"))
		return;
	if (kerf_swapfile_remove(path))
		return;
	if (sw->log)
		sw->log(path);
	sw->n++;
}

/* THP settings a gone kerf changed (its /dev/shm/kerf-<pid>-thp): put back. */
static int cg_sweep_thp(void (*log)(const char *path))
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0, pid;
	DIR *d = opendir("/dev/shm");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		pid = owner_of(de->d_name);
		if (pid < 0 || len < 4 ||
		    strcmp(de->d_name + len - 4, "-thp") || kerf_alive(pid))
			continue;
		snprintf(path, sizeof(path), "/dev/shm/%s", de->d_name);
		if (kerf_thp_restore_file(path))
			continue;
		if (log)
			log(path);
		n++;
	}
	closedir(d);
	return n;
}

int kerf_cg_cleanup_leftovers(void (*log)(const char *path))
{
	struct cg_vm_sweep sw = { log, 0 };
	char path[PATH_MAX + 32];
	struct cg_mounts mt;
	int i, n = 0;

	/* Before the /dev/shm sweep, which would drop the THP state files. */
	kerf_swap_each(cg_sweep_swap, &sw);
	n += sw.n + cg_sweep_thp(log);

	scan_mounts(&mt);
	if (mt.v2[0]) {
		snprintf(path, sizeof(path), "%s/kerf.slice", mt.v2);
		n += sweep_dir(path, true, false, log);
		if (strcmp(mt.v2own, mt.v2))
			n += sweep_dir(mt.v2own, true, false, log);
	}
	for (i = 0; i < KERF_CG_NCTRL; i++)
		if (mt.v1own[i][0])
			n += sweep_dir(mt.v1own[i], false, false, log);
	n += sweep_dir("/dev/shm", false, true, log);
	return n;
}

/* The headroom of one cgroup directory: v2 memory.max/current, v1
 * memory.limit_in_bytes/usage_in_bytes. false when unlimited or unreadable. */
static bool cg_dir_room(const char *dir, int version, uint64_t *limit,
			uint64_t *usage)
{
	char path[PATH_MAX + 48];

	snprintf(path, sizeof(path), "%s/%s", dir,
		 version == 2 ? "memory.max" : "memory.limit_in_bytes");
	if (kerf_read_u64(path, limit) || *limit >= (1ull << 60))
		return false; /* "max", or v1's PAGE_COUNTER_MAX */
	snprintf(path, sizeof(path), "%s/%s", dir,
		 version == 2 ? "memory.current" : "memory.usage_in_bytes");
	if (kerf_read_u64(path, usage))
		*usage = 0;
	return true;
}

void kerf_cg_room(const struct kerf_cg *cg, struct kerf_cg_room *room)
{
	const char *own = cg->dir[0];
	char dir[PATH_MAX], *slash;
	uint64_t lim, use, kib;

	memset(room, 0, sizeof(*room));
	room->headroom = room->avail = UINT64_MAX;
	if (!kerf_read_kv("/proc/meminfo", "MemAvailable:", &kib))
		room->avail = kib << 10;
	if (!(cg->ctrls & KERF_CG_MEM) || !own[0])
		return;
	/* From the run's parent up to the mount (it has no limit file). */
	snprintf(dir, sizeof(dir), "%s", own);
	while ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (!cg_dir_room(dir, cg->version, &lim, &use))
			continue;
		if (lim - (use < lim ? use : lim) < room->headroom) {
			room->headroom = lim - (use < lim ? use : lim);
			room->parent_limit = lim;
			room->parent_usage = use;
			snprintf(room->where, sizeof(room->where), "%s", dir);
		}
	}
}
