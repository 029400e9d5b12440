/* SPDX-License-Identifier: MIT */
/* The echo client, the server process's life, and who spent how much CPU. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "echo_proto.h"
#include "kerf/bench.h"
#include "kerf/hdr.h"
#include "kerf/procfs.h"
#include "kerf/stats.h"

#define FD_SPARE 64 /* fds a process needs besides its conns */
#define MAX_BYTES (512ull << 20) /* bound on the buffers a run may take */
#define LAT_CAP (4u << 20) /* latencies kept per sampled region */
#define REPLY_TIMEOUT_MS 10000
#define STATUS_EV UINT32_MAX

struct cconn {
	int fd;
	uint64_t tx_seq, rx_seq; /* next request to send, to receive */
	uint64_t as_seq; /* open loop: requests handed to this connection */
	uint32_t tx_off, rx_off; /* bytes of each done so far */
	bool tx_started, want_out;
};

struct cpu_snap {
	uint64_t wall, client, server, sqpoll, spin;
	uint64_t client_wait, server_wait; /* on a runqueue */
	bool server_ok, wait_ok;
};

struct kerf_echo {
	struct kerf_echo_cfg cfg;
	pid_t pid;
	int stfd, epfd;
	struct cconn *c;
	uint64_t *stamp; /* send time, by conn * depth + seq % depth */
	uint8_t *txbuf, *rxbuf;
	size_t rxlen;
	bool sending, recording, ready;
	uint64_t done, inflight, begin_done;
	double *lat;
	size_t nlat, latcap;
	struct cpu_snap cpu0;
	/* Open loop: latency from the intended send time, lateness of the
	 * sends, the next intended send time, requests sent, due requests
	 * that found every window full, the Poisson generator's state. */
	struct kerf_hdr *hist, *lag;
	double next_t;
	uint64_t sent, held_back, rng, spin_ns;
	uint32_t rr;
	char asked[256], obtained[1024];
};

/* ---- the bytes of a request ---- */

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 167u + (i >> 8) * 13u + 0x5cu);
}

static void header(uint8_t h[KERF_ECHO_HDR], uint32_t conn, uint64_t seq)
{
	uint32_t magic = 0x6b657266u ^ conn * 2654435761u;

	memcpy(h, &conn, 4);
	memcpy(h + 4, &magic, 4);
	memcpy(h + 8, &seq, 8);
}

void kerf_echo_fill(uint8_t *buf, size_t msg, uint32_t conn, uint64_t seq)
{
	size_t i;

	for (i = KERF_ECHO_HDR; i < msg; i++)
		buf[i] = pattern(i);
	header(buf, conn, seq);
}

long kerf_echo_verify(const uint8_t *got, size_t len, size_t off, size_t msg,
		      uint32_t conn, uint64_t seq)
{
	uint8_t h[KERF_ECHO_HDR];
	size_t i;

	if (off + len > msg)
		return off < msg ? (long)(msg - off) : 0;
	header(h, conn, seq);
	for (i = 0; i < len && off + i < KERF_ECHO_HDR; i++)
		if (got[i] != h[off + i])
			return (long)i;
	for (; i < len; i++)
		if (got[i] != pattern(off + i))
			return (long)i;
	return -1;
}

/* ---- CPU time ---- */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of one task: schedstat (ns), else stat's utime + stime (ticks). */
static int task_cpu_ns(pid_t pid, int tid, uint64_t *ns, bool *sqp)
{
	char path[96], buf[512], *p;
	unsigned long long ut, st;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, tid);
	ret = kerf_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	*sqp = !strncmp(buf, "iou-sqp", 7);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid,
		 tid);
	if (!kerf_read_u64(path, ns))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, tid);
	ret = kerf_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	p = strrchr(buf, ')');
	/* After the comm: state and 10 fields, then utime and stime. */
	if (!p ||
	    sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
		   &st) != 2)
		return -EIO;
	*ns = (ut + st) * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
	return 0;
}

