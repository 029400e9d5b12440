/* SPDX-License-Identifier: MIT */
/* container/overlay and container/copyup: an overlay of N lower layers,
 * mounted, looked up (stat, open, readdir) against the plain file system,
 * and the copy-up of a file on its first write. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerf/container.h"
#include "kerf/derive.h"

enum { OP_MOUNT, OP_STAT, OP_OPEN, OP_READDIR };
enum { ON_OVERLAY, ON_PLAIN };

/* Files looked up per sample, all in the lowest layer. */
#define CONTAINER_OV_FILES 256

int kerf_ct_scratch(struct kerf_ctx *ctx, const char *tag, char *dir,
		    size_t len)
{
	int err;

	kerf_ct_cleanup_leftovers(kerf_tmpdir(ctx));
	if (geteuid() != 0) {
		err = kerf_ct_enter_userns();
		if (err)
			return kerf_skip(
				ctx,
				"not root and no user namespace (%s): mounts need root or user+mnt namespaces",
				strerror(-err));
	}
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return kerf_skip(ctx, "no private mount namespace: %s",
				 strerror(errno));
	snprintf(dir, len, "%.3000s/kerf-%d-ct%d-%s", kerf_tmpdir(ctx),
		 kerf_ct_owner(), (int)getpid(), tag);
	if (mkdir(dir, 0755))
		return kerf_fail(ctx, -errno, "mkdir %s: %s", dir,
				 strerror(errno));
	return 0;
}

static int container_ov_file(const char *path, uint64_t size)
{
	static char buf[1 << 16];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = 0;

	if (fd < 0)
		return -errno;
	memset(buf, 'k', sizeof(buf));
	while (size && !err) {
		size_t chunk = size < sizeof(buf) ? size : sizeof(buf);

		if (write(fd, buf, chunk) != (ssize_t)chunk)
			err = -errno;
		size -= chunk;
	}
	close(fd);
	return err;
}

static int container_ov_mkdir(const char *dir, const char *sub)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/* nfiles files x000... in dir/sub (made first). */
static int container_ov_fill(const char *dir, const char *sub, int nfiles)
{
	char path[PATH_MAX + 64];
	int i, err = container_ov_mkdir(dir, sub);

	for (i = 0; i < nfiles && !err; i++) {
		snprintf(path, sizeof(path), "%s/%s/x%03d", dir, sub, i);
		err = container_ov_file(path, 0);
	}
	return err;
}

/* Layers l0 (lowest) to l<N-1>, each with d/own<i>; the lowerdir= list
 * runs top first; upper u, work w, mount point m. */
static int container_ov_layers(struct kerf_ct_ov_priv *p)
{
	char sub[64];
	size_t used;
	int i, err = 0;

	used = (size_t)snprintf(p->opts, sizeof(p->opts), "lowerdir=");
	for (i = (int)p->layers - 1; i >= 0 && !err; i--) {
		snprintf(sub, sizeof(sub), "l%d", i);
		err = container_ov_mkdir(p->dir, sub);
		snprintf(sub, sizeof(sub), "l%d/d", i);
		if (!err)
			err = container_ov_mkdir(p->dir, sub);
		snprintf(sub, sizeof(sub), "l%d/d/own%d", i, i);
		if (!err)
			err = container_ov_fill(p->dir, sub, 0);
		used += (size_t)snprintf(p->opts + used, sizeof(p->opts) - used,
					 "%s%.3000s/l%d",
					 i == p->layers - 1 ? "" : ":", p->dir,
					 i);
		if (used >= sizeof(p->opts))
			return -ENAMETOOLONG;
	}
	snprintf(p->opts + used, sizeof(p->opts) - used,
		 ",upperdir=%.1000s/u,workdir=%.1000s/w%s", p->dir, p->dir,
		 p->userns ? ",userxattr" : "");
	if (strlen(p->opts) >= 4000) /* mount(2) takes one page of options */
		return -ENAMETOOLONG;
	if (!err)
		err = container_ov_mkdir(p->dir, "u");
	if (!err)
		err = container_ov_mkdir(p->dir, "w");
	if (!err)
		err = container_ov_mkdir(p->dir, "m");
	return err;
}

