/* SPDX-License-Identifier: MIT */
/* Every fileio bench checks the data it reads: a changed byte is an error. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "check.h"

extern const struct kerf_bench fileio_read, fileio_pread, fileio_mmap,
	fileio_io_uring;

/* The descriptor of the (unlinked) test file this process holds, or -1. */
static int test_fd(void)
{
	char path[300], link[4096];
	struct dirent *de;
	int fd = -1;
	ssize_t n;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (strstr(link, "kerf-fileio-"))
			fd = atoi(de->d_name);
	}
	closedir(d);
	return fd;
}

/*
 * The first value of each parameter, or the one given in sets ("k=v").
 * A string parameter points at its text, so each value is copied into
 * store, which must outlive the bench.
 */
static int fill(const struct kerf_bench *b, void *priv, const char **sets,
		char (*store)[256])
{
	const struct kerf_param *p;
	int i;

	for (p = b->params; p->name; p++) {
		char *val = store[p - b->params];

		snprintf(val, 256, "%s", p->def);
		val[strcspn(val, ",")] = 0;
		for (i = 0; sets[i]; i++) {
			size_t l = strlen(p->name);

			if (!strncmp(sets[i], p->name, l) && sets[i][l] == '=')
				snprintf(val, 256, "%s", sets[i] + l + 1);
		}
		if (kerf_param_store(p, priv, val))
			return -EINVAL;
	}
	return 0;
}

/* Returns 0 when checked, 77 when the bench skipped. */
static int check(const struct kerf_bench *b, const char **sets)
{
	struct kerf_ctx ctx = { .bench = b, .tmpdir = "." };
	static char store[32][256];
	unsigned char byte;
	const off_t off = 5 * 4096;
	int ret, fd, rc = 0;

	ctx.priv = calloc(1, b->priv_size);
	ctx.out_samples = json_array();
	ctx.out_metrics = json_object();
	ctx.out_info = json_object();
	ctx.out_warnings = json_array();
	ctx.out_cpus = json_array();
	if (fill(b, ctx.priv, sets, store)) {
		CHECK(0, "%s: bad parameters", b->name);
		goto out;
	}
	ret = b->setup(&ctx);
	if (ret == KERF_SKIP) {
		fprintf(stderr, "%s %s: skip: %s\n", b->name, sets[0],
			ctx.reason);
		rc = 77;
		goto out_teardown;
	}
	CHECK(ret == 0, "%s %s: setup: %d %s", b->name, sets[0], ret,
	      ctx.reason);
	if (ret)
		goto out_teardown;
	ret = b->run(&ctx, 2);
	CHECK(ret == 0 && json_array_size(ctx.out_samples) == 2,
	      "%s %s: clean run: %d %s", b->name, sets[0], ret, ctx.reason);
	fd = test_fd();
	CHECK(fd >= 0, "%s: no kerf-fileio- descriptor", b->name);
	if (fd < 0)
		goto out_teardown;
	/* Change one byte of the first word of page 5 behind its back. */
	if (pread(fd, &byte, 1, off) != 1)
		CHECK(0, "pread: %s", strerror(errno));
	byte ^= 0x40;
	if (pwrite(fd, &byte, 1, off) != 1)
		CHECK(0, "pwrite: %s", strerror(errno));
	ret = b->run(&ctx, 1);
	CHECK(ret < 0 && strstr(ctx.reason, "differs"),
	      "%s %s: a changed byte went unnoticed (ret %d, %s)", b->name,
	      sets[0], ret, ctx.reason);
out_teardown:
	b->teardown(&ctx);
	CHECK(test_fd() < 0, "%s: teardown left the file open", b->name);
out:
	json_decref(ctx.out_samples);
	json_decref(ctx.out_metrics);
	json_decref(ctx.out_info);
	json_decref(ctx.out_warnings);
	json_decref(ctx.out_cpus);
	free(ctx.priv);
	return rc;
}

int main(void)
{
	static const char *seq[] = { "pattern=seq", "size=64K", "bs=16K",
				     "cache=warm", NULL };
	static const char *rnd[] = { "pattern=rand", "size=64K", "cache=warm",
				     NULL };
	static const char *cold[] = { "cache=cold", "size=64K", "pattern=seq",
				      NULL };
	static const char *page[] = { "touch=page", "size=64K", "pattern=rand",
				      "cache=warm", NULL };
	/* Neither the size nor the reads a multiple of a page, or of 8. */
	static const char *odd[] = { "size=25001", "bs=1001", "pattern=seq",
				     "cache=warm", NULL };
	static const char *oddr[] = { "size=25001", "pattern=rand",
				      "cache=cold", NULL };
	const struct kerf_bench *b[] = { &fileio_read, &fileio_pread,
					 &fileio_mmap, &fileio_io_uring };
	size_t i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		check(b[i], seq);
		check(b[i], rnd);
		check(b[i], cold);
		check(b[i], odd);
		check(b[i], oddr);
	}
	check(&fileio_mmap, page);
	return fails ? 1 : 0;
}
