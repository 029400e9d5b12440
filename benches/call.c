/* SPDX-License-Identifier: MIT */
/*
 * The call family: the system calls servers, databases and build tools make
 * most, each with representative arguments, so that kerf price can cost a
 * workload's profile. Calls that need a prepared state (data in a pipe, fds
 * to close, pages to unmap) are timed in batches with the state prepared
 * between batches, outside the timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "kerf/bench.h"

#define CALL_FILE_MIN (1u << 20) /* the cached file: 1 MiB at least */
#define CALL_SOCK_BATCH (128u << 10) /* bytes in flight per socket batch */
#define CALL_DEV_BATCH 64 /* calls per batch where no state limits it */
#define CALL_FD_BATCH 64 /* fds or mappings per batch */
#define CALL_DIR_ENTRIES 32 /* files in the directory getdents64 reads */

/* What one I/O call does, and where. */
enum {
	CALL_READ,
	CALL_WRITE,
	CALL_PREAD,
	CALL_PWRITE,
	CALL_SENDTO,
	CALL_RECVFROM,
	CALL_SENDMSG,
	CALL_RECVMSG
};
enum { ON_FILE, ON_DEV, ON_PIPE, ON_UNIX, ON_TCP };
/* Batched calls that are not I/O. */
enum { CALL_OPENAT, CALL_CLOSE, CALL_MMAP, CALL_MUNMAP, CALL_MADVISE };

struct call_priv {
	int on; /* ON_*: what the fd is */
	uint64_t size; /* bytes per call */
	int kind; /* CALL_*, set by setup */
	bool timed_reads; /* the timed end reads, the peer fills */
	int fd; /* the end the timed call uses */
	int peer; /* the other end (pipe, socket), -1 for file and dev */
	int efd, epfd; /* eventfd and epoll for the event benches */
	uint64_t k; /* calls per batch */
	uint64_t clock_ns; /* one clock read pair */
	char *buf;
	char path[256]; /* scratch file (or directory), removed at teardown */
	bool made_dir;
	int fds[CALL_FD_BATCH];
	void *maps[CALL_FD_BATCH]; /* call/mmap: what the batch mapped */
	char *map; /* call/munmap, call/madvise: the touched region */
	uint64_t brk0;
	uint32_t word;
};

static const char *const call_on_names[] = { "file", "dev", "pipe", "unix",
					     "tcp" };

static int call_scratch(struct kerf_ctx *ctx, struct call_priv *p)
{
	snprintf(p->path, sizeof(p->path), "%s/kerf-call-%d", kerf_tmpdir(ctx),
		 (int)getpid());
	p->fd = open(p->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (p->fd < 0) {
		p->path[0] = 0;
		return kerf_fail(ctx, -errno, "create a scratch file: %m");
	}
	return 0;
}

/* A file of at least CALL_FILE_MIN bytes, written and read once: cached. */
static int call_file(struct kerf_ctx *ctx, struct call_priv *p)
{
	uint64_t len = p->size * 4 > CALL_FILE_MIN ? p->size * 4 :
						     CALL_FILE_MIN;
	int rc = call_scratch(ctx, p);

	if (rc)
		return rc;
	for (uint64_t off = 0; off < len; off += p->size)
		if (pwrite(p->fd, p->buf, p->size, (off_t)off) !=
		    (ssize_t)p->size)
			return kerf_fail(ctx, -EIO, "fill %s: %m", p->path);
	for (uint64_t off = 0; off < len; off += p->size)
		if (pread(p->fd, p->buf, p->size, (off_t)off) !=
		    (ssize_t)p->size)
			return kerf_fail(ctx, -EIO, "read %s: %m", p->path);
	p->k = len / p->size;
	return 0;
}

static int call_tcp_pair(struct kerf_ctx *ctx, int sv[2])
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int ls, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0)
		return kerf_skip(ctx, "no TCP socket: %m");
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&a, &len))
		goto fail;
	sv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv[0] < 0 || connect(sv[0], (struct sockaddr *)&a, sizeof(a)))
		goto fail;
	sv[1] = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (sv[1] < 0)
		goto fail;
	close(ls);
	for (int i = 0; i < 2; i++)
		setsockopt(sv[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
fail:
	close(ls);
	return kerf_skip(ctx, "no TCP connection on 127.0.0.1: %m");
}

/* Two connected ends with room for CALL_SOCK_BATCH bytes in flight. */
static int call_channel(struct kerf_ctx *ctx, struct call_priv *p)
{
	int sv[2] = { -1, -1 }, big = 4 << 20;

	if (p->on == ON_PIPE) {
		if (pipe2(sv, O_CLOEXEC))
			return kerf_fail(ctx, -errno, "pipe2: %m");
		/* sv[0] reads, sv[1] writes. */
		fcntl(sv[1], F_SETPIPE_SZ, 1 << 20);
		p->k = (uint64_t)fcntl(sv[1], F_GETPIPE_SZ) / p->size;
	} else {
		int rc = 0;

		if (p->on == ON_UNIX &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return kerf_fail(ctx, -errno, "socketpair: %m");
		if (p->on == ON_TCP)
			rc = call_tcp_pair(ctx, sv);
		if (rc)
			return rc;
		for (int i = 0; i < 2; i++) {
			setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big,
				   sizeof(big));
			setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big,
				   sizeof(big));
		}
		p->k = CALL_SOCK_BATCH / p->size;
	}
	p->fd = p->timed_reads ? sv[0] : sv[1];
	p->peer = p->timed_reads ? sv[1] : sv[0];
	if (!p->k) {
		close(sv[0]);
		close(sv[1]);
		p->fd = p->peer = -1;
		return kerf_skip(ctx, "size %llu is over what one batch holds",
				 (unsigned long long)p->size);
	}
	return 0;
}

