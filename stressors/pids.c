/* SPDX-License-Identifier: MIT */
/* pids/fork: fork until pids.max refuses, count, check nothing else was hurt. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/stress.h"

struct fork_priv {
	int64_t max;
	int outside; /* kerf forked while the cgroup was full: 1 ok */
};

struct fork_shared {
	int64_t forked; /* children alive when fork first failed */
	int64_t refused; /* failed forks, of 100 tries after the first */
	int err; /* errno of the first failure */
	int done;
};

static const struct kerf_param fork_params[] = {
	KERF_INT("max", struct fork_priv, max, "64", "2", "4096",
		 "pids.max of the run's cgroup"),
	{}
};

static int fork_setup(struct kerf_stress *st)
{
	struct fork_priv *pv = kerf_stress_priv(st);
	int err = kerf_cg_pids_max(kerf_stress_cg(st), (uint64_t)pv->max);

	if (err)
		return kerf_stress_fail(st, err, "cannot set pids.max");
	return 0;
}

static int fork_worker(struct kerf_stress *st, int idx)
{
	struct fork_shared *sh = kerf_stress_shared(st);
	pid_t pid, parent = getpid();
	int i;

	for (;;) {
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			pause();
			_exit(0);
		}
		if (pid < 0)
			break;
		sh->forked++;
		if (kerf_stress_expired(st))
			return 3;
	}
	sh->err = errno;
	for (i = 0; i < 100; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			sh->refused++;
		else
			waitpid(pid, NULL, 0);
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
	/* The children stay until kerf kills the cgroup. */
	return 0;
}

static int fork_start(struct kerf_stress *st)
{
	pid_t pid = kerf_stress_spawn(st, "fork", fork_worker, 0);

	return pid < 0 ? pid : 0;
}

/* Can kerf itself, outside the cgroup, still fork? */
static bool kerf_can_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return false;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && !WEXITSTATUS(status);
}

static bool fork_tick(struct kerf_stress *st, uint64_t t_ns)
{
	struct fork_priv *pv = kerf_stress_priv(st);
	struct fork_shared *sh = kerf_stress_shared(st);
	char buf[64];

	if (kerf_cg_read(kerf_stress_cg(st), KERF_CG_PIDS, "pids.current", buf,
			 sizeof(buf)) > 0)
		kerf_stress_col(st, "pids_current", (double)atoll(buf));
	if (!pv->outside && __atomic_load_n(&sh->done, __ATOMIC_SEQ_CST))
		pv->outside = kerf_can_fork() ? 1 : -1;
	return false;
}

static int fork_verdict(struct kerf_stress *st)
{
	struct fork_priv *pv = kerf_stress_priv(st);
	struct fork_shared *sh = kerf_stress_shared(st);
	bool outside = pv->outside == 1;
	char buf[256];
	uint64_t ev = 0;

	if (kerf_cg_read(kerf_stress_cg(st), KERF_CG_PIDS, "pids.events", buf,
			 sizeof(buf)) > 0 &&
	    !kerf_kv(buf, "max", &ev))
		kerf_stress_figure(st, "pids_events_max", (double)ev, "count");
	kerf_stress_figure(st, "pids_max", (double)pv->max, "processes");
	kerf_stress_figure(st, "forked", (double)sh->forked, "processes");
	kerf_stress_figure(st, "refused_of_100", (double)sh->refused, "count");
	kerf_stress_outcome(st, "errno", "%s",
			    sh->err ? strerrorname_np(sh->err) : "none");
	kerf_stress_outcome_bool(st, "kerf_can_fork", outside);
	kerf_stress_observed(
		st,
		sh->done && sh->err == EAGAIN && sh->forked == pv->max - 1 &&
			sh->refused == 100 && outside,
		"%lld children forked under pids.max=%lld (the worker is the last one), then %s on %lld of 100 tries; kerf %s fork",
		(long long)sh->forked, (long long)pv->max,
		sh->err ? strerrorname_np(sh->err) : "no failure",
		(long long)sh->refused, outside ? "can still" : "cannot");
	return 0;
}

const struct kerf_stressor pids_fork = {
	.name = "pids/fork",
	.summary = "a worker forks until pids.max refuses",
	.expected =
		"fork fails with EAGAIN at pids.max; kerf outside the cgroup still forks",
	.ctrls = KERF_CG_PIDS,
	.unit = "processes",
	.better = KERF_HIGHER_IS_BETTER,
	.headline = "forked",
	.params = fork_params,
	.priv_size = sizeof(struct fork_priv),
	.setup = fork_setup,
	.start = fork_start,
	.tick = fork_tick,
	.verdict = fork_verdict,
};
