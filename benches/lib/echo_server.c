/* SPDX-License-Identifier: MIT */
/* The echo server's event loops: epoll, poll, select and io_uring. */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo_proto.h"
#include "kerf/procfs.h"

/*
 * The one compat spot for io_uring constants that an older liburing header
 * may lack; the kernel is asked at run time and says EINVAL when it lacks
 * them.
 */
#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN (1U << 8)
#endif
#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER (1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN (1U << 13)
#endif
#ifndef IORING_RECV_MULTISHOT
#define IORING_RECV_MULTISHOT (1U << 1)
#endif

#define URING_ENTRIES 4096
#define BGID 7

enum { OP_POLL = 1, OP_READ, OP_SEND, OP_RECV, OP_PROBE };

struct uconn {
	uint8_t *buf; /* poll mode: this connection's buffer */
	uint32_t len, off; /* bytes in the send under way, sent so far */
	int qhead, qtail; /* recv mode: buffer ids waiting to be sent */
	bool busy, pending, closed, rearm;
};

struct srv {
	const struct kerf_echo_cfg *cfg;
	int stfd;
	int *fds;
	int n, closed;
	uint8_t *scratch;
	size_t scratch_len;
	uint64_t echoed; /* bytes received so far, for corrupt_at */
	/* io_uring */
	struct io_uring ring;
	bool have_ring;
	struct uconn *uc;
	uint8_t *ubufs; /* poll mode buffers, or the buffer ring's */
	size_t bufsz;
	struct io_uring_buf_ring *br;
	size_t br_len;
	unsigned int nbufs;
	int *next; /* recv mode: queue links, by buffer id */
	uint32_t *blen;
	int nrearm;
};

static void status(int stfd, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void status(int stfd, int kind, const char *fmt, ...)
{
	struct echo_msg m;
	va_list ap;
	ssize_t r;

	memset(&m, 0, sizeof(m));
	m.kind = kind;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	do
		r = write(stfd, &m, sizeof(m));
	while (r < 0 && errno == EINTR);
}

/* Test hook: flip one byte of the echoed stream (cfg->corrupt_at). */
static void tamper(struct srv *s, uint8_t *p, size_t len)
{
	uint64_t at = s->cfg->corrupt_at;

	if (at && s->echoed < at && at <= s->echoed + len)
		p[at - 1 - s->echoed] ^= 0x5a;
	s->echoed += len;
}

static void conn_closed(struct srv *s, int i)
{
	if (s->fds[i] < 0)
		return;
	if (s->cfg->engine != KERF_ECHO_URING)
		close(s->fds[i]);
	s->fds[i] = -1;
	s->closed++;
}

/* Blocking send of everything, for the readiness-based loops. */
static int send_all(int fd, const uint8_t *p, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t r;

	while (len) {
		r = send(fd, p, len, MSG_NOSIGNAL);
		if (r > 0) {
			p += r;
			len -= (size_t)r;
		} else if (r < 0 && errno == EAGAIN) {
			poll(&pfd, 1, -1);
		} else if (r < 0 && errno != EINTR) {
			return -errno;
		}
	}
	return 0;
}

/* Read what is there and send it back; false once the peer is gone. */
static void echo_ready(struct srv *s, int i, bool drain)
{
	ssize_t r;

	do {
		r = read(s->fds[i], s->scratch, s->scratch_len);
		if (r > 0) {
			tamper(s, s->scratch, (size_t)r);
			if (send_all(s->fds[i], s->scratch, (size_t)r) < 0) {
				conn_closed(s, i);
				return;
			}
		} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			conn_closed(s, i);
			return;
		}
	} while (drain && (r > 0 || errno == EINTR));
}

