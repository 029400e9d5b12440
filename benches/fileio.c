/* SPDX-License-Identifier: MIT */
/* File reads: read(2), pread(2), mmap and io_uring over one file, warm or cold. */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kerf/bench.h"
#include "kerf/fileio_lib.h"
#include "kerf/stats.h"

#define PAGE KERF_FILE_PAGE
#define PERM_SEED 0x6b657266u /* fixed: every run reads the same order */

enum { CACHE_WARM, CACHE_COLD };
enum { PAT_SEQ, PAT_RAND };
enum { ADV_NONE, ADV_SEQ, ADV_RAND, ADV_WILLNEED };
enum { TOUCH_BYTE, TOUCH_PAGE };
enum fileio_kind { FILEIO_READ, FILEIO_PREAD, FILEIO_MMAP, FILEIO_URING };

static const int fadv[] = { POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL,
			    POSIX_FADV_RANDOM, POSIX_FADV_WILLNEED };
static const int madv[] = { MADV_NORMAL, MADV_SEQUENTIAL, MADV_RANDOM,
			    MADV_WILLNEED };

struct fileio_priv {
	/* Parameters. */
	uint64_t size;
	const char *dir;
	int cache;
	int pattern;
	int advice;
	uint64_t bs;
	bool populate;
	int touch;
	int64_t depth;
	/* State. */
	enum fileio_kind kind;
	bool have_file;
	struct kerf_file file;
	uint64_t blk; /* bytes per read (the last one may be shorter) */
	uint32_t nblk;
	uint32_t *perm; /* pattern=rand: the block order */
	uint64_t expect; /* checksum of one pass */
	char *buf;
	size_t buflen;
	bool have_ring;
	struct io_uring ring;
	uint32_t *slot_blk;
	uint32_t *free_slots;
};

/* Block k of a pass: its offset and length. */
static void fileio_block(const struct fileio_priv *p, uint32_t k, uint64_t *off,
			 uint64_t *len)
{
	uint32_t b = p->perm ? p->perm[k] : k;

	*off = (uint64_t)b * p->blk;
	*len = p->size - *off < p->blk ? p->size - *off : p->blk;
}

static int fileio_advise(struct fileio_priv *p, uint64_t *calls)
{
	int ret;

	if (p->advice == ADV_NONE)
		return 0;
	(*calls)++;
	ret = posix_fadvise(p->file.fd, 0, 0, fadv[p->advice]);
	return -ret;
}

