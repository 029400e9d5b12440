/* SPDX-License-Identifier: MIT */
/* Test files for the file-read benches: creation, checksums, page cache. */
#ifndef KERF_FILEIO_LIB_H
#define KERF_FILEIO_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERF_FILE_PAGE 4096u

/*
 * A filled test file. It is unlinked as soon as it is created, so it goes
 * away with the last descriptor even when the process is killed; path is
 * the name it had.
 */
struct kerf_file {
	int fd;
	uint64_t size;
	uint64_t sum_all; /* sum of every 64-bit word, mod 2^64 */
	uint64_t sum_pages; /* sum of the first word of each 4 KiB page */
	char path[4096];
};

/* The word at word index w of every test file; none of its bytes is zero. */
uint64_t kerf_file_word(uint64_t w);

/*
 * The checksum of a test file's bytes: the sum, mod 2^64, of its 64-bit
 * words as they lie in the file. buf holds len bytes from file offset off;
 * a word it holds only part of counts with the missing bytes as zero, so
 * the checksums of any split of a file add up to that of the whole.
 */
uint64_t kerf_sum64_at(const void *buf, size_t len, uint64_t off);

/*
 * The filesystem of dir: its statfs magic and a name for messages ("ext4",
 * "tmpfs", or "0x..." when unknown). Returns 0 or a negative errno.
 */
int kerf_fs_type(const char *dir, unsigned long *magic, char *name, size_t len);
/* Whether FADV_DONTNEED can evict clean pages there (not tmpfs, ramfs). */
bool kerf_fs_can_drop(unsigned long magic);

/*
 * Whether dir has room for size bytes with as much again to spare
 * (2 x size free). Returns 0, -ENOSPC with the figures in why, or a
 * negative errno from statvfs.
 */
int kerf_file_room(const char *dir, uint64_t size, char *why, size_t len);

/*
 * Create a file of size bytes (not 0) in dir, fill it with
 * kerf_file_word(), fsync it and unlink it; f->fd stays open. Returns 0 or a
 * negative errno, leaving nothing behind on failure.
 */
int kerf_file_create(struct kerf_file *f, const char *dir, uint64_t size);
void kerf_file_close(struct kerf_file *f);

/* Fraction of the first size bytes of fd resident in the page cache. */
int kerf_file_resident(int fd, uint64_t size, double *frac);

/*
 * Evict the file from the page cache without privileges: fdatasync, then
 * POSIX_FADV_DONTNEED, retried a few times while mincore still sees pages.
 * *resident is what mincore saw last. Returns 0 or a negative errno.
 */
int kerf_file_drop(int fd, uint64_t size, double *resident);

/* A permutation of 0..n-1 that depends only on seed (Fisher-Yates). */
void kerf_perm(uint32_t *p, uint32_t n, uint64_t seed);

#endif