static int serve_epoll(struct srv *s)
{
	struct epoll_event ev, evs[256];
	int ep, i, n;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	for (i = 0; i < s->n; i++) {
		ev.events = EPOLLIN | (s->cfg->edge ? EPOLLET : 0);
		ev.data.u64 = (uint64_t)i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fds[i], &ev) < 0)
			return -errno;
	}
	status(s->stfd, ECHO_READY, "epoll");
	while (s->closed < s->n) {
		n = epoll_wait(ep, evs, 256, -1);
		for (i = 0; i < n; i++)
			echo_ready(s, (int)evs[i].data.u64, s->cfg->edge);
	}
	close(ep);
	return 0;
}

static int serve_poll(struct srv *s)
{
	struct pollfd *pfd;
	int i, n;

	pfd = calloc((size_t)s->n, sizeof(*pfd));
	if (!pfd)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		pfd[i].fd = s->fds[i];
		pfd[i].events = POLLIN;
	}
	status(s->stfd, ECHO_READY, "poll");
	while (s->closed < s->n) {
		n = poll(pfd, (nfds_t)s->n, -1);
		for (i = 0; i < s->n && n > 0; i++) {
			if (!pfd[i].revents)
				continue;
			n--;
			echo_ready(s, i, false);
			pfd[i].fd = s->fds[i];
		}
	}
	free(pfd);
	return 0;
}

static int serve_select(struct srv *s)
{
	fd_set rd;
	int i, n, maxfd = 0;

	for (i = 0; i < s->n; i++) {
		if (s->fds[i] >= FD_SETSIZE) {
			status(s->stfd, ECHO_SKIP,
			       "select(2) takes fds below FD_SETSIZE=%d; conns=%d needs fd %d",
			       FD_SETSIZE, s->n, s->fds[i]);
			return 1;
		}
		if (s->fds[i] > maxfd)
			maxfd = s->fds[i];
	}
	status(s->stfd, ECHO_READY, "select");
	while (s->closed < s->n) {
		FD_ZERO(&rd);
		for (i = 0; i < s->n; i++)
			if (s->fds[i] >= 0)
				FD_SET(s->fds[i], &rd);
		n = select(maxfd + 1, &rd, NULL, NULL, NULL);
		for (i = 0; i < s->n && n > 0; i++) {
			if (s->fds[i] < 0 || !FD_ISSET(s->fds[i], &rd))
				continue;
			n--;
			echo_ready(s, i, false);
		}
	}
	return 0;
}

/* ---- io_uring ---- */

static struct io_uring_sqe *sqe_get(struct srv *s)
{
	struct io_uring_sqe *sqe;

	while (!(sqe = io_uring_get_sqe(&s->ring))) {
		io_uring_submit(&s->ring);
		if (s->cfg->sqpoll)
			io_uring_sqring_wait(&s->ring);
	}
	return sqe;
}

static void sqe_target(struct srv *s, struct io_uring_sqe *sqe, int i, int op)
{
	if (s->cfg->fixed_files) {
		sqe->fd = i;
		sqe->flags |= IOSQE_FIXED_FILE;
	}
	io_uring_sqe_set_data64(sqe, (uint64_t)op << 32 | (uint32_t)i);
}

static void u_poll(struct srv *s, int i)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_poll_multishot(sqe, s->fds[i], POLLIN);
	sqe_target(s, sqe, i, OP_POLL);
}

static void u_read(struct srv *s, int i)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_read(sqe, s->fds[i], s->uc[i].buf, (unsigned)s->bufsz, 0);
	sqe_target(s, sqe, i, OP_READ);
	s->uc[i].busy = true;
}

static void u_send(struct srv *s, int i, const uint8_t *p, size_t len)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_send(sqe, s->fds[i], p, len, MSG_NOSIGNAL);
	sqe_target(s, sqe, i, OP_SEND);
}

static void u_recv(struct srv *s, int i)
{
	struct io_uring_sqe *sqe = sqe_get(s);

	io_uring_prep_recv(sqe, s->fds[i], NULL, 0, 0);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	sqe_target(s, sqe, i, OP_RECV);
}

static uint8_t *bufaddr(struct srv *s, int bid)
{
	return s->ubufs + (size_t)bid * s->bufsz;
}