/* One clock read pair, the minimum of many: subtracted from each batch. */
static uint64_t call_clock_cost(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t t0 = kerf_now_ns(), t1 = kerf_now_ns();

		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static int call_io_setup(struct kerf_ctx *ctx, int kind, bool reads)
{
	struct call_priv *p = kerf_priv(ctx);
	int rc = 0;

	p->fd = p->peer = -1;
	p->kind = kind;
	p->timed_reads = reads;
	p->clock_ns = call_clock_cost();
	p->buf = malloc(p->size);
	if (!p->buf)
		return -ENOMEM;
	memset(p->buf, 'k', p->size);
	if (p->on == ON_FILE) {
		rc = call_file(ctx, p);
	} else if (p->on == ON_DEV) {
		p->fd = open(reads ? "/dev/zero" : "/dev/null",
			     (reads ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
		if (p->fd < 0)
			return kerf_fail(ctx, -errno, "open /dev/zero: %m");
		p->k = CALL_DEV_BATCH;
	} else {
		rc = call_channel(ctx, p);
	}
	if (!rc)
		kerf_info(ctx, "batch", "%llu calls of %llu bytes on %s",
			  (unsigned long long)p->k, (unsigned long long)p->size,
			  call_on_names[p->on]);
	return rc;
}

static ssize_t call_io(struct call_priv *p, uint64_t i)
{
	struct iovec iov = { p->buf, p->size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	off_t off = (off_t)(i * p->size);

	switch (p->kind) {
	case CALL_READ:
		return read(p->fd, p->buf, p->size);
	case CALL_WRITE:
		return write(p->fd, p->buf, p->size);
	case CALL_PREAD:
		return pread(p->fd, p->buf, p->size, off);
	case CALL_PWRITE:
		return pwrite(p->fd, p->buf, p->size, off);
	case CALL_SENDTO:
		return sendto(p->fd, p->buf, p->size, MSG_DONTWAIT, NULL, 0);
	case CALL_RECVFROM:
		return recvfrom(p->fd, p->buf, p->size, MSG_DONTWAIT, NULL,
				NULL);
	case CALL_SENDMSG:
		return sendmsg(p->fd, &mh, MSG_DONTWAIT);
	default:
		return recvmsg(p->fd, &mh, MSG_DONTWAIT);
	}
}

/* Move len bytes through the untimed end: fill before reads, drain after. */
static int call_peer(struct call_priv *p, uint64_t len)
{
	while (len) {
		uint64_t n = len < p->size ? len : p->size;
		ssize_t r = p->timed_reads ? write(p->peer, p->buf, n) :
					     read(p->peer, p->buf, n);

		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		len -= (uint64_t)r;
	}
	return 0;
}

/* Before a batch of reads from TCP, wait until the bytes have arrived. */
static int call_wait_inq(struct call_priv *p, uint64_t len)
{
	for (int tries = 0; tries < 100000; tries++) {
		int inq = 0;

		if (ioctl(p->fd, FIONREAD, &inq))
			return -errno;
		if ((uint64_t)inq >= len)
			return 0;
		sched_yield();
	}
	return -ETIMEDOUT;
}

static int call_prepare(struct call_priv *p)
{
	uint64_t len = p->k * p->size;
	int rc;

	if (p->on == ON_FILE && lseek(p->fd, 0, SEEK_SET))
		return -errno;
	if (p->peer < 0 || !p->timed_reads)
		return 0;
	rc = call_peer(p, len);
	if (!rc && p->on == ON_TCP)
		rc = call_wait_inq(p, len);
	return rc;
}

/* Time batches of k calls until the profile's time per sample is spent. */
static uint64_t call_goal_ns(struct kerf_ctx *ctx)
{
	return kerf_profile(ctx) ? 5000000 : 1000000;
}

static int call_io_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);

	for (uint64_t s = 0; s < n; s++) {
		uint64_t ns = 0, ops = 0;

		while (ns < call_goal_ns(ctx)) {
			uint64_t t0, t1;
			int rc = call_prepare(p);

			if (rc)
				return kerf_fail(ctx, rc, "prepare a batch: %s",
						 strerror(-rc));
			t0 = kerf_now_ns();
			for (uint64_t i = 0; i < p->k; i++)
				if (call_io(p, i) != (ssize_t)p->size)
					return kerf_fail(
						ctx, -EIO,
						"call %llu of a batch moved less than %llu bytes: %m",
						(unsigned long long)i,
						(unsigned long long)p->size);
			t1 = kerf_now_ns();
			ns += t1 - t0 > p->clock_ns ? t1 - t0 - p->clock_ns : 0;
			ops += p->k;
			if (p->peer >= 0 && !p->timed_reads &&
			    call_peer(p, p->k * p->size))
				return kerf_fail(ctx, -EIO, "drain: %m");
		}
		kerf_sample(ctx, (double)ns / (double)ops);
	}
	return 0;
}

static void call_teardown(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);

	if (p->fd > 0)
		close(p->fd);
	if (p->peer > 0)
		close(p->peer);
	if (p->efd > 0)
		close(p->efd);
	if (p->epfd > 0)
		close(p->epfd);
	for (int i = 0; i < CALL_FD_BATCH; i++)
		if (p->fds[i] > 0)
			close(p->fds[i]);
	if (p->path[0] && p->made_dir) {
		char f[300];

		for (int i = 0; i < CALL_DIR_ENTRIES; i++) {
			snprintf(f, sizeof(f), "%s/%02d", p->path, i);
			unlink(f);
		}
		rmdir(p->path);
	} else if (p->path[0]) {
		unlink(p->path);
	}
	free(p->buf);
}

#define CALL_SIZE(dflt)                                                 \
	KERF_SIZE("size", struct call_priv, size, dflt, "1", "1M",      \
		  "bytes per call (the cost grows with it; kerf price " \
		  "interpolates)")

static const struct kerf_param rw_params[] = {
	KERF_ENUM(
		"on", struct call_priv, on, "file,dev,pipe,unix,tcp",
		"file,dev,pipe,unix,tcp",
		"a cached file, /dev/zero or /dev/null, a pipe, a Unix or a loopback TCP stream socket"),
	CALL_SIZE("4K,64K"),
	{ 0 }
};

static const struct kerf_param pos_params[] = {
	KERF_ENUM("on", struct call_priv, on, "file", "file", "a cached file"),
	CALL_SIZE("4K,64K"),
	{ 0 }
};

static const struct kerf_param sock_params[] = {
	KERF_ENUM("on", struct call_priv, on, "unix,tcp", "unix,tcp",
		  "a Unix or a loopback TCP stream socket"),
	CALL_SIZE("4K,64K"),
	{ 0 }
};

/* base: what index 0 of the bench's "on" choices is. */
#define CALL_IO_SETUP(fn, kind, reads, base)            \
	static int fn(struct kerf_ctx *ctx)             \
	{                                               \
		struct call_priv *p = kerf_priv(ctx);   \
		p->on += (base);                        \
		return call_io_setup(ctx, kind, reads); \
	}

CALL_IO_SETUP(read_setup, CALL_READ, true, ON_FILE)
CALL_IO_SETUP(write_setup, CALL_WRITE, false, ON_FILE)
CALL_IO_SETUP(pread_setup, CALL_PREAD, true, ON_FILE)
CALL_IO_SETUP(pwrite_setup, CALL_PWRITE, false, ON_FILE)
CALL_IO_SETUP(sendto_setup, CALL_SENDTO, false, ON_UNIX)
CALL_IO_SETUP(recvfrom_setup, CALL_RECVFROM, true, ON_UNIX)
CALL_IO_SETUP(sendmsg_setup, CALL_SENDMSG, false, ON_UNIX)
CALL_IO_SETUP(recvmsg_setup, CALL_RECVMSG, true, ON_UNIX)

const struct kerf_bench call_read = {
	.name = "call/read",
	.summary = "read() of size bytes: cached file, /dev/zero, pipe, socket",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = rw_params,
	.priv_size = sizeof(struct call_priv),
	.setup = read_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};

const struct kerf_bench call_write = {
	.name = "call/write",
	.summary =
		"write() of size bytes: cached file, /dev/null, pipe, socket (TCP: with the loopback receive)",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = rw_params,
	.priv_size = sizeof(struct call_priv),
	.setup = write_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};

const struct kerf_bench call_pread = {
	.name = "call/pread",
	.summary = "pread64() of size bytes from a cached file",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = pos_params,
	.priv_size = sizeof(struct call_priv),
	.setup = pread_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_pwrite = {
	.name = "call/pwrite",
	.summary = "pwrite64() of size bytes over a cached file's pages",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = pos_params,
	.priv_size = sizeof(struct call_priv),
	.setup = pwrite_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_sendto = {
	.name = "call/sendto",
	.summary = "sendto() of size bytes on a connected stream socket",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = sock_params,
	.priv_size = sizeof(struct call_priv),
	.setup = sendto_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_recvfrom = {
	.name = "call/recvfrom",
	.summary = "recvfrom() of size bytes waiting in a stream socket",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = sock_params,
	.priv_size = sizeof(struct call_priv),
	.setup = recvfrom_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_sendmsg = {
	.name = "call/sendmsg",
	.summary = "sendmsg() of one iovec of size bytes on a stream socket",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = sock_params,
	.priv_size = sizeof(struct call_priv),
	.setup = sendmsg_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_recvmsg = {
	.name = "call/recvmsg",
	.summary =
		"recvmsg() into one iovec of size bytes from a stream socket",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = sock_params,
	.priv_size = sizeof(struct call_priv),
	.setup = recvmsg_setup,
	.run = call_io_run,
	.teardown = call_teardown,
};

/*
 * Calls that use up what they work on (an fd to close, a mapping to unmap)
 * run in batches of CALL_FD_BATCH, their state made and undone outside the
 * timing.
 */
static int call_undo(struct call_priv *p)
{
	for (int i = 0; i < CALL_FD_BATCH; i++) {
		if (p->kind == CALL_OPENAT && p->fds[i] > 0)
			close(p->fds[i]);
		p->fds[i] = 0;
		if (p->maps[i])
			munmap(p->maps[i], p->size);
		p->maps[i] = NULL;
	}
	/* call/munmap leaves nothing mapped after a whole batch. */
	if (p->map && p->kind != CALL_MUNMAP)
		munmap(p->map, CALL_FD_BATCH * p->size);
	p->map = NULL;
	return 0;
}

static int call_make(struct call_priv *p)
{
	size_t len = CALL_FD_BATCH * p->size;

	call_undo(p);
	if (p->kind == CALL_CLOSE) {
		for (int i = 0; i < CALL_FD_BATCH; i++) {
			p->fds[i] = open(p->path, O_RDONLY | O_CLOEXEC);
			if (p->fds[i] < 0)
				return -errno;
		}
	} else if (p->kind == CALL_MUNMAP || p->kind == CALL_MADVISE) {
		p->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p->map == MAP_FAILED) {
			p->map = NULL;
			return -errno;
		}
		/* Touched: unmapping and MADV_DONTNEED then free pages. */
		for (size_t off = 0; off < len; off += 4096)
			p->map[off] = 1;
	}
	return 0;
}

static int call_one(struct call_priv *p, int i)
{
	char *at = p->map + (size_t)i * p->size;
	void *m;

	switch (p->kind) {
	case CALL_OPENAT:
		p->fds[i] = openat(AT_FDCWD, p->path, O_RDONLY | O_CLOEXEC);
		return p->fds[i] < 0 ? -errno : 0;
	case CALL_CLOSE:
		p->fds[i] = close(p->fds[i]);
		return p->fds[i];
	case CALL_MMAP:
		m = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return -errno;
		p->maps[i] = m;
		return 0;
	case CALL_MUNMAP:
		return munmap(at, p->size) ? -errno : 0;
	default:
		return madvise(at, p->size, MADV_DONTNEED) ? -errno : 0;
	}
}

static int call_batch_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);

	for (uint64_t s = 0; s < n; s++) {
		uint64_t ns = 0, ops = 0;

		while (ns < call_goal_ns(ctx)) {
			uint64_t t0, t1;
			int rc = call_make(p);

			if (rc)
				return kerf_fail(ctx, rc, "prepare a batch: %s",
						 strerror(-rc));
			t0 = kerf_now_ns();
			for (int i = 0; i < CALL_FD_BATCH && !rc; i++)
				rc = call_one(p, i);
			t1 = kerf_now_ns();
			if (rc)
				return kerf_fail(ctx, rc, "call: %s",
						 strerror(-rc));
			ns += t1 - t0 > p->clock_ns ? t1 - t0 - p->clock_ns : 0;
			ops += CALL_FD_BATCH;
		}
		kerf_sample(ctx, (double)ns / (double)ops);
	}
	call_undo(p);
	return 0;
}

static int call_batch_setup(struct kerf_ctx *ctx, int kind)
{
	struct call_priv *p = kerf_priv(ctx);
	int rc;

	p->fd = p->peer = -1;
	p->kind = kind;
	p->clock_ns = call_clock_cost();
	if (kind != CALL_OPENAT && kind != CALL_CLOSE)
		return 0;
	p->size = 4096;
	rc = call_scratch(ctx, p);
	if (!rc)
		kerf_info(ctx, "path", "%s", p->path);
	return rc;
}

static void call_batch_teardown(struct kerf_ctx *ctx)
{
	call_undo(kerf_priv(ctx));
	call_teardown(ctx);
}

static const struct kerf_param map_params[] = {
	KERF_SIZE("size", struct call_priv, size, "4K,64K", "4K", "16M",
		  "bytes per mapping (munmap, madvise: every page touched)"),
	{ 0 }
};

static int call_openat_setup(struct kerf_ctx *ctx)
{
	return call_batch_setup(ctx, CALL_OPENAT);
}

const struct kerf_bench call_openat = {
	.name = "call/openat",
	.summary = "openat() of a file in the scratch directory, read-only",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.priv_size = sizeof(struct call_priv),
	.setup = call_openat_setup,
	.run = call_batch_run,
	.teardown = call_batch_teardown,
};
static int call_close_setup(struct kerf_ctx *ctx)
{
	return call_batch_setup(ctx, CALL_CLOSE);
}

const struct kerf_bench call_close = {
	.name = "call/close",
	.summary = "close() of the only fd of a regular file",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.priv_size = sizeof(struct call_priv),
	.setup = call_close_setup,
	.run = call_batch_run,
	.teardown = call_batch_teardown,
};
static int call_mmap_setup(struct kerf_ctx *ctx)
{
	return call_batch_setup(ctx, CALL_MMAP);
}

const struct kerf_bench call_mmap = {
	.name = "call/mmap",
	.summary = "mmap() of size bytes, anonymous and private, not touched",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = map_params,
	.priv_size = sizeof(struct call_priv),
	.setup = call_mmap_setup,
	.run = call_batch_run,
	.teardown = call_batch_teardown,
};
static int call_munmap_setup(struct kerf_ctx *ctx)
{
	return call_batch_setup(ctx, CALL_MUNMAP);
}

const struct kerf_bench call_munmap = {
	.name = "call/munmap",
	.summary = "munmap() of size bytes of touched anonymous memory",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = map_params,
	.priv_size = sizeof(struct call_priv),
	.setup = call_munmap_setup,
	.run = call_batch_run,
	.teardown = call_batch_teardown,
};

static int call_madvise_setup(struct kerf_ctx *ctx)
{
	return call_batch_setup(ctx, CALL_MADVISE);
}

const struct kerf_bench call_madvise = {
	.name = "call/madvise",
	.summary =
		"madvise(MADV_DONTNEED) of size bytes of touched anonymous memory",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.params = map_params,
	.priv_size = sizeof(struct call_priv),
	.setup = call_madvise_setup,
	.run = call_batch_run,
	.teardown = call_batch_teardown,
};

/* The timed calls: the harness times n of them and subtracts its loop. */
static int statx_setup(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);

	p->fd = p->peer = -1;
	return call_scratch(ctx, p);
}

static int statx_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);
	struct statx st;

	for (uint64_t i = 0; i < n; i++)
		if (statx(AT_FDCWD, p->path, 0, STATX_BASIC_STATS, &st))
			return kerf_fail(ctx, -errno, "statx: %m");
	return 0;
}

