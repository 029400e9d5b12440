/* SPDX-License-Identifier: MIT */
/* Output files created safely: never through a symlink, never over what another user planted, whole or not at all. */
#ifndef KERF_OUTFILE_H
#define KERF_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * A file written whole or not at all: a temporary file made by mkstemp()
 * (O_EXCL: a name someone planted is never opened) in the target's own
 * directory, renamed over PATH on success (rename replaces a planted
 * symlink, it does not follow it), then the directory synced.
 */
struct kerf_outfile {
	FILE *f;
	bool is_stdout;
	char path[PATH_MAX];
	char tmp[PATH_MAX];
};

/* PATH NULL or "-": stdout. Returns 0 or a negative errno. */
int kerf_out_open(struct kerf_outfile *o, const char *path);
/* Flush, fsync, rename and sync the directory when ok and no write failed; else remove. */
int kerf_out_close(struct kerf_outfile *o, bool ok);

/*
 * DIR is safe to write into: when kerf runs as root, DIR must belong to
 * root and not be writable by group or others (a sticky bit does not
 * help: gnuplot opens its images by name), so nobody else can plant or
 * swap files in it. Returns 0 or -EPERM with the reason in err.
 */
int kerf_out_dir_check(const char *dir, char *err, size_t errlen);

/*
 * kerf_mkdir_p(), then kerf_out_dir_check() on PATH. Returns 0 or a
 * negative errno, err saying why.
 */
int kerf_out_mkdirs(const char *path, char *err, size_t errlen);

/* fsync the directory DIR (after a rename into it). */
int kerf_out_sync_dir(const char *dir);

#endif
