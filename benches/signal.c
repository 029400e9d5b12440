/* SPDX-License-Identifier: MIT */
/* Signal benches: a signal bounced between two processes, a signal to one's
 * own handler, and how long a child takes to die from SIGKILL or SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kerf/bench.h"

enum { HOW_KILL, HOW_TERM, HOW_TERM_BLOCKED };

struct sig_priv {
	int how;
	uint64_t block_ns;
	pid_t pid;
	sigset_t old_mask;
	bool masked;
	struct sigaction old_act;
	bool handled;
};

static volatile sig_atomic_t handled;

/* Bounce: the child answers every SIGUSR1 with one to its parent. */
static void bounce_child(pid_t parent, const sigset_t *set)
{
	siginfo_t si;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	for (;;) {
		int sig = sigwaitinfo(set, &si);

		if (sig == SIGUSR1)
			kill(parent, SIGUSR1);
		else if (sig == SIGUSR2)
			_exit(0);
	}
}

static int roundtrip_setup(struct kerf_ctx *ctx)
{
	struct sig_priv *p = kerf_priv(ctx);
	pid_t parent = getpid();
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, &p->old_mask))
		return kerf_fail(ctx, -errno, "sigprocmask: %s",
				 strerror(errno));
	p->masked = true;
	p->pid = fork();
	if (p->pid < 0)
		return kerf_fail(ctx, -errno, "fork: %s", strerror(errno));
	if (!p->pid)
		bounce_child(parent, &set);
	return 0;
}

static int roundtrip_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct sig_priv *p = kerf_priv(ctx);
	struct timespec ts = { .tv_sec = 10 };
	siginfo_t si;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (uint64_t i = 0; i < n; i++) {
		if (kill(p->pid, SIGUSR1))
			return kerf_fail(ctx, -errno, "kill: %s",
					 strerror(errno));
		while (sigtimedwait(&set, &si, &ts) < 0)
			if (errno != EINTR)
				return kerf_fail(ctx, -errno,
						 "no answer from the child: %s",
						 strerror(errno));
	}
	return 0;
}

static void roundtrip_teardown(struct kerf_ctx *ctx)
{
	struct sig_priv *p = kerf_priv(ctx);
	struct timespec ts = { 0 };
	sigset_t set;
	int st;

	if (p->pid > 0) {
		kill(p->pid, SIGUSR2);
		while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	p->pid = 0;
	if (p->masked) {
		/* Drop an answer still pending before unblocking. */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigaddset(&set, SIGUSR2);
		while (sigtimedwait(&set, NULL, &ts) > 0)
			;
		sigprocmask(SIG_SETMASK, &p->old_mask, NULL);
	}
	p->masked = false;
}

static void count_signal(int sig)
{
	handled++;
}

static int handler_setup(struct kerf_ctx *ctx)
{
	struct sig_priv *p = kerf_priv(ctx);
	struct sigaction sa = { .sa_handler = count_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, &p->old_act))
		return kerf_fail(ctx, -errno, "sigaction: %s", strerror(errno));
	p->handled = true;
	return 0;
}

static int handler_run(struct kerf_ctx *ctx, uint64_t n)
{
	sig_atomic_t before = handled;

	for (uint64_t i = 0; i < n; i++)
		if (raise(SIGUSR1))
			return kerf_fail(ctx, -errno, "raise: %s",
					 strerror(errno));
	if (handled == before && n)
		return kerf_fail(ctx, -EIO, "the handler never ran");
	return 0;
}

static void handler_teardown(struct kerf_ctx *ctx)
{
	struct sig_priv *p = kerf_priv(ctx);

	if (p->handled)
		sigaction(SIGUSR1, &p->old_act, NULL);
	p->handled = false;
}

static void exit_on_term(int sig)
{
	_exit(0);
}

/*
 * The victim: sets up what `how` asks, reports ready, then sleeps. With
 * term_blocked it keeps SIGTERM blocked for block_ns after reporting ready.
 */