const struct kerf_bench call_statx = {
	.name = "call/statx",
	.summary = "statx() of a file by path (lookup of each component)",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.priv_size = sizeof(struct call_priv),
	.setup = statx_setup,
	.run = statx_run,
	.teardown = call_teardown,
};

/* An eventfd that is always readable, in an epoll set, level-triggered. */
static int event_setup(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);
	struct epoll_event ev = { .events = EPOLLIN };

	p->fd = p->peer = -1;
	p->efd = eventfd(1, EFD_CLOEXEC);
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->efd < 0 || p->epfd < 0)
		return kerf_fail(ctx, -errno, "eventfd, epoll_create1: %m");
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->efd, &ev))
		return kerf_fail(ctx, -errno, "epoll_ctl ADD: %m");
	return 0;
}

static int epoll_wait_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);
	struct epoll_event ev[8];

	for (uint64_t i = 0; i < n; i++)
		if (epoll_wait(p->epfd, ev, 8, 0) != 1)
			return kerf_fail(ctx, -EIO, "epoll_wait: not 1 event");
	return 0;
}

static int epoll_ctl_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);
	struct epoll_event ev;

	for (uint64_t i = 0; i < n; i++) {
		ev.events = (i & 1) ? EPOLLIN : EPOLLIN | EPOLLOUT;
		if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, p->efd, &ev))
			return kerf_fail(ctx, -errno, "epoll_ctl MOD: %m");
	}
	return 0;
}