static void buf_return(struct srv *s, int bid)
{
	io_uring_buf_ring_add(s->br, bufaddr(s, bid), (unsigned)s->bufsz,
			      (unsigned short)bid,
			      io_uring_buf_ring_mask(s->nbufs), 0);
	io_uring_buf_ring_advance(s->br, 1);
}

static void u_closed(struct srv *s, int i)
{
	if (!s->uc[i].closed) {
		s->uc[i].closed = true;
		s->closed++;
	}
}

/* Send the buffer at the head of connection i's queue (recv mode). */
static void u_send_head(struct srv *s, int i)
{
	struct uconn *c = &s->uc[i];

	c->busy = c->qhead >= 0;
	if (c->busy)
		u_send(s, i, bufaddr(s, c->qhead) + c->off,
		       s->blen[c->qhead] - c->off);
}

static void u_cqe_poll_mode(struct srv *s, int op, int i, int res,
			    unsigned int flags)
{
	struct uconn *c = &s->uc[i];

	if (c->closed)
		return;
	switch (op) {
	case OP_POLL:
		if (!(flags & IORING_CQE_F_MORE))
			u_poll(s, i);
		if (c->busy)
			c->pending = true;
		else
			u_read(s, i);
		break;
	case OP_READ:
		if (res <= 0) {
			u_closed(s, i);
			break;
		}
		tamper(s, c->buf, (size_t)res);
		c->len = (uint32_t)res;
		c->off = 0;
		u_send(s, i, c->buf, c->len);
		break;
	case OP_SEND:
		if (res < 0) {
			u_closed(s, i);
			break;
		}
		c->off += (uint32_t)res;
		if (c->off < c->len) {
			u_send(s, i, c->buf + c->off, c->len - c->off);
		} else if (c->pending) {
			c->pending = false;
			u_read(s, i);
		} else {
			c->busy = false;
		}
		break;
	}
}

static void u_cqe_recv_mode(struct srv *s, int op, int i, int res,
			    unsigned int flags)
{
	struct uconn *c = &s->uc[i];
	int bid;

	if (op == OP_RECV && res > 0 && (flags & IORING_CQE_F_BUFFER)) {
		bid = (int)(flags >> IORING_CQE_BUFFER_SHIFT);
		if (c->closed) {
			buf_return(s, bid);
			return;
		}
		tamper(s, bufaddr(s, bid), (size_t)res);
		s->blen[bid] = (uint32_t)res;
		s->next[bid] = -1;
		if (c->qhead < 0)
			c->qhead = bid;
		else
			s->next[c->qtail] = bid;
		c->qtail = bid;
		if (!c->busy) {
			c->off = 0;
			u_send_head(s, i);
		}
	}
	if (op == OP_RECV && !(flags & IORING_CQE_F_MORE) && !c->closed) {
		if (res == -ENOBUFS) {
			c->rearm = true;
			s->nrearm++;
		} else if (res > 0) {
			u_recv(s, i);
		} else {
			u_closed(s, i);
		}
	}
	if (op != OP_SEND || c->closed)
		return;
	if (res < 0) {
		u_closed(s, i);
		return;
	}
	c->off += (uint32_t)res;
	if (c->off < s->blen[c->qhead]) {
		u_send_head(s, i);
		return;
	}
	bid = c->qhead;
	c->qhead = s->next[bid];
	c->off = 0;
	buf_return(s, bid);
	u_send_head(s, i);
}

static void u_rearm(struct srv *s)
{
	int i;

	for (i = 0; i < s->n && s->nrearm; i++) {
		if (!s->uc[i].rearm)
			continue;
		s->uc[i].rearm = false;
		s->nrearm--;
		if (!s->uc[i].closed)
			u_recv(s, i);
	}
}