static void term_child(const struct sig_priv *p, pid_t parent, int fd)
{
	struct sigaction sa = { .sa_handler = exit_on_term };
	struct timespec ts = {
		.tv_sec = (time_t)(p->block_ns / 1000000000ull),
		.tv_nsec = (long)(p->block_ns % 1000000000ull),
	};
	sigset_t set;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(p->how == HOW_TERM_BLOCKED ? SIG_BLOCK : SIG_UNBLOCK, &set,
		    NULL);
	if (write(fd, "r", 1) != 1)
		_exit(1);
	close(fd);
	if (p->how == HOW_TERM_BLOCKED) {
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	for (;;)
		pause();
}

static int term_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct sig_priv *p = kerf_priv(ctx);
	int sig = p->how == HOW_KILL ? SIGKILL : SIGTERM;
	pid_t parent = getpid();

	for (uint64_t i = 0; i < n; i++) {
		uint64_t ns;
		int fd[2], st;
		ssize_t r;
		char c;

		if (pipe2(fd, O_CLOEXEC))
			return kerf_fail(ctx, -errno, "pipe: %s",
					 strerror(errno));
		p->pid = fork();
		if (!p->pid) {
			close(fd[0]);
			term_child(p, parent, fd[1]);
		}
		close(fd[1]);
		if (p->pid < 0) {
			close(fd[0]);
			return kerf_fail(ctx, -errno, "fork: %s",
					 strerror(errno));
		}
		do
			r = read(fd[0], &c, 1);
		while (r < 0 && errno == EINTR);
		close(fd[0]);
		kerf_time_start(ctx);
		kill(p->pid, r == 1 ? sig : SIGKILL);
		while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
			;
		ns = kerf_time_stop(ctx);
		p->pid = 0;
		if (r != 1)
			return kerf_fail(ctx, -EPIPE,
					 "the child did not start");
		if (sig == SIGTERM && !(WIFEXITED(st) && !WEXITSTATUS(st)))
			return kerf_fail(ctx, -ECHILD,
					 "the child did not exit through its "
					 "SIGTERM handler (status 0x%x)",
					 st);
		kerf_sample(ctx, (double)ns);
	}
	return 0;
}

static void term_teardown(struct kerf_ctx *ctx)
{
	struct sig_priv *p = kerf_priv(ctx);
	int st;

	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &st, 0);
	}
	p->pid = 0;
}

static const struct kerf_param no_params[] = { {} };

static const struct kerf_param term_params[] = {
	KERF_ENUM("how", struct sig_priv, how, "kill,term,term_blocked",
		  "kill,term,term_blocked",
		  "SIGKILL; SIGTERM to a handler that exits; the same with "
		  "SIGTERM blocked for `block`"),
	KERF_TIME("block", struct sig_priv, block_ns, "10ms", "0ns", "10s",
		  "term_blocked: how long the child keeps SIGTERM blocked "
		  "after it is ready"),
	{}
};

const struct kerf_bench signal_roundtrip = {
	.name = "signal/roundtrip",
	.summary = "SIGUSR1 bounced between two processes on one PU "
		   "(kill + sigwaitinfo), per round trip",
	.unit = "ns/roundtrip",
	.params = no_params,
	.priv_size = sizeof(struct sig_priv),
	.setup = roundtrip_setup,
	.run = roundtrip_run,
	.teardown = roundtrip_teardown,
};

const struct kerf_bench signal_handler = {
	.name = "signal/handler",
	.summary = "raise(SIGUSR1) delivered to a handler in the same thread",
	.unit = "ns/op",
	.params = no_params,
	.priv_size = sizeof(struct sig_priv),
	.setup = handler_setup,
	.run = handler_run,
	.teardown = handler_teardown,
};

const struct kerf_bench signal_term = {
	.name = "signal/term",
	.summary = "from sending SIGKILL or SIGTERM to a started child to "
		   "waitpid() returning",
	.unit = "ns",
	.flags = KERF_F_SAMPLES,
	.params = term_params,
	.priv_size = sizeof(struct sig_priv),
	.quick = "block=1ms",
	.run = term_run,
	.teardown = term_teardown,
};