static int poll_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);
	struct pollfd pfd = { .fd = p->efd, .events = POLLIN };

	for (uint64_t i = 0; i < n; i++)
		if (poll(&pfd, 1, 0) != 1)
			return kerf_fail(ctx, -EIO, "poll: not ready");
	return 0;
}

const struct kerf_bench call_epoll_wait = {
	.name = "call/epoll_wait",
	.summary = "epoll_wait(timeout 0) returning 1 ready fd of 1",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.priv_size = sizeof(struct call_priv),
	.setup = event_setup,
	.run = epoll_wait_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_epoll_ctl = {
	.name = "call/epoll_ctl",
	.summary = "epoll_ctl(EPOLL_CTL_MOD) of a registered eventfd",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.priv_size = sizeof(struct call_priv),
	.setup = event_setup,
	.run = epoll_ctl_run,
	.teardown = call_teardown,
};
const struct kerf_bench call_poll = {
	.name = "call/poll",
	.summary = "poll(timeout 0) of 1 ready eventfd",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.priv_size = sizeof(struct call_priv),
	.setup = event_setup,
	.run = poll_run,
	.teardown = call_teardown,
};

static int futex_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);

	/* A wake that finds no waiter, then a wait whose word has changed. */
	for (uint64_t i = 0; i < n; i++)
		if (i & 1)
			syscall(SYS_futex, &p->word, FUTEX_WAIT_PRIVATE, 1,
				NULL, NULL, 0);
		else
			syscall(SYS_futex, &p->word, FUTEX_WAKE_PRIVATE, 1,
				NULL, NULL, 0);
	return 0;
}