/* Name the server's SQPOLL thread in what was obtained, or its absence. */
static void note_sq_thread(struct kerf_echo *e)
{
	size_t o = strlen(e->obtained);
	char path[64];
	struct dirent *d;
	uint64_t ns;
	bool sqp = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)e->pid);
	dir = opendir(path);
	while (dir && !sqp && (d = readdir(dir)))
		if (d->d_name[0] != '.' &&
		    !task_cpu_ns(e->pid, atoi(d->d_name), &ns, &sqp) && sqp)
			snprintf(e->obtained + o, sizeof(e->obtained) - o,
				 " sq_thread=iou-sqp (tid %s)", d->d_name);
	if (dir)
		closedir(dir);
	if (!sqp)
		snprintf(e->obtained + o, sizeof(e->obtained) - o,
			 " sq_thread=none found");
}

/* Time a task spent runnable but waiting for a CPU (schedstat field 2). */
static bool runq_wait_ns(pid_t pid, pid_t tid, uint64_t *ns)
{
	unsigned long long run, wait;
	char path[96], buf[128];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid,
		 (int)tid);
	if (kerf_read_file(path, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%llu %llu", &run, &wait) != 2)
		return false;
	*ns = wait;
	return true;
}

static void cpu_snapshot(struct kerf_echo *e, struct cpu_snap *s)
{
	char path[64];
	struct dirent *d;
	uint64_t ns = 0;
	bool sqp = false;
	DIR *dir;

	memset(s, 0, sizeof(*s));
	s->wall = kerf_now_ns();
	s->client = thread_cpu_ns();
	s->spin = e->spin_ns;
	s->wait_ok = runq_wait_ns(getpid(), gettid(), &s->client_wait) &&
		     runq_wait_ns(e->pid, e->pid, &s->server_wait);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)e->pid);
	dir = opendir(path);
	if (!dir)
		return;
	s->server_ok = true;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		if (task_cpu_ns(e->pid, atoi(d->d_name), &ns, &sqp) < 0)
			continue;
		s->server += ns;
		if (sqp)
			s->sqpoll += ns;
	}
	closedir(dir);
}

/* ---- the server process ---- */

static int status_read(struct kerf_echo *e, int timeout_ms, struct echo_msg *m)
{
	struct pollfd pfd = { .fd = e->stfd, .events = POLLIN };
	ssize_t r;
	int ret;

	do
		ret = poll(&pfd, 1, timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret == 0)
		return -ETIMEDOUT;
	r = read(e->stfd, m, sizeof(*m));
	if (r != (ssize_t)sizeof(*m))
		return -EPIPE;
	m->text[sizeof(m->text) - 1] = 0;
	return 0;
}

/* A status message or its absence as 0, KERF_SKIP or -errno with why. */
static int status_expect(struct kerf_echo *e, int kind, int timeout_ms,
			 char *why, size_t whylen)
{
	struct echo_msg m;
	int ret;

	ret = status_read(e, timeout_ms, &m);
	if (ret == -ETIMEDOUT) {
		snprintf(why, whylen, "echo server %d: no word in %d ms",
			 (int)e->pid, timeout_ms);
		return ret;
	}
	if (ret < 0) {
		snprintf(why, whylen, "echo server %d exited without a word",
			 (int)e->pid);
		return ret;
	}
	if (m.kind == ECHO_SKIP) {
		snprintf(why, whylen, "%s", m.text);
		return KERF_SKIP;
	}
	if (m.kind != kind) {
		snprintf(why, whylen, "echo server: %s", m.text);
		return -EIO;
	}
	if (kind == ECHO_ENGINE_OK)
		snprintf(e->obtained, sizeof(e->obtained), "%s", m.text);
	return 0;
}

static void close_other_fds(int keep1, int keep2)
{
	int fd;

	for (fd = 3; fd < 4096; fd++)
		if (fd != keep1 && fd != keep2)
			close(fd);
}

