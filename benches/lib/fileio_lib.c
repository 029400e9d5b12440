/* SPDX-License-Identifier: MIT */
/* Test files for the file-read benches: creation, checksums, page cache. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "kerf/fileio_lib.h"

#define FILL_CHUNK (1u << 20)
#define DROP_TRIES 5

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t kerf_file_word(uint64_t w)
{
	return mix64(w) | 0x0101010101010101ull;
}

uint64_t kerf_sum64_at(const void *buf, size_t len, uint64_t off)
{
	const unsigned char *b = buf;
	size_t i = 0, k, head = off % 8;
	uint64_t s = 0, w;

	/* A word the file has split across two reads: each adds its part. */
	if (head && len) {
		k = 8 - head < len ? 8 - head : len;
		w = 0;
		memcpy((unsigned char *)&w + head, b, k);
		s += w;
		i = k;
	}
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, b + i, 8);
		s += w;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, b + i, len - i);
		s += w;
	}
	return s;
}

static const struct {
	unsigned long magic;
	const char *name;
} fs_names[] = {
	{ EXT4_SUPER_MAGIC, "ext4" }, /* also ext2 and ext3 */
	{ XFS_SUPER_MAGIC, "xfs" },
	{ BTRFS_SUPER_MAGIC, "btrfs" },
	{ TMPFS_MAGIC, "tmpfs" },
	{ RAMFS_MAGIC, "ramfs" },
	{ OVERLAYFS_SUPER_MAGIC, "overlayfs" },
	{ NFS_SUPER_MAGIC, "nfs" },
	{ F2FS_SUPER_MAGIC, "f2fs" },
	{ 0x2fc12fc1, "zfs" },
	{ 0x65735546, "fuse" },
};

int kerf_fs_type(const char *dir, unsigned long *magic, char *name, size_t len)
{
	struct statfs st;
	size_t i;

	if (statfs(dir, &st))
		return -errno;
	*magic = (unsigned long)st.f_type;
	for (i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++) {
		if (fs_names[i].magic == *magic) {
			snprintf(name, len, "%s", fs_names[i].name);
			return 0;
		}
	}
	snprintf(name, len, "0x%lx", *magic);
	return 0;
}

bool kerf_fs_can_drop(unsigned long magic)
{
	return magic != TMPFS_MAGIC && magic != RAMFS_MAGIC;
}

int kerf_file_room(const char *dir, uint64_t size, char *why, size_t len)
{
	struct statvfs st;
	uint64_t avail;

	if (statvfs(dir, &st))
		return -errno;
	avail = (uint64_t)st.f_bavail * st.f_frsize;
	if (avail / 2 < size) {
		snprintf(why, len,
			 "%s has %" PRIu64 " MiB free, a %" PRIu64
			 " MiB test file needs twice that",
			 dir, avail >> 20, size >> 20);
		return -ENOSPC;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t r;

	while (len) {
		r = write(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static int fill(struct kerf_file *f)
{
	uint64_t *buf, off, len, i, pg;
	int ret = 0;

	buf = malloc(FILL_CHUNK);
	if (!buf)
		return -ENOMEM;
	for (off = 0; off < f->size; off += len) {
		len = f->size - off < FILL_CHUNK ? f->size - off : FILL_CHUNK;
		for (i = 0; i < (len + 7) / 8; i++)
			buf[i] = kerf_file_word(off / 8 + i);
		/* Chunks start on a page: each page's first word is here. */
		for (pg = 0; pg < len; pg += KERF_FILE_PAGE)
			f->sum_pages +=
				kerf_sum64_at((char *)buf + pg,
					      len - pg < 8 ? len - pg : 8, 0);
		f->sum_all += kerf_sum64_at(buf, len, 0);
		ret = write_all(f->fd, (const char *)buf, len);
		if (ret)
			break;
	}
	free(buf);
	return ret;
}

int kerf_file_create(struct kerf_file *f, const char *dir, uint64_t size)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (size == 0)
		return -EINVAL;
	ret = snprintf(f->path, sizeof(f->path), "%s/kerf-fileio-XXXXXX", dir);
	if (ret < 0 || (size_t)ret >= sizeof(f->path))
		return -ENAMETOOLONG;
	f->fd = mkostemp(f->path, O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	/* Gone from the directory at once: nothing is left if we are killed. */
	if (unlink(f->path)) {
		ret = -errno;
		goto out_close;
	}
	f->size = size;
	ret = fill(f);
	if (ret)
		goto out_close;
	if (fsync(f->fd)) {
		ret = -errno;
		goto out_close;
	}
	return 0;

out_close:
	close(f->fd);
	f->fd = -1;
	return ret;
}

void kerf_file_close(struct kerf_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

int kerf_file_resident(int fd, uint64_t size, double *frac)
{
	size_t pages = (size + KERF_FILE_PAGE - 1) / KERF_FILE_PAGE, i, in = 0;
	unsigned char *vec;
	void *map;
	int ret = 0;

	vec = malloc(pages);
	if (!vec)
		return -ENOMEM;
	/* Mapping does not fault anything in; mincore only looks. */
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto out_free;
	}
	if (mincore(map, size, vec)) {
		ret = -errno;
		goto out_unmap;
	}
	for (i = 0; i < pages; i++)
		in += vec[i] & 1;
	*frac = (double)in / (double)pages;
out_unmap:
	munmap(map, size);
out_free:
	free(vec);
	return ret;
}

int kerf_file_drop(int fd, uint64_t size, double *resident)
{
	const struct timespec pause = { 0, 1000000 };
	int ret, i;

	if (fdatasync(fd))
		return -errno;
	for (i = 0; i < DROP_TRIES; i++) {
		ret = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (ret)
			return -ret;
		ret = kerf_file_resident(fd, size, resident);
		if (ret || *resident == 0)
			return ret;
		/* Pages under writeback or in a per-CPU LRU batch: wait. */
		nanosleep(&pause, NULL);
	}
	return 0;
}

void kerf_perm(uint32_t *p, uint32_t n, uint64_t seed)
{
	uint64_t s = seed;
	uint32_t i, j, t;

	for (i = 0; i < n; i++)
		p[i] = i;
	for (i = n; i > 1; i--) {
		/* splitmix64, then multiply-shift into [0, i). */
		s += 0x9e3779b97f4a7c15ull;
		j = (uint32_t)(((mix64(s) >> 32) * (uint64_t)i) >> 32);
		t = p[i - 1];
		p[i - 1] = p[j];
		p[j] = t;
	}
}