const struct kerf_bench call_futex = {
	.name = "call/futex",
	.summary =
		"futex() wake and wait in turn, uncontended: the CPU path (sched/futex: with the sleep)",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.priv_size = sizeof(struct call_priv),
	.run = futex_run,
};

static int brk_run(struct kerf_ctx *ctx, uint64_t n)
{
	uint64_t b0 = (uint64_t)syscall(SYS_brk, 0);

	/* Up by 64 KiB and back, untouched: what malloc's top does. */
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_brk, b0 + ((i & 1) ? 0 : 65536));
	if ((uint64_t)syscall(SYS_brk, b0) != b0)
		return kerf_fail(ctx, -ENOMEM, "brk did not come back");
	return 0;
}

const struct kerf_bench call_brk = {
	.name = "call/brk",
	.summary = "brk() up by 64 KiB and back down in turn, untouched",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.run = brk_run,
};

static int getrandom_setup(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);

	p->fd = p->peer = -1;
	p->buf = malloc(p->size);
	return p->buf ? 0 : -ENOMEM;
}

static int getrandom_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);

	for (uint64_t i = 0; i < n; i++)
		if (getrandom(p->buf, p->size, GRND_NONBLOCK) !=
		    (ssize_t)p->size)
			return kerf_fail(ctx, -errno, "getrandom: %m");
	return 0;
}