static void child(const struct kerf_echo_cfg *cfg, pid_t parent, int lfd,
		  int stfd)
{
	cpu_set_t set;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "kerf-echo-srv");
	signal(SIGPIPE, SIG_IGN);
	close_other_fds(lfd, stfd);
	if (cfg->server_pu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cfg->server_pu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	_exit(kerf_echo_serve(cfg, lfd, stfd));
}

static int listener(const struct kerf_echo_cfg *cfg,
		    struct sockaddr_storage *sa, socklen_t *salen)
{
	static unsigned int seq;
	struct sockaddr_un *un = (struct sockaddr_un *)sa;
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	int fd, ret;

	memset(sa, 0, sizeof(*sa));
	if (cfg->transport == KERF_ECHO_UNIX) {
		un->sun_family = AF_UNIX;
		/* Abstract name: nothing to remove afterwards. */
		ret = snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
			       "kerf-echo-%d-%u", (int)getpid(), seq++);
		*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				     1 + (size_t)ret);
	} else {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*salen = sizeof(*in);
	}
	fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)sa, *salen) < 0 ||
	    listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)sa, salen) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

static int dial(struct kerf_echo *e, const struct sockaddr_storage *sa,
		socklen_t salen)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int i, fd, one = 1;

	for (i = 0; i < e->cfg.conns; i++) {
		fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		e->c[i].fd = fd;
		if (connect(fd, (const struct sockaddr *)sa, salen) < 0)
			return -errno;
		if (e->cfg.transport == KERF_ECHO_TCP) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
			/* Reset on close: no TIME_WAIT left behind. */
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	return 0;
}

static int check_cfg(const struct kerf_echo_cfg *cfg, char *why, size_t len)
{
	uint64_t bytes;

	if (cfg->conns < 1 || cfg->depth < 1 || cfg->msg < KERF_ECHO_HDR ||
	    cfg->msg > (1u << 20)) {
		snprintf(why, len,
			 "echo: conns=%d depth=%d msg=%zu out of range",
			 cfg->conns, cfg->depth, cfg->msg);
		return -EINVAL;
	}
	bytes = (uint64_t)cfg->conns * (uint64_t)cfg->depth * cfg->msg;
	if (bytes > MAX_BYTES) {
		snprintf(
			why, len,
			"conns x depth x msg = %llu bytes of buffers, above kerf's bound of %llu",
			(unsigned long long)bytes, MAX_BYTES);
		return KERF_SKIP;
	}
	return 0;
}

static int raise_nofile(int conns, char *why, size_t len)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)conns + FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need) {
		snprintf(
			why, len,
			"conns=%d needs %llu open files per process; RLIMIT_NOFILE hard limit is %llu",
			conns, (unsigned long long)need,
			(unsigned long long)rl.rlim_max);
		return KERF_SKIP;
	}
	rl.rlim_cur = rl.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &rl) < 0 ? -errno : 0;
}

static void describe_asked(struct kerf_echo *e)
{
	static const char *const tr[] = { "default", "coop", "defer" };
	const struct kerf_echo_cfg *c = &e->cfg;

	if (c->engine != KERF_ECHO_URING) {
		snprintf(e->asked, sizeof(e->asked), "%s",
			 c->engine == KERF_ECHO_EPOLL ?
				 (c->edge ? "epoll edge-triggered" :
					    "epoll level-triggered") :
			 c->engine == KERF_ECHO_POLL ? "poll" :
						       "select");
		return;
	}
	snprintf(e->asked, sizeof(e->asked),
		 "io_uring mode=%s sqpoll=%d taskrun=%s fixed_files=%d%s",
		 c->uring_mode == KERF_ECHO_URING_RECV ?
			 "recv (multishot recv, provided buffer ring)" :
			 "poll (multishot poll, read and send SQEs)",
		 c->sqpoll, tr[c->taskrun], c->fixed_files,
		 c->extra_setup_flags ? " extra_setup_flags" : "");
}

