/* SPDX-License-Identifier: MIT */
/* Readers of small /proc and sysfs files: the whole file, a number, a key. */
#ifndef KERF_PROCFS_H
#define KERF_PROCFS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read a whole small file into buf, NUL-terminated (at most len - 1 bytes,
 * len >= 1). Returns the number of bytes read or a negative errno.
 */
int kerf_read_file(const char *path, char *buf, size_t len);

/*
 * The unsigned decimal number a file begins with, leading white space
 * skipped ("123\n", schedstat's "123 456 7"). Returns 0, a negative errno,
 * or -EINVAL when the file does not begin with a number ("max").
 */
int kerf_read_u64(const char *path, uint64_t *val);

/*
 * The number after key in "key value" or "key=value" text, key at the
 * start of a line or after a space (memory.stat, memory.events, PSI,
 * /proc/meminfo with the key "MemAvailable:"). Returns 0 or -ENOENT.
 */
int kerf_kv(const char *text, const char *key, uint64_t *val);

/* kerf_kv over a whole file (up to 16 KiB). 0, -ENOENT or a negative errno. */
int kerf_read_kv(const char *path, const char *key, uint64_t *val);

#endif