static const struct kerf_param getrandom_params[] = {
	KERF_SIZE("size", struct call_priv, size, "32,4K", "1", "1M",
		  "bytes per call"),
	{ 0 }
};

const struct kerf_bench call_getrandom = {
	.name = "call/getrandom",
	.summary = "getrandom() of size bytes from the urandom pool",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.params = getrandom_params,
	.priv_size = sizeof(struct call_priv),
	.setup = getrandom_setup,
	.run = getrandom_run,
	.teardown = call_teardown,
};

static uint64_t call_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A sleep's price is its CPU time, not its wait: timed on the thread's
 * CPU clock, in batches of 100. */
static int nanosleep_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct timespec ts = { 0, 1000 };

	prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
	for (uint64_t s = 0; s < n; s++) {
		uint64_t t0 = call_cpu_ns();

		for (int i = 0; i < 100; i++)
			nanosleep(&ts, NULL);
		kerf_sample(ctx, (double)(call_cpu_ns() - t0) / 100.0);
	}
	return 0;
}

const struct kerf_bench call_nanosleep = {
	.name = "call/nanosleep",
	.summary =
		"nanosleep() of 1 us: its CPU time (thread CPU clock), not its wait",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_NODEFAULT,
	.run = nanosleep_run,
};

static int mprotect_setup(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);

	p->fd = p->peer = -1;
	p->map = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		return kerf_fail(ctx, -errno, "mmap: %m");
	}
	memset(p->map, 1, p->size);
	return 0;
}

