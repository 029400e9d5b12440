/* SPDX-License-Identifier: MIT */
/* The syscall family: what entering the kernel costs, and a few categories of call. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kerf/bench.h"

struct syscall_priv {
	int fd; /* -1: none */
};

static int getppid_run(struct kerf_ctx *ctx, uint64_t n)
{
	/* Through syscall(2): libc could cache getppid one day. */
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

const struct kerf_bench syscall_getppid = {
	.name = "syscall/getppid",
	.summary = "getppid() through syscall(2): the null system call",
	.unit = "ns/op",
	.run = getppid_run,
};

static int open_dev(struct kerf_ctx *ctx, const char *path, int flags)
{
	struct syscall_priv *p = kerf_priv(ctx);

	p->fd = open(path, flags | O_CLOEXEC);
	if (p->fd < 0)
		return kerf_fail(ctx, -errno, "open %s: %m", path);
	return 0;
}

static void syscall_teardown(struct kerf_ctx *ctx)
{
	struct syscall_priv *p = kerf_priv(ctx);

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static int read_setup(struct kerf_ctx *ctx)
{
	return open_dev(ctx, "/dev/zero", O_RDONLY);
}

static int read_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct syscall_priv *p = kerf_priv(ctx);
	char c;

	for (uint64_t i = 0; i < n; i++)
		if (syscall(SYS_read, p->fd, &c, 1) != 1)
			return kerf_fail(ctx, -errno, "read /dev/zero: %m");
	return 0;
}

const struct kerf_bench syscall_read = {
	.name = "syscall/read",
	.summary = "read() of 1 byte from /dev/zero: fd lookup and a copy out",
	.unit = "ns/op",
	.priv_size = sizeof(struct syscall_priv),
	.setup = read_setup,
	.run = read_run,
	.teardown = syscall_teardown,
};

static int write_setup(struct kerf_ctx *ctx)
{
	return open_dev(ctx, "/dev/null", O_WRONLY);
}

static int write_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct syscall_priv *p = kerf_priv(ctx);
	char c = 'k';

	for (uint64_t i = 0; i < n; i++)
		if (syscall(SYS_write, p->fd, &c, 1) != 1)
			return kerf_fail(ctx, -errno, "write /dev/null: %m");
	return 0;
}

const struct kerf_bench syscall_write = {
	.name = "syscall/write",
	.summary = "write() of 1 byte to /dev/null: fd lookup, no copy",
	.unit = "ns/op",
	.priv_size = sizeof(struct syscall_priv),
	.setup = write_setup,
	.run = write_run,
	.teardown = syscall_teardown,
};

static int fstat_setup(struct kerf_ctx *ctx)
{
	return open_dev(ctx, "/dev/null", O_RDONLY);
}

static int fstat_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct syscall_priv *p = kerf_priv(ctx);
	struct stat st;

	for (uint64_t i = 0; i < n; i++)
		if (syscall(SYS_fstat, p->fd, &st))
			return kerf_fail(ctx, -errno, "fstat: %m");
	return 0;
}

const struct kerf_bench syscall_fstat = {
	.name = "syscall/fstat",
	.summary =
		"fstat() of an open fd: a copy of a struct out of the kernel",
	.unit = "ns/op",
	.priv_size = sizeof(struct syscall_priv),
	.setup = fstat_setup,
	.run = fstat_run,
	.teardown = syscall_teardown,
};

/* A clock id no kernel has: the call fails with EINVAL straight away. */
#define BAD_CLOCK 0x7ff

static int einval_setup(struct kerf_ctx *ctx)
{
	struct timespec ts;

	if (syscall(SYS_clock_gettime, BAD_CLOCK, &ts) != -1 || errno != EINVAL)
		return kerf_fail(ctx, -EPROTO,
				 "clock_gettime(0x%x) did not fail with EINVAL",
				 BAD_CLOCK);
	return 0;
}

static int einval_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct timespec ts;

	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_clock_gettime, BAD_CLOCK, &ts);
	return 0;
}

const struct kerf_bench syscall_einval = {
	.name = "syscall/einval",
	.summary =
		"clock_gettime() on an invalid clock: the error path, EINVAL",
	.unit = "ns/op",
	.setup = einval_setup,
	.run = einval_run,
};
