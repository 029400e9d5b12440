/* SPDX-License-Identifier: MIT */
/* Context switch benches: a one-byte ping-pong through pipes, a futex pair or
 * eventfds, between two processes or threads on a chosen pair of PUs. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kerf/bench.h"
#include "kerf/topo.h"

#define MAX_PUS 4096
#define FUTEX_TIMEOUT_S 10

enum { MODE_PROCESS, MODE_THREAD };
enum { KIND_PIPE, KIND_FUTEX, KIND_EVENTFD };
/* The futex word: whose turn it is, or stop. */
enum { WORD_IDLE, WORD_PING, WORD_STOP };

struct sched_priv {
	int mode;
	int placement;
	int kind;
	int a, b; /* the PUs of this side and of the peer */
	bool repinned;
	pid_t pid;
	pthread_t thread;
	bool thread_up;
	int p2c[2], c2p[2]; /* pipes: parent to child, child to parent */
	int ping, pong; /* eventfds */
	_Atomic uint32_t *word; /* futex, in a shared mapping */
	int futex_flags; /* FUTEX_PRIVATE_FLAG for threads */
};

static long futex(_Atomic uint32_t *w, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, val, ts, NULL, 0);
}

static int write_all(int fd, const void *buf, size_t len)
{
	ssize_t r;

	do
		r = write(fd, buf, len);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)len ? 0 : -EPIPE;
}

static int read_all(int fd, void *buf, size_t len)
{
	ssize_t r;

	do
		r = read(fd, buf, len);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)len ? 0 : -EPIPE;
}

/* The peer's side: answer every ping until told to stop. */
static void peer_loop(struct sched_priv *p)
{
	uint64_t v, one = 1;
	uint32_t w;
	char c;

	switch (p->kind) {
	case KIND_PIPE:
		while (!read_all(p->p2c[0], &c, 1) &&
		       !write_all(p->c2p[1], &c, 1))
			;
		break;
	case KIND_EVENTFD:
		while (!read_all(p->ping, &v, sizeof(v)) && v == 1 &&
		       !write_all(p->pong, &one, sizeof(one)))
			;
		break;
	case KIND_FUTEX:
		for (;;) {
			while ((w = atomic_load(p->word)) == WORD_IDLE)
				futex(p->word, FUTEX_WAIT | p->futex_flags,
				      WORD_IDLE, NULL);
			if (w == WORD_STOP)
				break;
			atomic_store(p->word, WORD_IDLE);
			futex(p->word, FUTEX_WAKE | p->futex_flags, 1, NULL);
		}
		break;
	}
}

static void pin_self(int pu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(pu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *peer_thread(void *arg)
{
	struct sched_priv *p = arg;

	pin_self(p->b);
	peer_loop(p);
	return NULL;
}

static int start_peer(struct kerf_ctx *ctx, struct sched_priv *p)
{
	pid_t parent = getpid();
	int ret;

	if (p->mode == MODE_THREAD) {
		ret = pthread_create(&p->thread, NULL, peer_thread, p);
		if (ret)
			return kerf_fail(ctx, -ret, "pthread_create: %s",
					 strerror(ret));
		p->thread_up = true;
		return 0;
	}
	p->pid = fork();
	if (p->pid < 0)
		return kerf_fail(ctx, -errno, "fork: %s", strerror(errno));
	if (!p->pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if (p->kind == KIND_PIPE) {
			close(p->p2c[1]);
			close(p->c2p[0]);
		}
		pin_self(p->b);
		peer_loop(p);
		_exit(0);
	}
	if (p->kind == KIND_PIPE) {
		close(p->p2c[0]);
		close(p->c2p[1]);
		p->p2c[0] = p->c2p[1] = -1;
	}
	return 0;
}

static int open_channel(struct kerf_ctx *ctx, struct sched_priv *p)
{
	switch (p->kind) {
	case KIND_PIPE:
		if (pipe2(p->p2c, O_CLOEXEC) || pipe2(p->c2p, O_CLOEXEC))
			return kerf_fail(ctx, -errno, "pipe: %s",
					 strerror(errno));
		return 0;
	case KIND_EVENTFD:
		p->ping = eventfd(0, EFD_CLOEXEC);
		p->pong = eventfd(0, EFD_CLOEXEC);
		if (p->ping < 0 || p->pong < 0)
			return kerf_fail(ctx, -errno, "eventfd: %s",
					 strerror(errno));
		return 0;
	default:
		p->word = mmap(NULL, sizeof(*p->word), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p->word == MAP_FAILED) {
			p->word = NULL;
			return kerf_fail(ctx, -errno, "mmap: %s",
					 strerror(errno));
		}
		p->futex_flags = p->mode == MODE_THREAD ? FUTEX_PRIVATE_FLAG :
							  0;
		return 0;
	}
}

static int sched_setup(struct kerf_ctx *ctx, int kind)
{
	struct sched_priv *p = kerf_priv(ctx);
	int pus[MAX_PUS];
	char why[256];
	int n, ret;

	p->kind = kind;
	p->p2c[0] = p->p2c[1] = p->c2p[0] = p->c2p[1] = -1;
	p->ping = p->pong = -1;
	ret = kerf_topo_init();
	if (ret)
		return kerf_fail(ctx, ret, "hwloc topology: %s",
				 strerror(-ret));
	n = kerf_cpus_allowed(ctx, pus, MAX_PUS);
	why[0] = 0;
	if (kerf_topo_pair(p->placement, pus, n, kerf_cpu(ctx), &p->a, &p->b,
			   why, sizeof(why)))
		return kerf_skip(ctx, "%s", why[0] ? why : "no such PU pair");
	kerf_placed(ctx, p->placement, p->a, p->b, why);
	if (p->a != kerf_cpu(ctx)) {
		ret = kerf_topo_pin(p->a);
		if (ret)
			return kerf_fail(ctx, ret, "pinning to PU %d", p->a);
		p->repinned = true;
		kerf_cpus_used(ctx, p->a);
	}
	kerf_cpus_used(ctx, p->b);
	ret = open_channel(ctx, p);
	if (ret)
		return ret;
	return start_peer(ctx, p);
}

static int pipe_setup(struct kerf_ctx *ctx)
{
	return sched_setup(ctx, KIND_PIPE);
}

static int futex_setup(struct kerf_ctx *ctx)
{
	return sched_setup(ctx, KIND_FUTEX);
}

static int eventfd_setup(struct kerf_ctx *ctx)
{
	return sched_setup(ctx, KIND_EVENTFD);
}

static int pipe_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct sched_priv *p = kerf_priv(ctx);
	char c = 1;

	for (uint64_t i = 0; i < n; i++)
		if (write_all(p->p2c[1], &c, 1) || read_all(p->c2p[0], &c, 1))
			return kerf_fail(ctx, -EPIPE, "the peer is gone");
	return 0;
}

static int eventfd_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct sched_priv *p = kerf_priv(ctx);
	uint64_t one = 1, v;

	for (uint64_t i = 0; i < n; i++)
		if (write_all(p->ping, &one, sizeof(one)) ||
		    read_all(p->pong, &v, sizeof(v)))
			return kerf_fail(ctx, -EPIPE, "eventfd: %s",
					 strerror(errno));
	return 0;
}