static int serve_uring(struct srv *s)
{
	const bool recv = s->cfg->uring_mode == KERF_ECHO_URING_RECV;
	struct io_uring_cqe *cqe;
	unsigned int head, seen;
	uint64_t ud;
	int i, ret;

	if (s->cfg->fixed_files) {
		ret = io_uring_register_files(&s->ring, s->fds, (unsigned)s->n);
		if (ret < 0) {
			status(s->stfd, ECHO_SKIP,
			       "io_uring_register_files of %d files: %s", s->n,
			       strerror(-ret));
			return 1;
		}
	}
	for (i = 0; i < s->n; i++) {
		s->uc[i].qhead = -1;
		if (recv)
			u_recv(s, i);
		else
			u_poll(s, i);
	}
	io_uring_submit(&s->ring);
	status(s->stfd, ECHO_READY, "io_uring");
	while (s->closed < s->n) {
		ret = io_uring_submit_and_wait(&s->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EBUSY &&
		    ret != -EAGAIN) {
			status(s->stfd, ECHO_ERROR,
			       "io_uring_submit_and_wait: %s", strerror(-ret));
			return 1;
		}
		seen = 0;
		io_uring_for_each_cqe(&s->ring, head, cqe)
		{
			ud = io_uring_cqe_get_data64(cqe);
			seen++;
			if (recv)
				u_cqe_recv_mode(s, (int)(ud >> 32),
						(int)(uint32_t)ud, cqe->res,
						cqe->flags);
			else
				u_cqe_poll_mode(s, (int)(ud >> 32),
						(int)(uint32_t)ud, cqe->res,
						cqe->flags);
		}
		io_uring_cq_advance(&s->ring, seen);
		if (s->nrearm)
			u_rearm(s);
	}
	return 0;
}

/*
 * Does this kernel take multishot recv with a provided buffer? One byte
 * through a socketpair says so; on failure, text says what it answered.
 */
static int probe_recv_multishot(struct srv *s, char *text, size_t len)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int sp[2], ret, res = 0, eof = 0;
	unsigned int flags = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
		return -errno;
	sqe = sqe_get(s);
	io_uring_prep_recv(sqe, sp[0], NULL, 0, 0);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, (uint64_t)OP_PROBE << 32);
	io_uring_submit(&s->ring);
	if (write(sp[1], "k", 1) != 1) {
		ret = -errno;
		goto out;
	}
	ret = io_uring_wait_cqe(&s->ring, &cqe);
	if (ret < 0)
		goto out;
	res = cqe->res;
	flags = cqe->flags;
	io_uring_cqe_seen(&s->ring, cqe);
	if (res > 0 && (flags & IORING_CQE_F_BUFFER))
		buf_return(s, (int)(flags >> IORING_CQE_BUFFER_SHIFT));
	if (res != 1 || !(flags & IORING_CQE_F_MORE)) {
		snprintf(
			text, len,
			"multishot recv with a provided buffer ring not taken: res=%d (%s), flags=0x%x",
			res, res < 0 ? strerror(-res) : "no IORING_CQE_F_MORE",
			flags);
		ret = 1;
		if (res != 1)
			goto out;
	}
	/* End it: EOF terminates the multishot request. */
	close(sp[1]);
	sp[1] = -1;
	while (!eof) {
		if (io_uring_wait_cqe(&s->ring, &cqe) < 0)
			break;
		eof = !(cqe->flags & IORING_CQE_F_MORE);
		if (cqe->res > 0 && (cqe->flags & IORING_CQE_F_BUFFER))
			buf_return(s, (int)(cqe->flags >>
					    IORING_CQE_BUFFER_SHIFT));
		io_uring_cqe_seen(&s->ring, cqe);
	}
out:
	close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	return ret;
}