static int client_alloc(struct kerf_echo *e)
{
	const struct kerf_echo_cfg *c = &e->cfg;
	int i;

	e->c = calloc((size_t)c->conns, sizeof(*e->c));
	e->stamp =
		calloc((size_t)c->conns * (size_t)c->depth, sizeof(*e->stamp));
	e->txbuf = malloc(c->msg);
	e->rxlen = c->msg * (size_t)c->depth;
	if (e->rxlen < 65536)
		e->rxlen = 65536;
	e->rxbuf = malloc(e->rxlen);
	if (!e->c || !e->stamp || !e->txbuf || !e->rxbuf)
		return -ENOMEM;
	for (i = 0; i < c->conns; i++)
		e->c[i].fd = -1;
	kerf_echo_fill(e->txbuf, c->msg, 0, 0);
	return 0;
}

static int client_epoll(struct kerf_echo *e)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	for (i = 0; i < e->cfg.conns; i++) {
		ev.data.u64 = (uint64_t)i;
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->c[i].fd, &ev) < 0)
			return -errno;
	}
	ev.data.u64 = STATUS_EV;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->stfd, &ev) < 0)
		return -errno;
	return 0;
}

int kerf_echo_start(const struct kerf_echo_cfg *cfg, struct kerf_echo **out,
		    char *why, size_t whylen)
{
	struct kerf_echo_cfg open_cfg;
	struct sockaddr_storage sa;
	struct kerf_echo *e;
	socklen_t salen;
	int ret, lfd, pfd[2];
	pid_t parent;

	*out = NULL;
	why[0] = 0;
	if (cfg->open) {
		if (!(cfg->rate > 0)) {
			snprintf(why, whylen, "echo: open loop needs rate > 0");
			return -EINVAL;
		}
		open_cfg = *cfg;
		open_cfg.depth = KERF_ECHO_OPEN_WIN;
		cfg = &open_cfg;
	}
	ret = check_cfg(cfg, why, whylen);
	if (ret)
		return ret;
	ret = raise_nofile(cfg->conns, why, whylen);
	if (ret)
		return ret;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->cfg = *cfg;
	e->pid = -1;
	e->stfd = e->epfd = -1;
	describe_asked(e);
	ret = client_alloc(e);
	if (ret < 0)
		goto fail;
	lfd = listener(cfg, &sa, &salen);
	if (lfd < 0) {
		ret = lfd;
		snprintf(why, whylen, "echo listener: %s", strerror(-ret));
		goto fail;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		ret = -errno;
		close(lfd);
		goto fail;
	}
	parent = getpid(); /* before fork: the child checks it still has it */
	e->pid = fork();
	if (e->pid == 0)
		child(&e->cfg, parent, lfd, pfd[1]);
	ret = e->pid < 0 ? -errno : 0;
	close(lfd);
	close(pfd[1]);
	e->stfd = pfd[0];
	if (ret < 0) {
		snprintf(why, whylen, "fork: %s", strerror(-ret));
		goto fail;
	}
	ret = status_expect(e, ECHO_ENGINE_OK, REPLY_TIMEOUT_MS, why, whylen);
	if (ret)
		goto fail;
	ret = dial(e, &sa, salen);
	if (ret < 0) {
		snprintf(why, whylen, "connect #%d: %s", cfg->conns,
			 strerror(-ret));
		goto fail;
	}
	ret = status_expect(e, ECHO_READY, 3 * REPLY_TIMEOUT_MS, why, whylen);
	if (ret)
		goto fail;
	if (cfg->engine == KERF_ECHO_URING && cfg->sqpoll)
		note_sq_thread(e);
	ret = client_epoll(e);
	if (ret < 0) {
		snprintf(why, whylen, "client epoll: %s", strerror(-ret));
		goto fail;
	}
	e->ready = true;
	*out = e;
	return 0;
fail:
	if (ret < 0 && !why[0])
		snprintf(why, whylen, "echo setup: %s", strerror(-ret));
	kerf_echo_stop(e);
	return ret;
}

