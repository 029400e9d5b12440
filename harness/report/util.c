/* SPDX-License-Identifier: MIT */
/* Helpers the report and the exports share: output files, JSON, names, units. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/util.h"

int kerf_out_open(struct kerf_outfile *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		o->is_stdout = true;
		return 0;
	}
	if (snprintf(o->path, sizeof(o->path), "%s", path) >=
		    (int)sizeof(o->path) ||
	    snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%d", path,
		     (int)getpid()) >= (int)sizeof(o->tmp))
		return -ENAMETOOLONG;
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
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
	if (ret || !ok)
		unlink(o->tmp);
	return ret;
}

const char *ju_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

bool ju_num(const json_t *o, const char *key, double *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_number(j))
		return false;
	*v = json_number_value(j);
	return isfinite(*v);
}

json_t *ju_path(const json_t *o, const char *dotted)
{
	char part[128];
	json_t *j = (json_t *)o;

	while (j && *dotted) {
		size_t n = strcspn(dotted, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, dotted, n);
		part[n] = '\0';
		j = json_object_get(j, part);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
	return j;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ju_param_keys(const json_t *result, const char **keys, int max)
{
	json_t *params = json_object_get(result, "params");
	const char *k;
	json_t *v;
	int n = 0;

	json_object_foreach(params, k, v)
	{
		if (n < max)
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	return n;
}

void kerf_result_name(const json_t *result, char *buf, size_t len)
{
	json_t *params = json_object_get(result, "params");
	const char *keys[64];
	const char *bench = ju_str(result, "bench");
	size_t off;
	int i, n;

	n = ju_param_keys(result, keys, 64);
	off = snprintf(buf, len, "%s", bench ? bench : "?");
	for (i = 0; i < n && off < len; i++) {
		const char *v =
			json_string_value(json_object_get(params, keys[i]));
		char num[64];

		if (!v) {
			kerf_fmt_double(json_number_value(json_object_get(
						params, keys[i])),
					num, sizeof(num));
			v = num;
		}
		off += snprintf(buf + off, len - off, "/%s:%s", keys[i], v);
	}
}

double kerf_unit_ns(const char *unit, const char **tu)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1e3 },
		{ "ms", 1e6 },
		{ "s", 1e9 },
	};
	size_t i, n;

	if (!unit)
		return 0;
	n = strcspn(unit, "/ ");
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == n &&
		    !strncmp(unit, units[i].name, n)) {
			if (tu)
				*tu = units[i].name;
			return units[i].ns;
		}
	}
	return 0;
}

void kerf_fmt_double(double v, char *buf, size_t len)
{
	int prec;

	if (!isfinite(v)) {
		snprintf(buf, len, "0");
		return;
	}
	for (prec = 6; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

void kerf_slug(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	bool dash = false;

	if (!len)
		return;
	for (; *s && o + 1 < len; s++) {
		unsigned char c = *s;

		if (isalnum(c)) {
			if (dash && o)
				buf[o++] = '-';
			dash = false;
			if (o + 1 < len)
				buf[o++] = tolower(c);
		} else {
			dash = true;
		}
	}
	buf[o] = '\0';
}

int kerf_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}