static int futex_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct sched_priv *p = kerf_priv(ctx);
	struct timespec ts = { .tv_sec = FUTEX_TIMEOUT_S };

	for (uint64_t i = 0; i < n; i++) {
		atomic_store(p->word, WORD_PING);
		futex(p->word, FUTEX_WAKE | p->futex_flags, 1, NULL);
		while (atomic_load(p->word) == WORD_PING)
			if (futex(p->word, FUTEX_WAIT | p->futex_flags,
				  WORD_PING, &ts) &&
			    errno == ETIMEDOUT)
				return kerf_fail(ctx, -ETIMEDOUT,
						 "the peer did not answer in "
						 "%d s",
						 FUTEX_TIMEOUT_S);
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Tell the peer to stop, wait for it, release everything. */
static void sched_teardown(struct kerf_ctx *ctx)
{
	struct sched_priv *p = kerf_priv(ctx);
	uint64_t stop = 2;
	int st;

	switch (p->kind) {
	case KIND_PIPE:
		close_fd(&p->p2c[1]);
		break;
	case KIND_EVENTFD:
		if (p->ping >= 0 && write_all(p->ping, &stop, sizeof(stop)) &&
		    p->pid > 0)
			kill(p->pid, SIGKILL);
		break;
	default:
		if (p->word) {
			atomic_store(p->word, WORD_STOP);
			futex(p->word, FUTEX_WAKE | p->futex_flags, 1, NULL);
		}
		break;
	}
	if (p->thread_up)
		pthread_join(p->thread, NULL);
	if (p->pid > 0)
		while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
			;
	p->thread_up = false;
	p->pid = 0;
	close_fd(&p->p2c[0]);
	close_fd(&p->p2c[1]);
	close_fd(&p->c2p[0]);
	close_fd(&p->c2p[1]);
	close_fd(&p->ping);
	close_fd(&p->pong);
	if (p->word)
		munmap((void *)p->word, sizeof(*p->word));
	p->word = NULL;
	if (p->repinned)
		kerf_topo_pin(kerf_cpu(ctx));
	p->repinned = false;
}

static const struct kerf_param sched_params[] = {
	KERF_ENUM("mode", struct sched_priv, mode, "process", "process,thread",
		  "the peer is a forked process or a thread"),
	KERF_ENUM("placement", struct sched_priv, placement, "same,near",
		  KERF_PLACEMENT_CHOICES,
		  "PU pair: same PU, SMT siblings, cores sharing an L3, "
		  "different L3s, different NUMA nodes, or the nearest "
		  "distinct pair there is"),
	{}
};

#define SCHED_FULL "mode=process,thread placement=same,smt,core,l3,numa"

const struct kerf_bench sched_pipe = {
	.name = "sched/pipe",
	.summary = "one-byte ping-pong over two pipes, per round trip "
		   "(two switches)",
	.unit = "ns/roundtrip",
	.params = sched_params,
	.priv_size = sizeof(struct sched_priv),
	.quick = "placement=same",
	.full = SCHED_FULL,
	.setup = pipe_setup,
	.run = pipe_run,
	.teardown = sched_teardown,
};

const struct kerf_bench sched_futex = {
	.name = "sched/futex",
	.summary = "ping-pong through FUTEX_WAKE/FUTEX_WAIT on one word, per "
		   "round trip",
	.unit = "ns/roundtrip",
	.params = sched_params,
	.priv_size = sizeof(struct sched_priv),
	.quick = "placement=same",
	.full = SCHED_FULL,
	.setup = futex_setup,
	.run = futex_run,
	.teardown = sched_teardown,
};

const struct kerf_bench sched_eventfd = {
	.name = "sched/eventfd",
	.summary = "ping-pong through two eventfds, per round trip",
	.unit = "ns/roundtrip",
	.params = sched_params,
	.priv_size = sizeof(struct sched_priv),
	.quick = "placement=same",
	.full = SCHED_FULL,
	.setup = eventfd_setup,
	.run = eventfd_run,
	.teardown = sched_teardown,
};