void kerf_echo_set_rate(struct kerf_echo *e, double rate)
{
	e->cfg.rate = rate;
}

const char *kerf_echo_asked(const struct kerf_echo *e)
{
	return e->asked;
}

const char *kerf_echo_obtained(const struct kerf_echo *e)
{
	return e->obtained;
}

/* ---- the client loop ---- */

/* Request tx_seq of connection i starts out: stamp it, or (open loop) note
 * how late it leaves against the time it was meant to. */
static void c_started(struct kerf_echo *e, uint32_t i)
{
	struct cconn *c = &e->c[i];
	uint64_t *st = &e->stamp[(size_t)i * (size_t)e->cfg.depth +
				 c->tx_seq % (uint64_t)e->cfg.depth];
	uint64_t now = kerf_now_ns();

	c->tx_started = true;
	e->inflight++;
	if (!e->cfg.open) {
		*st = now;
		return;
	}
	e->sent++;
	if (e->recording)
		kerf_hdr_add(e->lag, now > *st ? now - *st : 0);
}

/* Send on connection i until depth requests are out or the socket is full
 * (open loop: until every request handed to it is out). */
static int c_send(struct kerf_echo *e, uint32_t i)
{
	struct cconn *c = &e->c[i];
	const size_t msg = e->cfg.msg;
	struct epoll_event ev;
	ssize_t r;

	for (;;) {
		if (!c->tx_started) {
			if (e->cfg.open ?
				    c->tx_seq == c->as_seq :
				    !e->sending ||
					    c->tx_seq - c->rx_seq >=
						    (uint64_t)e->cfg.depth)
				break;
			c_started(e, i);
		}
		header(e->txbuf, i, c->tx_seq);
		r = send(c->fd, e->txbuf + c->tx_off, msg - c->tx_off,
			 MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r < 0)
			return -errno;
		c->tx_off += (uint32_t)r;
		if (c->tx_off == msg) {
			c->tx_off = 0;
			c->tx_started = false;
			c->tx_seq++;
		}
	}
	if (c->tx_started != c->want_out) {
		c->want_out = c->tx_started;
		ev.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0);
		ev.data.u64 = i;
		if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			return -errno;
	}
	return 0;
}

static int c_recv(struct kerf_echo *e, uint32_t i, char *why, size_t whylen)
{
	struct cconn *c = &e->c[i];
	const size_t msg = e->cfg.msg;
	const uint8_t *p = e->rxbuf;
	uint64_t now, owed;
	size_t left, take;
	ssize_t r;
	long bad;

	r = read(c->fd, e->rxbuf, e->rxlen);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r <= 0) {
		snprintf(why, whylen, "connection %u: %s", i,
			 r ? strerror(errno) : "closed by the server");
		return r ? -errno : -EPIPE;
	}
	now = kerf_now_ns();
	left = (size_t)r;
	owed = (c->tx_seq - c->rx_seq) * msg + c->tx_off - c->rx_off;
	if (left > owed) {
		snprintf(
			why, whylen,
			"connection %u: %zu bytes came back, only %llu were sent",
			i, left, (unsigned long long)owed);
		return -EBADMSG;
	}
	while (left) {
		take = msg - c->rx_off;
		if (take > left)
			take = left;
		bad = kerf_echo_verify(p, take, c->rx_off, msg, i, c->rx_seq);
		if (bad >= 0) {
			snprintf(
				why, whylen,
				"echo mismatch: connection %u request %llu byte %zu came back as 0x%02x",
				i, (unsigned long long)c->rx_seq,
				c->rx_off + (size_t)bad, p[bad]);
			return -EBADMSG;
		}
		c->rx_off += (uint32_t)take;
		p += take;
		left -= take;
		if (c->rx_off < msg)
			continue;
		if (e->recording && e->cfg.open)
			kerf_hdr_add(
				e->hist,
				now - e->stamp[(size_t)i * (size_t)e->cfg.depth +
					       c->rx_seq %
						       (uint64_t)e->cfg.depth]);
		else if (e->recording && e->nlat < e->latcap)
			e->lat[e->nlat++] =
				(double)(now -
					 e->stamp[(size_t)i *
							  (size_t)e->cfg.depth +
						  c->rx_seq % (uint64_t)e->cfg
								      .depth]);
		c->rx_off = 0;
		c->rx_seq++;
		e->done++;
		e->inflight--;
	}
	return c_send(e, i);
}