static int container_ov_mount(struct kerf_ct_ov_priv *p)
{
	char m[PATH_MAX + 8];

	snprintf(m, sizeof(m), "%s/m", p->dir);
	return mount("overlay", m, "overlay", 0, p->opts) ? -errno : 0;
}

static int container_ov_umount(struct kerf_ct_ov_priv *p)
{
	char m[PATH_MAX + 8];
	uint64_t t0;
	int err;

	snprintf(m, sizeof(m), "%s/m", p->dir);
	t0 = kerf_now_ns();
	err = umount2(m, 0) ? -errno : 0;
	p->umount_ns += kerf_now_ns() - t0;
	p->umount_n++;
	return err;
}

static int container_ov_common(struct kerf_ctx *ctx, const char *tag)
{
	struct kerf_ct_ov_priv *p = kerf_priv(ctx);
	int err;

	p->dfd = -1;
	p->userns = geteuid() != 0;
	err = kerf_ct_scratch(ctx, tag, p->dir, sizeof(p->dir));
	if (err)
		return err;
	if (p->userns)
		kerf_info(ctx, "privilege", "user+mnt namespace (not root)");
	err = container_ov_layers(p);
	if (err)
		return kerf_fail(ctx, err, "layers under %s: %s", p->dir,
				 strerror(-err));
	err = container_ov_mount(p);
	if (err)
		return kerf_skip(ctx,
				 "cannot mount an overlay of %lld layers: %s",
				 (long long)p->layers, strerror(-err));
	return container_ov_umount(p);
}

int kerf_ct_ov_setup(struct kerf_ctx *ctx)
{
	struct kerf_ct_ov_priv *p = kerf_priv(ctx);
	int err;

	if (p->op == OP_MOUNT && p->on == ON_PLAIN)
		return kerf_skip(ctx, "op=mount has no plain counterpart");
	err = container_ov_common(ctx, "ov");
	if (!err)
		err = container_ov_fill(p->dir, "l0/d", CONTAINER_OV_FILES);
	if (!err)
		err = container_ov_fill(p->dir, "pd",
					CONTAINER_OV_FILES + (int)p->layers);
	return err < 0 ? kerf_fail(ctx, err, "files under %s: %s", p->dir,
				   strerror(-err)) :
			 err;
}

/* One pass of the op over the directory dfd; returns ns per op. */
static int64_t container_ov_pass(struct kerf_ct_ov_priv *p)
{
	char name[16];
	struct stat st;
	uint64_t t0 = kerf_now_ns();
	int i, fd, n = CONTAINER_OV_FILES;
	struct dirent *de;
	DIR *d;

	if (p->op == OP_READDIR) {
		fd = openat(p->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d)
			return -EIO;
		for (i = 0; (de = readdir(d)); i++)
			kerf_keep(de);
		closedir(d);
		return i >= CONTAINER_OV_FILES ? (int64_t)(kerf_now_ns() - t0) :
						 -ENOENT;
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "x%03d", i);
		if (p->op == OP_STAT) {
			if (fstatat(p->dfd, name, &st, 0))
				return -errno;
			continue;
		}
		fd = openat(p->dfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return (int64_t)((kerf_now_ns() - t0) / (uint64_t)n);
}

/* A fresh mount (overlay dentries cold); first pass timed, second kept
 * as the warm figure. */
static int container_ov_sample(struct kerf_ctx *ctx, struct kerf_ct_ov_priv *p)
{
	char path[PATH_MAX + 16];
	int64_t cold, warm;
	int err = 0;

	if (p->op == OP_MOUNT) {
		kerf_time_start(ctx);
		err = container_ov_mount(p);
		if (!err)
			kerf_sample(ctx, (double)kerf_time_stop(ctx));
		return err ? err : container_ov_umount(p);
	}
	if (p->on == ON_OVERLAY)
		err = container_ov_mount(p);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/%s", p->dir,
		 p->on == ON_PLAIN ? (p->op == OP_READDIR ? "pd" : "l0/d") :
				     "m/d");
	p->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p->dfd < 0)
		err = -errno;
	cold = err ? err : container_ov_pass(p);
	warm = cold < 0 ? cold : container_ov_pass(p);
	if (p->dfd >= 0)
		close(p->dfd);
	p->dfd = -1;
	if (warm >= 0) {
		kerf_sample(ctx, (double)cold);
		p->warm_ns += (uint64_t)warm;
		p->warm_n++;
	}
	if (p->on == ON_OVERLAY && container_ov_umount(p) && warm >= 0)
		return -errno;
	return warm < 0 ? (int)warm : 0;
}

