/* SPDX-License-Identifier: MIT */
/* files/nofile: open files until RLIMIT_NOFILE refuses with EMFILE. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kerf/stress.h"

struct nofile_priv {
	int64_t soft;
};

struct nofile_shared {
	int64_t before; /* descriptors open when the worker started */
	int64_t opened;
	int64_t soft, hard;
	int err;
	int done;
};

static const struct kerf_param nofile_params[] = {
	KERF_INT(
		"soft", struct nofile_priv, soft, "1024", "16", "1048576",
		"RLIMIT_NOFILE soft limit the worker sets (at most the hard one)"),
	{}
};

static int64_t open_fds(void)
{
	struct dirent *de;
	int64_t n = 0;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static int nofile_worker(struct kerf_stress *st, int idx)
{
	struct nofile_priv *pv = kerf_stress_priv(st);
	struct nofile_shared *sh = kerf_stress_shared(st);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 3;
	if ((rlim_t)pv->soft < rl.rlim_max || rl.rlim_max == RLIM_INFINITY)
		rl.rlim_cur = (rlim_t)pv->soft;
	else
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 3;
	sh->soft = (int64_t)rl.rlim_cur;
	sh->hard = (int64_t)rl.rlim_max;
	sh->before = open_fds();
	while (open("/dev/null", O_RDONLY) >= 0)
		sh->opened++;
	sh->err = errno;
	__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int nofile_start(struct kerf_stress *st)
{
	pid_t pid = kerf_stress_spawn(st, "nofile", nofile_worker, 0);

	return pid < 0 ? pid : 0;
}

static double sysctl_num(const char *path)
{
	char buf[128];
	FILE *f = fopen(path, "re");
	double v = -1;

	if (f && fgets(buf, sizeof(buf), f))
		v = strtod(buf, NULL);
	if (f)
		fclose(f);
	return v;
}

static int nofile_verdict(struct kerf_stress *st)
{
	struct nofile_shared *sh = kerf_stress_shared(st);

	kerf_stress_figure(st, "soft_limit", (double)sh->soft, "fds");
	kerf_stress_figure(st, "hard_limit", (double)sh->hard, "fds");
	kerf_stress_figure(st, "fs_nr_open", sysctl_num("/proc/sys/fs/nr_open"),
			   "fds");
	kerf_stress_figure(st, "fs_file_max",
			   sysctl_num("/proc/sys/fs/file-max"), "files");
	kerf_stress_figure(st, "open_before", (double)sh->before, "fds");
	kerf_stress_figure(st, "opened", (double)sh->opened, "fds");
	kerf_stress_figure(st, "reached", (double)(sh->before + sh->opened),
			   "fds");
	kerf_stress_outcome(st, "errno", "%s",
			    sh->err ? strerrorname_np(sh->err) : "none");
	kerf_stress_observed(
		st,
		sh->done && sh->err == EMFILE &&
			sh->before + sh->opened == sh->soft,
		"%lld descriptors open (%lld before + %lld opened) at the soft limit %lld, then %s",
		(long long)(sh->before + sh->opened), (long long)sh->before,
		(long long)sh->opened, (long long)sh->soft,
		sh->err ? strerrorname_np(sh->err) : "no failure");
	return 0;
}

const struct kerf_stressor files_nofile = {
	.name = "files/nofile",
	.summary = "a worker opens files until RLIMIT_NOFILE refuses",
	.expected = "open fails with EMFILE exactly at the soft limit",
	.unit = "fds",
	.better = KERF_HIGHER_IS_BETTER,
	.headline = "reached",
	.params = nofile_params,
	.priv_size = sizeof(struct nofile_priv),
	.start = nofile_start,
	.verdict = nofile_verdict,
};