static int c_status(struct kerf_echo *e, char *why, size_t whylen)
{
	struct echo_msg m;

	if (status_read(e, 0, &m) < 0) {
		snprintf(why, whylen, "echo server %d exited", (int)e->pid);
		return -EPIPE;
	}
	snprintf(why, whylen, "%s%s",
		 m.kind == ECHO_SKIP ? "" : "echo server: ", m.text);
	return m.kind == ECHO_SKIP ? KERF_SKIP : -EIO;
}

/* Handle the n events epoll_wait returned. */
static int pump_events(struct kerf_echo *e, const struct epoll_event *evs,
		       int n, char *why, size_t whylen)
{
	uint32_t i;
	int k, ret;

	for (k = 0; k < n; k++) {
		if (evs[k].data.u64 == STATUS_EV)
			return c_status(e, why, whylen);
		i = (uint32_t)evs[k].data.u64;
		ret = 0;
		if (evs[k].events & EPOLLOUT)
			ret = c_send(e, i);
		if (!ret && (evs[k].events & ~(uint32_t)EPOLLOUT))
			ret = c_recv(e, i, why, whylen);
		if (ret < 0 && !why[0])
			snprintf(why, whylen, "connection %u: %s", i,
				 strerror(-ret));
		if (ret)
			return ret;
	}
	return 0;
}

/* Open loop: the gap to the next arrival, constant or exponential. */
static void ol_next(struct kerf_echo *e)
{
	double gap = 1e9 / e->cfg.rate, u;

	if (e->cfg.poisson) {
		e->rng ^= e->rng << 13;
		e->rng ^= e->rng >> 7;
		e->rng ^= e->rng << 17;
		u = ((double)(e->rng >> 11) + 1) / 9007199254740993.0;
		gap *= -log(u);
	}
	e->next_t += gap;
}

/* Open loop: hand each request now due to the next connection with room in
 * its window, and send it; a due request that finds none waits (its latency
 * still counts from when it was due). Returns ns until the next is due. */
static int64_t ol_assign(struct kerf_echo *e, int *err)
{
	const uint32_t n = (uint32_t)e->cfg.conns;
	const uint64_t win = (uint64_t)e->cfg.depth;
	uint64_t now = kerf_now_ns();
	uint32_t i = 0, k;
	struct cconn *c;

	*err = 0;
	while (e->next_t <= (double)now) {
		for (k = 0; k < n; k++) {
			i = (e->rr + k) % n;
			if (e->c[i].as_seq - e->c[i].rx_seq < win)
				break;
		}
		if (k == n) {
			e->held_back++;
			return 1000; /* a reply makes room: look again soon */
		}
		c = &e->c[i];
		e->rr = (i + 1) % n;
		e->stamp[(size_t)i * win + c->as_seq % win] =
			(uint64_t)e->next_t;
		c->as_seq++;
		ol_next(e);
		*err = c_send(e, i);
		if (*err < 0)
			return 0;
		now = kerf_now_ns();
	}
	return (int64_t)(e->next_t - (double)now);
}

/*
 * Open loop, spinning: look for events without sleeping, and yield the PU
 * between looks: a spinner that never yields starves the kernel threads
 * that share its PU (ksoftirqd carries loopback TCP's receive work) for a
 * whole time slice, milliseconds of latency. The time spent finding
 * nothing is the spin, kept out of the client's busy time.
 */