static int setup_buf_ring(struct srv *s, char *text, size_t len)
{
	struct io_uring_buf_reg reg;
	unsigned int i;
	int ret;

	s->bufsz = ((s->cfg->msg * (size_t)s->cfg->depth) + 63) & ~(size_t)63;
	if (s->bufsz > 65536)
		s->bufsz = 65536;
	for (s->nbufs = 64; s->nbufs < 2u * (unsigned)s->n && s->nbufs < 32768;)
		s->nbufs *= 2;
	while (s->nbufs > 64 && s->nbufs * s->bufsz > (256u << 20))
		s->nbufs /= 2;
	s->br_len = s->nbufs * sizeof(struct io_uring_buf);
	s->br = mmap(NULL, s->br_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->br == MAP_FAILED) {
		s->br = NULL;
		return -errno;
	}
	s->ubufs = malloc(s->nbufs * s->bufsz);
	s->next = calloc(s->nbufs, sizeof(*s->next));
	s->blen = calloc(s->nbufs, sizeof(*s->blen));
	if (!s->ubufs || !s->next || !s->blen)
		return -ENOMEM;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)s->br;
	reg.ring_entries = s->nbufs;
	reg.bgid = BGID;
	ret = io_uring_register_buf_ring(&s->ring, &reg, 0);
	if (ret < 0) {
		snprintf(
			text, len,
			"provided buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19) refused: %s",
			strerror(-ret));
		return 1;
	}
	io_uring_buf_ring_init(s->br);
	for (i = 0; i < s->nbufs; i++)
		io_uring_buf_ring_add(s->br, bufaddr(s, (int)i),
				      (unsigned)s->bufsz, (unsigned short)i,
				      io_uring_buf_ring_mask(s->nbufs), (int)i);
	io_uring_buf_ring_advance(s->br, (int)s->nbufs);
	return 0;
}

static const char *flag_names(unsigned int f, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ IORING_SETUP_SQPOLL, "SQPOLL" },
		{ IORING_SETUP_CQSIZE, "CQSIZE" },
		{ IORING_SETUP_COOP_TASKRUN, "COOP_TASKRUN" },
		{ IORING_SETUP_SINGLE_ISSUER, "SINGLE_ISSUER" },
		{ IORING_SETUP_DEFER_TASKRUN, "DEFER_TASKRUN" },
	};
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(f & names[i].bit))
			continue;
		f &= ~names[i].bit;
		o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "|" : "",
				      names[i].name);
		if (o >= len)
			return buf;
	}
	if (f)
		snprintf(buf + o, len - o, "%s0x%x", o ? "|" : "", f);
	return buf;
}

/* Set up the ring; 0, 1 (skip, text says why) or a negative errno. */
static int uring_init(struct srv *s, char *text, size_t len)
{
	const struct kerf_echo_cfg *cfg = s->cfg;
	struct io_uring_params p;
	char names[160];
	uint64_t dis = 0;
	size_t o;
	int ret;

	if (!kerf_read_u64("/proc/sys/kernel/io_uring_disabled", &dis) &&
	    dis == 2) {
		snprintf(text, len,
			 "io_uring is disabled (kernel.io_uring_disabled=2)");
		return 1;
	}
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | cfg->extra_setup_flags;
	p.cq_entries = URING_ENTRIES * 4;
	if (cfg->sqpoll) {
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 100; /* ms */
	}
	if (cfg->taskrun == KERF_ECHO_TASKRUN_COOP)
		p.flags |= IORING_SETUP_COOP_TASKRUN;
	if (cfg->taskrun == KERF_ECHO_TASKRUN_DEFER)
		p.flags |= IORING_SETUP_SINGLE_ISSUER |
			   IORING_SETUP_DEFER_TASKRUN;
	ret = io_uring_queue_init_params(URING_ENTRIES, &s->ring, &p);
	if (ret < 0) {
		snprintf(
			text, len, "io_uring_setup with flags %s refused: %s%s",
			flag_names(p.flags, names, sizeof(names)),
			strerror(-ret),
			ret == -EPERM && dis == 1 ?
				" (kernel.io_uring_disabled=1)" :
			ret == -EINVAL && cfg->sqpoll &&
					cfg->taskrun !=
						KERF_ECHO_TASKRUN_DEFAULT ?
				" (Linux takes no COOP_TASKRUN or DEFER_TASKRUN with SQPOLL: the SQ thread runs the task work)" :
				"");
		return 1;
	}
	s->have_ring = true;
	o = (size_t)snprintf(
		text, len,
		"setup_flags=%s features=0x%x sq_entries=%u cq_entries=%u",
		flag_names(p.flags, names, sizeof(names)), p.features,
		p.sq_entries, p.cq_entries);
	if (cfg->sqpoll && o < len)
		o += (size_t)snprintf(text + o, len - o,
				      " sq_thread_idle=100ms");
	if (cfg->fixed_files && o < len)
		o += (size_t)snprintf(text + o, len - o, " fixed_files=yes");
	if (cfg->uring_mode != KERF_ECHO_URING_RECV)
		return 0;
	ret = setup_buf_ring(s, text, len);
	if (ret)
		return ret;
	ret = probe_recv_multishot(s, text, len);
	if (ret)
		return ret;
	o = strlen(text);
	snprintf(text + o, len - o, " buf_ring=%u x %zu B multishot_recv=yes",
		 s->nbufs, s->bufsz);
	return 0;
}

