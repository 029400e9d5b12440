/* SPDX-License-Identifier: MIT */
/* Readers of small /proc and sysfs files: the whole file, a number, a key. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf/procfs.h"

/* The largest "key value" file kerf_read_kv reads (/proc/vmstat: ~6 KiB). */
#define PROCFS_KV_MAX (16 << 10)

int kerf_read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* A seq_file may hand a file over in several reads. */
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	return (int)got;
}

int kerf_read_u64(const char *path, uint64_t *val)
{
	char buf[128], *p = buf;
	int ret = kerf_read_file(path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	*val = strtoull(p, NULL, 10);
	return 0;
}

int kerf_kv(const char *text, const char *key, uint64_t *val)
{
	size_t n = strlen(key);
	const char *p = text;

	while ((p = strstr(p, key))) {
		bool start = p == text || p[-1] == ' ' || p[-1] == '\n';

		if (start && (p[n] == ' ' || p[n] == '=')) {
			*val = strtoull(p + n + 1, NULL, 10);
			return 0;
		}
		p += n;
	}
	return -ENOENT;
}

int kerf_read_kv(const char *path, const char *key, uint64_t *val)
{
	char *buf = malloc(PROCFS_KV_MAX);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = kerf_read_file(path, buf, PROCFS_KV_MAX);
	if (ret >= 0)
		ret = kerf_kv(buf, key, val);
	free(buf);
	return ret;
}
