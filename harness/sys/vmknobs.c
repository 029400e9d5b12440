/* SPDX-License-Identifier: MIT */
/* Host VM settings kerf changes only when asked: THP knobs and swap files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include "kerf/procfs.h"
#include "kerf/vmknobs.h"

#define VMK_THP "/sys/kernel/mm/transparent_hugepage/"
#define VMK_LINE 4200

int kerf_thp_get(const char *knob, char *val, size_t len)
{
	char path[128], buf[256], *a, *b;
	int n;

	snprintf(path, sizeof(path), VMK_THP "%s", knob);
	n = kerf_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	a = strchr(buf, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b || (size_t)(b - a) > len)
		return -EINVAL;
	memcpy(val, a + 1, (size_t)(b - a - 1));
	val[b - a - 1] = '\0';
	return 0;
}

static int vmknobs_thp_put(const char *knob, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), VMK_THP "%s", knob);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The state file first: a SIGKILL between the writes still restores. */
static int vmknobs_save(struct kerf_thp_saved *old)
{
	char text[128];
	int fd, n;

	snprintf(old->state, sizeof(old->state), "/dev/shm/kerf-%d-thp",
		 (int)getpid());
	fd = open(old->state, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		old->state[0] = '\0';
		return -errno;
	}
	n = snprintf(text, sizeof(text), "enabled %s\ndefrag %s\n",
		     old->enabled, old->defrag);
	if (write(fd, text, (size_t)n) != n || fsync(fd)) {
		close(fd);
		unlink(old->state);
		old->state[0] = '\0';
		return -EIO;
	}
	close(fd);
	return 0;
}

int kerf_thp_set(const char *enabled, const char *defrag,
		 struct kerf_thp_saved *old)
{
	int err;

	memset(old, 0, sizeof(*old));
	err = kerf_thp_get("enabled", old->enabled, sizeof(old->enabled));
	if (!err)
		err = kerf_thp_get("defrag", old->defrag, sizeof(old->defrag));
	if (!err)
		err = vmknobs_save(old);
	if (err)
		return err;
	err = vmknobs_thp_put("enabled", enabled);
	if (!err)
		err = vmknobs_thp_put("defrag", defrag);
	if (err)
		kerf_thp_restore(old);
	return err;
}

int kerf_thp_restore(struct kerf_thp_saved *old)
{
	int err = 0;

	if (!old->state[0])
		return 0;
	if (old->enabled[0])
		err = vmknobs_thp_put("enabled", old->enabled);
	if (old->defrag[0] && !err)
		err = vmknobs_thp_put("defrag", old->defrag);
	if (!err) {
		unlink(old->state);
		old->state[0] = '\0';
	}
	return err;
}

int kerf_thp_restore_file(const char *state)
{
	struct kerf_thp_saved old = { 0 };
	char text[256];

	if (kerf_read_file(state, text, sizeof(text)) < 0 ||
	    sscanf(text, "enabled %31s defrag %31s", old.enabled, old.defrag) !=
		    2)
		return -EINVAL;
	snprintf(old.state, sizeof(old.state), "%s", state);
	return kerf_thp_restore(&old);
}

int kerf_swap_each(void (*fn)(const char *path, void *arg), void *arg)
{
	char line[VMK_LINE], path[VMK_LINE];
	FILE *f = fopen("/proc/swaps", "re");
	int n = 0;

	if (!f)
		return -errno;
	/* "Filename Type Size Used Priority", then one line per area. */
	while (fgets(line, sizeof(line), f))
		if (line[0] == '/' && sscanf(line, "%4095s", path) == 1) {
			if (fn)
				fn(path, arg);
			n++;
		}
	fclose(f);
	return n;
}

uint64_t kerf_swap_total(void)
{
	char line[VMK_LINE];
	unsigned long long kib, total = 0;
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (line[0] == '/' && sscanf(line, "%*s %*s %llu", &kib) == 1)
			total += kib;
	fclose(f);
	return total << 10;
}

/*
 * Zeros, then the version 1 swap header (linux/swap.h, union swap_header):
 * version, last page and no bad pages at offset 1024, and the magic
 * "SWAPSPACE2" in the last 10 bytes of the first page.
 */
static int vmknobs_format(int fd, uint64_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	static char zero[1 << 20];
	uint32_t info[3];
	char *hdr;
	uint64_t off;
	int ret = 0;

	for (off = 0; off < size; off += sizeof(zero)) {
		size_t n = size - off < sizeof(zero) ? size - off :
						       sizeof(zero);

		if (pwrite(fd, zero, n, (off_t)off) != (ssize_t)n)
			return errno ? -errno : -EIO;
	}
	hdr = calloc(1, (size_t)page);
	if (!hdr)
		return -ENOMEM;
	info[0] = 1;
	info[1] = (uint32_t)(size / (uint64_t)page - 1);
	info[2] = 0;
	memcpy(hdr + 1024, info, sizeof(info));
	memcpy(hdr + page - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, hdr, (size_t)page, 0) != page || fsync(fd))
		ret = errno ? -errno : -EIO;
	free(hdr);
	return ret;
}

int kerf_swapfile_add(const char *dir, uint64_t size, char *path, size_t len)
{
	int fd, err;

	snprintf(path, len, "%s/kerf-%d-swap", dir, (int)getpid());
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		path[0] = '\0';
		return err;
	}
	err = vmknobs_format(fd, size);
	close(fd);
	/* No priority asked: the kernel puts it below any swap already on. */
	if (!err && swapon(path, 0))
		err = -errno;
	if (err) {
		unlink(path);
		path[0] = '\0';
	}
	return err;
}

int kerf_swapfile_remove(const char *path)
{
	int err = 0;

	if (!path || !path[0])
		return 0;
	if (swapoff(path) && errno != EINVAL)
		err = -errno;
	if (!err && unlink(path) && errno != ENOENT)
		err = -errno;
	return err;
}