/* read(2) until len bytes are in, counting every call. */
static int read_full(int fd, char *buf, uint64_t len, bool positioned,
		     uint64_t off, uint64_t *calls)
{
	ssize_t r;

	while (len) {
		(*calls)++;
		if (positioned)
			r = pread(fd, buf, len, (off_t)off);
		else
			r = read(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* the file is shorter than it was */
		buf += r;
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

static int pass_read(struct fileio_priv *p, uint64_t *sum, uint64_t *calls)
{
	bool pos = p->kind == FILEIO_PREAD;
	uint64_t off, len;
	uint32_t k;
	int ret;

	ret = fileio_advise(p, calls);
	if (ret)
		return ret;
	for (k = 0; k < p->nblk; k++) {
		fileio_block(p, k, &off, &len);
		/* read(2) has to be told where: once per pass, or per block. */
		if (!pos && (k == 0 || p->perm)) {
			(*calls)++;
			if (lseek(p->file.fd, (off_t)off, SEEK_SET) < 0)
				return -errno;
		}
		ret = read_full(p->file.fd, p->buf, len, pos, off, calls);
		if (ret)
			return ret;
		*sum += kerf_sum64_at(p->buf, len, off);
	}
	return 0;
}

static int pass_mmap(struct fileio_priv *p, uint64_t *sum, uint64_t *calls)
{
	int flags = MAP_SHARED | (p->populate ? MAP_POPULATE : 0);
	const volatile uint64_t *w;
	uint64_t off, len, s = 0;
	char *map;
	uint32_t k;
	int ret = 0;

	(*calls)++;
	map = mmap(NULL, p->size, PROT_READ, flags, p->file.fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	if (p->advice != ADV_NONE) {
		(*calls)++;
		if (madvise(map, p->size, madv[p->advice])) {
			ret = -errno;
			goto out_unmap;
		}
	}
	for (k = 0; k < p->nblk; k++) {
		fileio_block(p, k, &off, &len);
		if (p->touch == TOUCH_PAGE) {
			w = (const volatile uint64_t *)(map + off);
			s += *w;
		} else {
			s += kerf_sum64_at(map + off, len, off);
		}
	}
	*sum += s;
out_unmap:
	(*calls)++;
	munmap(map, p->size);
	return ret;
}

static int pass_uring(struct fileio_priv *p, uint64_t *sum, uint64_t *calls)
{
	uint32_t next = 0, done = 0, nfree = 0, slot, seen;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	uint64_t off, len;
	unsigned int head;
	int ret;

	ret = fileio_advise(p, calls);
	if (ret)
		return ret;
	for (slot = 0; slot < (uint32_t)p->depth; slot++)
		p->free_slots[nfree++] = slot;
	while (done < p->nblk) {
		while (nfree && next < p->nblk) {
			sqe = io_uring_get_sqe(&p->ring);
			if (!sqe)
				break;
			slot = p->free_slots[--nfree];
			fileio_block(p, next, &off, &len);
			io_uring_prep_read_fixed(sqe, p->file.fd,
						 p->buf + slot * p->blk,
						 (unsigned int)len, off,
						 (int)slot);
			io_uring_sqe_set_data64(sqe, slot);
			p->slot_blk[slot] = next++;
		}
		(*calls)++; /* one io_uring_enter: waiting for one always enters */
		ret = io_uring_submit_and_wait(&p->ring, 1);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		seen = 0;
		io_uring_for_each_cqe(&p->ring, head, cqe)
		{
			slot = (uint32_t)cqe->user_data;
			fileio_block(p, p->slot_blk[slot], &off, &len);
			seen++;
			if (cqe->res < 0 || (uint64_t)cqe->res != len) {
				io_uring_cq_advance(&p->ring, seen);
				return cqe->res < 0 ? cqe->res : -EIO;
			}
			*sum += kerf_sum64_at(p->buf + slot * p->blk, len, off);
			p->free_slots[nfree++] = slot;
			done++;
		}
		io_uring_cq_advance(&p->ring, seen);
	}
	return 0;
}

static int fileio_pass(struct fileio_priv *p, uint64_t *sum, uint64_t *calls)
{
	*sum = 0;
	*calls = 0;
	switch (p->kind) {
	case FILEIO_MMAP:
		return pass_mmap(p, sum, calls);
	case FILEIO_URING:
		return pass_uring(p, sum, calls);
	default:
		return pass_read(p, sum, calls);
	}
}

static void fileio_cleanup(struct fileio_priv *p)
{
	if (p->have_ring) {
		io_uring_queue_exit(&p->ring);
		p->have_ring = false;
	}
	if (p->have_file) {
		kerf_file_close(&p->file);
		p->have_file = false;
	}
	free(p->perm);
	p->perm = NULL;
	free(p->buf);
	p->buf = NULL;
	free(p->slot_blk);
	p->slot_blk = NULL;
	free(p->free_slots);
	p->free_slots = NULL;
}

static int fileio_ring_setup(struct kerf_ctx *ctx, struct fileio_priv *p)
{
	struct iovec *iov;
	uint32_t i;
	int ret;

	ret = io_uring_queue_init((unsigned int)p->depth, &p->ring, 0);
	if (ret == -EPERM)
		return kerf_skip(
			ctx,
			"io_uring_queue_init: %s (see sysctl kernel.io_uring_disabled)",
			strerror(-ret));
	if (ret < 0)
		return kerf_skip(ctx, "io_uring_queue_init(%lld): %s",
				 (long long)p->depth, strerror(-ret));
	p->have_ring = true;
	iov = calloc((size_t)p->depth, sizeof(*iov));
	p->slot_blk = calloc((size_t)p->depth, sizeof(*p->slot_blk));
	p->free_slots = calloc((size_t)p->depth, sizeof(*p->free_slots));
	if (!iov || !p->slot_blk || !p->free_slots) {
		free(iov);
		return kerf_fail(ctx, -ENOMEM, "io_uring slots: out of memory");
	}
	for (i = 0; i < (uint32_t)p->depth; i++) {
		iov[i].iov_base = p->buf + i * p->blk;
		iov[i].iov_len = p->blk;
	}
	ret = io_uring_register_buffers(&p->ring, iov, (unsigned int)p->depth);
	free(iov);
	if (ret == -ENOMEM)
		return kerf_skip(
			ctx,
			"io_uring_register_buffers: %zu KiB of registered buffers exceed RLIMIT_MEMLOCK (ulimit -l); lower depth or bs",
			p->buflen >> 10);
	if (ret < 0)
		return kerf_skip(ctx, "io_uring_register_buffers: %s",
				 strerror(-ret));
	kerf_info(ctx, "depth", "%lld", (long long)p->depth);
	return 0;
}

static int fileio_setup(struct kerf_ctx *ctx, enum fileio_kind kind)
{
	struct fileio_priv *p = kerf_priv(ctx);
	const char *dir = !p->dir || !strcmp(p->dir, "tmpdir") ?
				  kerf_tmpdir(ctx) :
				  p->dir;
	uint64_t sum, calls;
	unsigned long magic;
	char fs[32], why[256];
	size_t slots;
	int ret;

	p->kind = kind;
	ret = kerf_fs_type(dir, &magic, fs, sizeof(fs));
	if (ret)
		return kerf_fail(ctx, ret, "dir=%s: %s", dir, strerror(-ret));
	kerf_info(ctx, "dir", "%s", dir);
	kerf_info(ctx, "fs", "%s", fs);
	if (p->cache == CACHE_COLD && !kerf_fs_can_drop(magic))
		return kerf_skip(
			ctx,
			"cache=cold needs a disk-backed directory: %s is on %s, whose pages cannot be dropped (set dir=PATH)",
			dir, fs);
	ret = kerf_file_room(dir, p->size, why, sizeof(why));
	if (ret == -ENOSPC)
		return kerf_skip(ctx, "not enough space: %s", why);
	if (ret)
		return kerf_fail(ctx, ret, "statvfs %s: %s", dir,
				 strerror(-ret));

	/* mmap and pattern=rand go by 4 KiB pages, the others by bs. */
	p->blk = kind == FILEIO_MMAP || p->pattern == PAT_RAND ? PAGE : p->bs;
	p->nblk = (uint32_t)((p->size + p->blk - 1) / p->blk);
	kerf_info(ctx, "block", "%llu", (unsigned long long)p->blk);
	ret = kerf_file_create(&p->file, dir, p->size);
	if (ret)
		return kerf_fail(ctx, ret, "creating a test file in %s: %s",
				 dir, strerror(-ret));
	p->have_file = true;
	p->expect = kind == FILEIO_MMAP && p->touch == TOUCH_PAGE ?
			    p->file.sum_pages :
			    p->file.sum_all;
	if (p->pattern == PAT_RAND) {
		p->perm = malloc(p->nblk * sizeof(*p->perm));
		if (!p->perm) {
			ret = kerf_fail(ctx, -ENOMEM,
					"block order: out of memory");
			goto out_cleanup;
		}
		kerf_perm(p->perm, p->nblk, PERM_SEED);
	}
	if (kind != FILEIO_MMAP) {
		slots = kind == FILEIO_URING ? (size_t)p->depth : 1;
		p->buflen = slots * p->blk;
		if (posix_memalign((void **)&p->buf, PAGE, p->buflen)) {
			ret = kerf_fail(ctx, -ENOMEM,
					"read buffer: out of memory");
			goto out_cleanup;
		}
		memset(p->buf, 0, p->buflen);
	}
	if (kind == FILEIO_URING) {
		ret = fileio_ring_setup(ctx, p);
		if (ret)
			goto out_cleanup;
	}
	/*
	 * Warm: one untimed pass checks the data and leaves the file cached.
	 * Cold passes check the data as they go (and a random cold pass over
	 * 1G takes seconds).
	 */
	if (p->cache == CACHE_WARM) {
		ret = fileio_pass(p, &sum, &calls);
		if (ret) {
			ret = kerf_fail(ctx, ret, "first pass: %s",
					strerror(-ret));
			goto out_cleanup;
		}
		if (sum != p->expect) {
			ret = kerf_fail(
				ctx, -EIO,
				"first pass: the data read back differs from what was written");
			goto out_cleanup;
		}
	}
	return 0;

out_cleanup:
	fileio_cleanup(p);
	return ret;
}

/* Before a sample, untimed: evict (cold) and see how much is resident. */
static int fileio_prepare(struct kerf_ctx *ctx, struct fileio_priv *p,
			  double *res)
{
	int ret;

	if (p->cache == CACHE_COLD)
		ret = kerf_file_drop(p->file.fd, p->size, res);
	else
		ret = kerf_file_resident(p->file.fd, p->size, res);
	if (ret)
		return kerf_fail(ctx, ret, "%s: %s",
				 p->cache == CACHE_COLD ? "evicting the file" :
							  "mincore",
				 strerror(-ret));
	return 0;
}

struct fileio_totals {
	uint64_t minflt, majflt, calls;
	double res_sum, res_min, res_max;
};

static void fileio_report(struct kerf_ctx *ctx, struct fileio_priv *p,
			  const struct fileio_totals *t, double *ns, uint64_t n)
{
	double pages = (double)p->size / PAGE * (double)n;
	double mib = (double)p->size / (1 << 20) * (double)n;

	kerf_metric(ctx, "ns_per_page",
		    kerf_median(ns, n) / ((double)p->size / PAGE), "ns/page");
	kerf_metric(ctx, "minflt_per_page", (double)t->minflt / pages,
		    "faults/page");
	kerf_metric(ctx, "majflt_per_page", (double)t->majflt / pages,
		    "faults/page");
	kerf_metric(ctx, "syscalls_per_mib", (double)t->calls / mib,
		    "calls/MiB");
	kerf_metric(ctx, "resident_before", t->res_sum / (double)n, "fraction");
	if (p->cache == CACHE_COLD && t->res_max > 0.01)
		kerf_warn(
			ctx,
			"cold run was not cold: %.1f%% of the file was resident before a sample",
			t->res_max * 100);
	if (p->cache == CACHE_WARM && t->res_min < 0.99)
		kerf_warn(
			ctx,
			"warm run was not warm: only %.1f%% of the file was resident before a sample",
			t->res_min * 100);
}

static int fileio_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct fileio_priv *p = kerf_priv(ctx);
	struct fileio_totals t = { .res_min = 1 };
	struct rusage r0, r1;
	uint64_t i, dt, sum, calls;
	double res, *ns;
	int ret = 0;

	if (!n)
		return 0;
	ns = calloc(n, sizeof(*ns));
	if (!ns)
		return kerf_fail(ctx, -ENOMEM, "samples: out of memory");
	for (i = 0; i < n; i++) {
		ret = fileio_prepare(ctx, p, &res);
		if (ret)
			goto out;
		getrusage(RUSAGE_SELF, &r0);
		kerf_time_start(ctx);
		ret = fileio_pass(p, &sum, &calls);
		dt = kerf_time_stop(ctx);
		getrusage(RUSAGE_SELF, &r1);
		if (ret) {
			ret = kerf_fail(ctx, ret, "pass: %s", strerror(-ret));
			goto out;
		}
		if (sum != p->expect) {
			ret = kerf_fail(
				ctx, -EIO,
				"the data read back differs from what was written");
			goto out;
		}
		ns[i] = (double)(dt ? dt : 1);
		/* Bytes per nanosecond is GB/s. */
		kerf_sample(ctx, (double)p->size / ns[i]);
		t.minflt += (uint64_t)(r1.ru_minflt - r0.ru_minflt);
		t.majflt += (uint64_t)(r1.ru_majflt - r0.ru_majflt);
		t.calls += calls;
		t.res_sum += res;
		t.res_min = res < t.res_min ? res : t.res_min;
		t.res_max = res > t.res_max ? res : t.res_max;
	}
	fileio_report(ctx, p, &t, ns, n);
out:
	free(ns);
	return ret;
}

static void fileio_teardown(struct kerf_ctx *ctx)
{
	fileio_cleanup(kerf_priv(ctx));
}

static int read_setup(struct kerf_ctx *ctx)
{
	return fileio_setup(ctx, FILEIO_READ);
}

static int pread_setup(struct kerf_ctx *ctx)
{
	return fileio_setup(ctx, FILEIO_PREAD);
}

static int mmap_setup(struct kerf_ctx *ctx)
{
	return fileio_setup(ctx, FILEIO_MMAP);
}

static int uring_setup(struct kerf_ctx *ctx)
{
	return fileio_setup(ctx, FILEIO_URING);
}

#define FILEIO_QUICK "size=4K,1M"
#define FILEIO_FULL "size=4K,1M,64M,1G"

/* The parameters every fileio bench has, declared once. */
/* clang-format off */
#define FILEIO_COMMON_PARAMS						\
	KERF_SIZE("size", struct fileio_priv, size, "4K,1M,64M", "4K", "64G", \
		  "file size in bytes"),				\
	KERF_STR("dir", struct fileio_priv, dir, "tmpdir",		\
		 "directory of the test file, tmpdir: kerf's --tmpdir (write ./tmpdir for a directory of that name); the file is unlinked as soon as it is created"), \
	KERF_ENUM("cache", struct fileio_priv, cache, "warm,cold", "warm,cold", \
		  "before each pass: warm (all cached) or cold (fdatasync + FADV_DONTNEED, checked with mincore)"), \
	KERF_ENUM("pattern", struct fileio_priv, pattern, "seq,rand", "seq,rand", \
		  "seq: in order; rand: 4 KiB blocks in a fixed random order, each once"), \
	KERF_ENUM("advice", struct fileio_priv, advice, "none",		\
		  "none,sequential,random,willneed",			\
		  "posix_fadvise (madvise for mmap) at the start of each pass")

#define FILEIO_BS_PARAM							\
	KERF_SIZE("bs", struct fileio_priv, bs, "128K", "512", "64M",	\
		  "bytes per read for pattern=seq (pattern=rand reads 4K blocks)")
/* clang-format on */

static const struct kerf_param read_params[] = {
	FILEIO_COMMON_PARAMS,
	FILEIO_BS_PARAM,
	{},
};

static const struct kerf_param mmap_params[] = {
	FILEIO_COMMON_PARAMS,
	KERF_BOOL(
		"populate", struct fileio_priv, populate, "0",
		"1: map with MAP_POPULATE (the mmap call faults everything in)"),
	KERF_ENUM("touch", struct fileio_priv, touch, "byte", "byte,page",
		  "byte: read every byte; page: one word of each 4 KiB page"),
	{},
};

static const struct kerf_param uring_params[] = {
	FILEIO_COMMON_PARAMS,
	FILEIO_BS_PARAM,
	KERF_INT("depth", struct fileio_priv, depth, "16", "1", "1024",
		 "reads in flight (each into its own registered buffer)"),
	{},
};

/*
 * One worker process per result (KERF_F_ONEPROC): the test file is the
 * state, and writing a 1 GiB file again in every worker would cost more
 * than the samples.
 */
const struct kerf_bench fileio_read = {
	.name = "fileio/read",
	.summary =
		"one pass over a file with read(2) into a buffer, summing every byte",
	.unit = "GB/s",
	.better = KERF_HIGHER_IS_BETTER,
	.flags = KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = read_params,
	.priv_size = sizeof(struct fileio_priv),
	.quick = FILEIO_QUICK,
	.full = FILEIO_FULL,
	.setup = read_setup,
	.run = fileio_run,
	.teardown = fileio_teardown,
};

const struct kerf_bench fileio_pread = {
	.name = "fileio/pread",
	.summary =
		"one pass over a file with pread(2) into a buffer, summing every byte",
	.unit = "GB/s",
	.better = KERF_HIGHER_IS_BETTER,
	.flags = KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = read_params,
	.priv_size = sizeof(struct fileio_priv),
	.quick = FILEIO_QUICK,
	.full = FILEIO_FULL,
	.setup = pread_setup,
	.run = fileio_run,
	.teardown = fileio_teardown,
};

const struct kerf_bench fileio_mmap = {
	.name = "fileio/mmap",
	.summary = "mmap a file, read every byte (or one word a page), munmap",
	.unit = "GB/s",
	.better = KERF_HIGHER_IS_BETTER,
	.flags = KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = mmap_params,
	.priv_size = sizeof(struct fileio_priv),
	.quick = FILEIO_QUICK,
	.full = FILEIO_FULL,
	.setup = mmap_setup,
	.run = fileio_run,
	.teardown = fileio_teardown,
};

const struct kerf_bench fileio_io_uring = {
	.name = "fileio/io_uring",
	.summary =
		"one pass over a file with io_uring read_fixed into registered buffers",
	.unit = "GB/s",
	.better = KERF_HIGHER_IS_BETTER,
	.flags = KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = uring_params,
	.priv_size = sizeof(struct fileio_priv),
	.quick = FILEIO_QUICK,
	.full = FILEIO_FULL,
	.setup = uring_setup,
	.run = fileio_run,
	.teardown = fileio_teardown,
};