static int pump_spin(struct kerf_echo *e, struct epoll_event *evs, int max)
{
	uint64_t t0 = kerf_now_ns();
	int n = epoll_wait(e->epfd, evs, max, 0);

	if (n == 0) {
		sched_yield();
		e->spin_ns += kerf_now_ns() - t0;
	}
	return n;
}

/* Wait for events: until the next arrival is due in the open loop. */
static int pump_wait(struct kerf_echo *e, struct epoll_event *evs, int max,
		     bool drain, int *err)
{
	struct timespec ts;
	int64_t ns;

	if (!e->cfg.open || drain)
		return epoll_wait(e->epfd, evs, max, REPLY_TIMEOUT_MS);
	ns = ol_assign(e, err);
	if (*err < 0)
		return 0;
	if (e->cfg.spin)
		return pump_spin(e, evs, max);
	if (ns < 0)
		ns = 0;
	ts.tv_sec = ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	return epoll_pwait2(e->epfd, evs, max, &ts, NULL);
}

/* Run the loop until done reaches target (or, draining, nothing is out). */
static int pump(struct kerf_echo *e, uint64_t target, bool drain, char *why,
		size_t whylen)
{
	struct epoll_event evs[512];
	uint64_t last = kerf_now_ns(), ldone = e->done;
	int n, ret, err = 0;

	while (drain ? e->inflight > 0 : e->done < target) {
		n = pump_wait(e, evs, 512, drain, &err);
		if (err < 0)
			return err;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (e->done != ldone) {
			ldone = e->done;
			last = kerf_now_ns();
		}
		if (n == 0 &&
		    (!e->cfg.open || drain ||
		     (e->inflight &&
		      kerf_now_ns() - last > REPLY_TIMEOUT_MS * 1000000ull))) {
			snprintf(why, whylen,
				 "no reply for %d ms with %llu requests out",
				 REPLY_TIMEOUT_MS,
				 (unsigned long long)e->inflight);
			return -ETIMEDOUT;
		}
		ret = pump_events(e, evs, n, why, whylen);
		if (ret)
			return ret;
	}
	return 0;
}

/* Open loop: the histograms, and the first arrival now. */
static int ol_begin(struct kerf_echo *e)
{
	if (!e->cfg.open)
		return 0;
	if (!e->hist)
		e->hist = malloc(sizeof(*e->hist));
	if (!e->lag)
		e->lag = malloc(sizeof(*e->lag));
	if (!e->hist || !e->lag)
		return -ENOMEM;
	/* Timers to the nanosecond: arrivals microseconds apart. */
	prctl(PR_SET_TIMERSLACK, 1UL);
	e->rng = 0x9e3779b97f4a7c15ull;
	e->next_t = (double)kerf_now_ns();
	return 0;
}

int kerf_echo_begin(struct kerf_echo *e, uint64_t warm, char *why,
		    size_t whylen)
{
	uint32_t i;
	int ret;

	why[0] = 0;
	e->sending = true;
	e->recording = false;
	ret = ol_begin(e);
	if (ret < 0)
		return ret;
	for (i = 0; i < (uint32_t)e->cfg.conns; i++) {
		ret = c_send(e, i);
		if (ret < 0) {
			snprintf(why, whylen, "connection %u: %s", i,
				 strerror(-ret));
			return ret;
		}
	}
	ret = pump(e, e->done + warm, false, why, whylen);
	if (ret)
		return ret;
	if (!e->lat) {
		e->latcap = LAT_CAP;
		e->lat = malloc(e->latcap * sizeof(*e->lat));
		if (!e->lat)
			return -ENOMEM;
	}
	e->nlat = 0;
	if (e->cfg.open) {
		kerf_hdr_reset(e->hist);
		kerf_hdr_reset(e->lag);
		e->sent = e->held_back = 0;
	}
	e->recording = true;
	e->begin_done = e->done;
	cpu_snapshot(e, &e->cpu0);
	return 0;
}

int kerf_echo_run(struct kerf_echo *e, uint64_t reqs, uint64_t *done, char *why,
		  size_t whylen)
{
	uint64_t start = e->done;
	int ret;

	why[0] = 0;
	ret = pump(e, start + reqs, false, why, whylen);
	*done = e->done - start;
	return ret;
}