int kerf_ct_ov_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct kerf_ct_ov_priv *p = kerf_priv(ctx);
	uint64_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = container_ov_sample(ctx, p);
		if (err)
			return kerf_fail(ctx, err, "overlay of %lld layers: %s",
					 (long long)p->layers, strerror(-err));
	}
	return 0;
}

int kerf_ct_cu_setup(struct kerf_ctx *ctx)
{
	struct kerf_ct_ov_priv *p = kerf_priv(ctx);
	char path[PATH_MAX + 16];
	int err, fd;

	p->layers = 1;
	err = container_ov_common(ctx, "cu");
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/l0/big", p->dir);
	err = container_ov_file(path, p->size);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!err && (fd < 0 || fsync(fd)))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err ? kerf_fail(ctx, err, "writing %s: %s", path,
			       strerror(-err)) :
		     0;
}

/* The first write of one byte to a file of the lowest layer: through a
 * fresh overlay (copy-up), or to the file itself (on=plain). */
static int container_cu_sample(struct kerf_ctx *ctx, struct kerf_ct_ov_priv *p)
{
	char path[PATH_MAX + 16];
	int fd, err = 0;

	if (p->on == ON_OVERLAY) {
		snprintf(path, sizeof(path), "%s/u/big", p->dir);
		if (unlink(path) && errno != ENOENT)
			return -errno;
		err = container_ov_mount(p);
	}
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/%s", p->dir,
		 p->on == ON_OVERLAY ? "m/big" : "l0/big");
	kerf_time_start(ctx);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, "K", 1, 0) != 1)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (!err)
		kerf_sample(ctx, (double)kerf_time_stop(ctx));
	if (p->on == ON_OVERLAY && container_ov_umount(p) && !err)
		err = -errno;
	return err;
}

int kerf_ct_cu_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct kerf_ct_ov_priv *p = kerf_priv(ctx);
	uint64_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = container_cu_sample(ctx, p);
		if (err)
			return kerf_fail(ctx, err,
					 "first write of %llu bytes: %s",
					 (unsigned long long)p->size,
					 strerror(-err));
	}
	return 0;
}

void kerf_ct_ov_teardown(struct kerf_ctx *ctx)
{
	struct kerf_ct_ov_priv *p = kerf_priv(ctx);

	if (p->warm_n)
		kerf_metric(ctx, "warm", (double)p->warm_ns / p->warm_n,
			    "ns/op, second pass on the same mount");
	if (p->umount_n)
		kerf_metric(ctx, "umount", (double)p->umount_ns / p->umount_n,
			    "ns");
	if (p->dir[0])
		kerf_ct_rmtree(p->dir);
}

/* Lookup cost per layer (container/overlay, each op and on) and copy-up
 * cost per GiB (container/copyup): straight-line fits of the medians. */
static int container_derive(struct json_t *run)
{
	int a = kerf_derive_linear(run, "container/overlay", "layers",
				   "overlay_layer_slope", 1.0,
				   "ns/op per layer");
	int b = kerf_derive_linear(run, "container/copyup", "size",
				   "copyup_slope", 1073741824.0, "ns per GiB");

	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	return a + b;
}

const struct kerf_derive kerf_derive_container = {
	.derive = container_derive,
};