static int mprotect_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);

	for (uint64_t i = 0; i < n; i++)
		if (mprotect(p->map, p->size,
			     (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ))
			return kerf_fail(ctx, -errno, "mprotect: %m");
	return 0;
}

static void mprotect_teardown(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);

	if (p->map)
		munmap(p->map, p->size);
}

const struct kerf_bench call_mprotect = {
	.name = "call/mprotect",
	.summary =
		"mprotect() of a whole touched anonymous mapping, read-only and back",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.params = map_params,
	.priv_size = sizeof(struct call_priv),
	.setup = mprotect_setup,
	.run = mprotect_run,
	.teardown = mprotect_teardown,
};

static int getdents_setup(struct kerf_ctx *ctx)
{
	struct call_priv *p = kerf_priv(ctx);
	char f[300];

	p->fd = p->peer = -1;
	snprintf(p->path, sizeof(p->path), "%s/kerf-call-%d.d",
		 kerf_tmpdir(ctx), (int)getpid());
	if (mkdir(p->path, 0700)) {
		p->path[0] = 0;
		return kerf_fail(ctx, -errno, "mkdir: %m");
	}
	p->made_dir = true;
	for (int i = 0; i < CALL_DIR_ENTRIES; i++) {
		int fd;

		snprintf(f, sizeof(f), "%s/%02d", p->path, i);
		fd = open(f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return kerf_fail(ctx, -errno, "create %s: %m", f);
		close(fd);
	}
	p->fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	p->buf = malloc(32768);
	if (p->fd < 0 || !p->buf)
		return kerf_fail(ctx, -errno, "open %s: %m", p->path);
	return 0;
}

static int getdents_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct call_priv *p = kerf_priv(ctx);

	/* As readdir: one call reads every entry, the next finds the end. */
	for (uint64_t i = 0; i < n; i++) {
		long r = syscall(SYS_getdents64, p->fd, p->buf, 32768);

		if (r < 0)
			return kerf_fail(ctx, -errno, "getdents64: %m");
		if (!r)
			lseek(p->fd, 0, SEEK_SET);
	}
	return 0;
}

const struct kerf_bench call_getdents64 = {
	.name = "call/getdents64",
	.summary =
		"getdents64() of a directory of 32 files: all of it, then the end, in turn",
	.flags = KERF_F_NODEFAULT,
	.unit = "ns/op",
	.priv_size = sizeof(struct call_priv),
	.setup = getdents_setup,
	.run = getdents_run,
	.teardown = call_teardown,
};