static void ol_summary(struct kerf_echo *e, struct kerf_echo_summary *s,
		       double wall)
{
	s->p50_ns = kerf_hdr_quantile(e->hist, 0.5);
	s->p99_ns = kerf_hdr_quantile(e->hist, 0.99);
	s->p999_ns = kerf_hdr_quantile(e->hist, 0.999);
	s->max_ns = (double)e->hist->max;
	if (e->cfg.slo_q > 0)
		s->slo_ns = kerf_hdr_quantile(e->hist, e->cfg.slo_q);
	s->lag_p99_ns = kerf_hdr_quantile(e->lag, 0.99);
	s->rate_sent = wall > 0 ? (double)e->sent * 1e9 / wall : 0;
	s->held_back = e->held_back;
}

int kerf_echo_end(struct kerf_echo *e, struct kerf_echo_summary *s, char *why,
		  size_t whylen)
{
	struct cpu_snap now;
	double reqs, wall;

	why[0] = 0;
	cpu_snapshot(e, &now);
	memset(s, 0, sizeof(*s));
	s->reqs = e->done - e->begin_done;
	reqs = s->reqs ? (double)s->reqs : 1.0;
	if (e->cfg.open)
		ol_summary(e, s, (double)(now.wall - e->cpu0.wall));
	else if (e->nlat) {
		qsort(e->lat, e->nlat, sizeof(*e->lat), kerf_cmp_double);
		s->p50_ns = kerf_quantile_sorted(e->lat, e->nlat, 0.5);
		s->p99_ns = kerf_quantile_sorted(e->lat, e->nlat, 0.99);
		s->p999_ns = kerf_quantile_sorted(e->lat, e->nlat, 0.999);
		s->max_ns = e->lat[e->nlat - 1];
	}
	s->client_cpu_ns = (double)(now.client - e->cpu0.client) / reqs;
	s->have_server_cpu = now.server_ok && e->cpu0.server_ok;
	s->server_cpu_ns = (double)(now.server - e->cpu0.server) / reqs;
	s->sqpoll_cpu_ns = (double)(now.sqpoll - e->cpu0.sqpoll) / reqs;
	wall = (double)(now.wall - e->cpu0.wall);
	s->client_util = (double)(now.client - e->cpu0.client) / wall;
	s->client_util -= (double)(now.spin - e->cpu0.spin) / wall;
	if (s->client_util < 0)
		s->client_util = 0;
	s->server_util = (double)(now.server - e->cpu0.server) / wall;
	s->have_runq = now.wait_ok && e->cpu0.wait_ok;
	s->client_runq = (double)(now.client_wait - e->cpu0.client_wait) / wall;
	s->server_runq = (double)(now.server_wait - e->cpu0.server_wait) / wall;
	e->recording = false;
	e->sending = false;
	return pump(e, 0, true, why, whylen);
}

void kerf_echo_stop(struct kerf_echo *e)
{
	int i, st;

	if (!e)
		return;
	for (i = 0; e->c && i < e->cfg.conns; i++)
		if (e->c[i].fd >= 0)
			close(e->c[i].fd);
	if (e->epfd >= 0)
		close(e->epfd);
	/* Every connection closed: a ready server sees EOF and exits. */
	for (i = 0; e->pid > 0 && e->ready && i < 500; i++) {
		if (waitpid(e->pid, &st, WNOHANG) == e->pid) {
			e->pid = -1;
			break;
		}
		usleep(10000);
	}
	if (e->pid > 0) {
		kill(e->pid, SIGKILL);
		waitpid(e->pid, &st, 0);
	}
	if (e->stfd >= 0)
		close(e->stfd);
	free(e->c);
	free(e->stamp);
	free(e->txbuf);
	free(e->rxbuf);
	free(e->lat);
	free(e->hist);
	free(e->lag);
	free(e);
}