static int accept_all(struct srv *s, int lfd)
{
	int i, fd, one = 1;

	for (i = 0; i < s->n; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			return -errno;
		}
		if (s->cfg->transport == KERF_ECHO_TCP)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
		if (s->cfg->engine != KERF_ECHO_URING)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		s->fds[i] = fd;
	}
	close(lfd);
	return 0;
}

static int alloc_conns(struct srv *s)
{
	const struct kerf_echo_cfg *cfg = s->cfg;
	int i;

	s->fds = malloc((size_t)s->n * sizeof(*s->fds));
	s->scratch_len = cfg->msg * (size_t)cfg->depth;
	if (s->scratch_len < 65536)
		s->scratch_len = 65536;
	s->scratch = malloc(s->scratch_len);
	if (!s->fds || !s->scratch)
		return -ENOMEM;
	if (cfg->engine != KERF_ECHO_URING)
		return 0;
	s->uc = calloc((size_t)s->n, sizeof(*s->uc));
	if (!s->uc)
		return -ENOMEM;
	if (cfg->uring_mode != KERF_ECHO_URING_POLL)
		return 0;
	s->bufsz = cfg->msg * (size_t)cfg->depth;
	s->ubufs = malloc((size_t)s->n * s->bufsz);
	if (!s->ubufs)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		s->uc[i].buf = s->ubufs + (size_t)i * s->bufsz;
	return 0;
}

int kerf_echo_serve(const struct kerf_echo_cfg *cfg, int lfd, int stfd)
{
	struct srv s = { .cfg = cfg, .stfd = stfd, .n = cfg->conns };
	char text[sizeof(((struct echo_msg *)0)->text)] = "";
	int ret;

	ret = alloc_conns(&s);
	if (ret < 0) {
		status(stfd, ECHO_ERROR, "server buffers: %s", strerror(-ret));
		return 1;
	}
	if (cfg->engine == KERF_ECHO_URING) {
		ret = uring_init(&s, text, sizeof(text));
		if (ret) {
			status(stfd, ret > 0 ? ECHO_SKIP : ECHO_ERROR, "%s",
			       ret > 0 ? text : strerror(-ret));
			return 1;
		}
	}
	status(stfd, ECHO_ENGINE_OK, "%s", text);
	ret = accept_all(&s, lfd);
	if (ret < 0) {
		status(stfd, ECHO_ERROR, "accept: %s", strerror(-ret));
		return 1;
	}
	switch (cfg->engine) {
	case KERF_ECHO_EPOLL:
		ret = serve_epoll(&s);
		break;
	case KERF_ECHO_POLL:
		ret = serve_poll(&s);
		break;
	case KERF_ECHO_SELECT:
		ret = serve_select(&s);
		break;
	case KERF_ECHO_URING:
		ret = serve_uring(&s);
		break;
	}
	if (ret < 0)
		status(stfd, ECHO_ERROR, "server loop: %s", strerror(-ret));
	return ret ? 1 : 0;
}
