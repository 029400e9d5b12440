/* SPDX-License-Identifier: MIT */
/* Output files created safely: mkstemp in the target's directory, rename, directory synced; unsafe directories refused to root. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerf/outfile.h"
#include "kerf/result.h"

/* The directory part of PATH into buf ("." when it has none). */
static void outfile_dirname(const char *path, char *buf, size_t len)
{
	const char *s = strrchr(path, '/');

	if (!s)
		snprintf(buf, len, ".");
	else if (s == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(s - path), path);
}

int kerf_out_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int kerf_out_open(struct kerf_outfile *o, const char *path)
{
	char dir[PATH_MAX];
	const char *base;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		o->is_stdout = true;
		return 0;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!*base)
		return -EISDIR;
	outfile_dirname(path, dir, sizeof(dir));
	if (snprintf(o->path, sizeof(o->path), "%s", path) >=
		    (int)sizeof(o->path) ||
	    snprintf(o->tmp, sizeof(o->tmp), "%s/.%.100s.XXXXXX", dir, base) >=
		    (int)sizeof(o->tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644)) {
		int e = -errno;

		close(fd);
		unlink(o->tmp);
		return e;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int e = -errno;

		close(fd);
		unlink(o->tmp);
		return e;
	}
	return 0;
}

int kerf_out_close(struct kerf_outfile *o, bool ok)
{
	char dir[PATH_MAX];
	int ret = 0;

	if (!o->f)
		return -EBADF;
	if (fflush(o->f) || ferror(o->f))
		ret = -(errno ? errno : EIO);
	if (o->is_stdout) {
		o->f = NULL;
		return ret;
	}
	if (!ret && ok && fsync(fileno(o->f)))
		ret = -errno;
	if (fclose(o->f) && !ret)
		ret = -errno;
	o->f = NULL;
	if (!ret && ok && rename(o->tmp, o->path))
		ret = -errno;
	if (ret || !ok) {
		unlink(o->tmp);
		return ret;
	}
	outfile_dirname(o->path, dir, sizeof(dir));
	return kerf_out_sync_dir(dir);
}

int kerf_out_dir_check(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (geteuid() != 0)
		return 0;
	if (lstat(dir, &st))
		return 0; /* not there yet: kerf makes it */
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen,
			 "%s: refused: kerf runs as root and the directory %s "
			 "(mode %04o, owner uid %u); use a directory only root "
			 "can write",
			 dir,
			 st.st_uid != 0 ? "belongs to another user" :
					  "is writable by other users",
			 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

int kerf_out_mkdirs(const char *path, char *err, size_t errlen)
{
	int ret = kerf_mkdir_p(path);

	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	/* the parents may be shared (/tmp); what kerf writes into may not */
	return kerf_out_dir_check(path, err, errlen);
}
