/* SPDX-License-Identifier: MIT */
/*
 * Profile parsers for kerf price: strace -c (and -c -f), perf trace -s and a
 * syscall,count[,bytes] CSV. Profiles are hostile input: bounded in size,
 * line length and rows, every name checked, errors give FILE:LINE.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerf/price.h"

#define PROF_MAX_TOKENS 16

struct prof_reader {
	FILE *f;
	const char *path;
	int line;
	char buf[KERF_PROFILE_MAX_LINE + 2];
	char *line_buf; /* getline's */
	size_t cap;
	char *err;
	size_t errlen;
};

static int prof_err(struct prof_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int prof_err(struct prof_reader *r, const char *fmt, ...)
{
	char label[256], msg[384];
	va_list ap;

	kerf_price_label(r->path, label, sizeof(label));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "%s:%d: %s", label, r->line, msg);
	return -EINVAL;
}

/* The next line without its newline; 0 at the end, 1 with a line. */
static int prof_next(struct prof_reader *r)
{
	ssize_t n = getline(&r->line_buf, &r->cap, r->f);

	if (n < 0)
		return 0;
	r->line++;
	if (n && r->line_buf[n - 1] == '\n')
		r->line_buf[--n] = 0;
	if (n && r->line_buf[n - 1] == '\r')
		r->line_buf[--n] = 0;
	if (n > KERF_PROFILE_MAX_LINE)
		return prof_err(r, "line longer than %d bytes",
				KERF_PROFILE_MAX_LINE);
	if (memchr(r->line_buf, 0, (size_t)n))
		return prof_err(r, "a NUL byte in the line (not a text file)");
	memcpy(r->buf, r->line_buf, (size_t)n + 1);
	return 1;
}

/* A value from the file for a message: control and non-ASCII bytes as '?'. */
static const char *prof_visible(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; *s && i + 1 < len; s++)
		buf[i++] = (*s < 0x20 || *s >= 0x7f) ? '?' : *s;
	buf[i] = 0;
	return buf;
}

/* Split on blanks (or on sep when not 0); returns the token count. */
static int prof_split(char *s, char sep, char **tok)
{
	int n = 0;

	while (*s && n < PROF_MAX_TOKENS) {
		if (!sep)
			while (*s == ' ' || *s == '\t')
				s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && (sep ? *s != sep : (*s != ' ' && *s != '\t')))
			s++;
		if (*s)
			*s++ = 0;
	}
	return n;
}

static int prof_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= KERF_PROFILE_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* A non-negative integer count, no sign, no exponent, at most 1e15. */
static int prof_count(struct prof_reader *r, const char *s, const char *what,
		      double *out)
{
	char *end, vis[40];
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return prof_err(r, "%s '%s' is not a non-negative integer",
				what, prof_visible(s, vis, 33));
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno || (double)v > KERF_PROFILE_MAX_COUNT)
		return prof_err(r,
				"%s '%.32s' is not an integer from 0 to 1e15",
				what, s);
	*out = (double)v;
	return 0;
}

static int prof_add(struct prof_reader *r, struct kerf_profile *pr,
		    const char *name, double count, double bytes)
{
	char vis[40];
	int i;

	if (!prof_name_ok(name))
		return prof_err(
			r,
			"'%s' is not a system call name (lower-case letters, digits, _; under %d characters)",
			prof_visible(name, vis, 33), KERF_PROFILE_NAME_MAX);
	for (i = 0; i < pr->ncalls; i++)
		if (!strcmp(pr->calls[i].name, name))
			break;
	if (i == pr->ncalls) {
		if (pr->ncalls >= KERF_PROFILE_MAX_CALLS)
			return prof_err(r, "more than %d distinct calls",
					KERF_PROFILE_MAX_CALLS);
		pr->calls = realloc(pr->calls,
				    sizeof(*pr->calls) * (size_t)(i + 1));
		if (!pr->calls)
			return -ENOMEM;
		memset(&pr->calls[i], 0, sizeof(pr->calls[i]));
		strcpy(pr->calls[i].name, name);
		pr->ncalls++;
	}
	pr->calls[i].count += count;
	pr->calls[i].bytes += bytes;
	pr->total += count;
	if (pr->total > KERF_PROFILE_MAX_COUNT)
		return prof_err(r, "more than 1e15 calls in all");
	return 0;
}

static bool prof_dashes(const char *s)
{
	while (*s == ' ')
		s++;
	return s[0] == '-' && s[1] == '-';
}

/*
 * strace -c: "% time seconds usecs/call calls errors syscall", dashes, rows
 * (errors may be blank), dashes, "total". The calls are the 4th field.
 */
static int prof_strace(struct prof_reader *r, struct kerf_profile *pr)
{
	char *tok[PROF_MAX_TOKENS];
	int n, rc, tables = 0;

	for (;;) {
		rc = prof_next(r);
		if (rc <= 0)
			return rc < 0 ? rc : tables ? 0 : -EINVAL;
		n = prof_split(r->buf, 0, tok);
		if (n < 1 || strcmp(tok[0], "%"))
			continue;
		if (n != 7 || strcmp(tok[4], "calls") ||
		    strcmp(tok[6], "syscall"))
			return prof_err(
				r,
				"a strace -c table with other columns than '%% time seconds usecs/call calls errors syscall' (strace -U is not read)");
		if ((rc = prof_next(r)) <= 0 || !prof_dashes(r->buf))
			return rc < 0 ?
				       rc :
				       prof_err(
					       r,
					       "no dashes under the strace header");
		while ((rc = prof_next(r)) > 0 && !prof_dashes(r->buf)) {
			double c;

			n = prof_split(r->buf, 0, tok);
			if (n != 5 && n != 6)
				return prof_err(
					r,
					"a strace row of %d fields (5 or 6 expected)",
					n);
			if ((rc = prof_count(r, tok[3], "calls", &c)) ||
			    (rc = prof_add(r, pr, tok[n - 1], c, 0)))
				return rc;
		}
		if (rc <= 0)
			return rc < 0 ?
				       rc :
				       prof_err(
					       r,
					       "the strace table ends without its total line");
		tables++;
	}
}

/*
 * perf trace -s: per thread, "syscall calls [errors] total min avg max
 * stddev", a units line, dashes, rows until a blank line.
 */
static int prof_perf(struct prof_reader *r, struct kerf_profile *pr)
{
	char *tok[PROF_MAX_TOKENS];
	int n, rc, blocks = 0;

	for (;;) {
		rc = prof_next(r);
		if (rc <= 0)
			return rc < 0 ? rc : blocks ? 0 : -EINVAL;
		n = prof_split(r->buf, 0, tok);
		if (n < 3 || strcmp(tok[0], "syscall") ||
		    strcmp(tok[1], "calls"))
			continue;
		while ((rc = prof_next(r)) > 0 && !prof_dashes(r->buf))
			;
		if (rc <= 0)
			return rc < 0 ?
				       rc :
				       prof_err(
					       r,
					       "no dashes under the perf trace header");
		while ((rc = prof_next(r)) > 0) {
			double c;

			n = prof_split(r->buf, 0, tok);
			if (!n)
				break;
			if (n < 3)
				return prof_err(
					r, "a perf trace row of %d fields", n);
			if ((rc = prof_count(r, tok[1], "calls", &c)) ||
			    (rc = prof_add(r, pr, tok[0], c, 0)))
				return rc;
		}
		if (rc < 0)
			return rc;
		blocks++;
	}
}

/* syscall,count[,bytes]; # comments; an optional syscall,count header. */
static int prof_csv(struct prof_reader *r, struct kerf_profile *pr)
{
	char *tok[PROF_MAX_TOKENS];
	int n, rc, rows = 0;

	while ((rc = prof_next(r)) > 0) {
		double c, b = 0;

		if (!r->buf[0] || r->buf[0] == '#')
			continue;
		n = prof_split(r->buf, ',', tok);
		if (n < 2 || n > 3)
			return prof_err(
				r,
				"%d fields; the CSV form is syscall,count[,bytes]",
				n);
		if (!rows && !strcmp(tok[0], "syscall") &&
		    !strcmp(tok[1], "count")) {
			rows = -1;
			continue;
		}
		if ((rc = prof_count(r, tok[1], "count", &c)) ||
		    (n == 3 && (rc = prof_count(r, tok[2], "bytes", &b))) ||
		    (rc = prof_add(r, pr, tok[0], c, b)))
			return rc;
		rows = rows < 0 ? 1 : rows + 1;
	}
	if (rc < 0)
		return rc;
	return rows > 0 ? 0 : prof_err(r, "no syscall,count rows");
}

/* Which form: the first strace or perf header decides, else CSV. */
static const char *prof_detect(struct prof_reader *r)
{
	char *tok[PROF_MAX_TOKENS];
	const char *form = "csv";
	int n;

	while (prof_next(r) > 0) {
		if (r->line == 1 && r->buf[strspn(r->buf, " \t")] == '{') {
			form = "json";
			break;
		}
		n = prof_split(r->buf, 0, tok);
		if (n >= 2 && !strcmp(tok[0], "%") && !strcmp(tok[1], "time")) {
			form = "strace";
			break;
		}
		if (n >= 2 && !strcmp(tok[0], "syscall") &&
		    !strcmp(tok[1], "calls")) {
			form = "perf-trace";
			break;
		}
	}
	rewind(r->f);
	r->line = 0;
	return form;
}

static FILE *prof_open(const char *path, char *err, size_t errlen)
{
	char label[256];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	FILE *f;

	kerf_price_label(path, label, sizeof(label));
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", label, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > KERF_PROFILE_MAX_BYTES) {
		snprintf(err, errlen,
			 "%s: not a regular file of at most %d bytes", label,
			 KERF_PROFILE_MAX_BYTES);
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

int kerf_profile_load(const char *path, struct kerf_profile *pr, char *err,
		      size_t errlen)
{
	struct prof_reader r = { .path = path, .err = err, .errlen = errlen };
	const char *form;
	int rc;

	err[0] = 0;
	r.f = prof_open(path, err, errlen);
	if (!r.f)
		return -errno;
	form = prof_detect(&r);
	if (!strcmp(form, "json")) {
		r.line = 1;
		rc = prof_err(
			&r,
			"a JSON file, not a profile (a run.json goes with --run)");
	} else if (!strcmp(form, "strace"))
		rc = prof_strace(&r, pr);
	else if (!strcmp(form, "perf-trace"))
		rc = prof_perf(&r, pr);
	else
		rc = prof_csv(&r, pr);
	fclose(r.f);
	free(r.line_buf);
	if (rc == -EINVAL && !err[0])
		prof_err(&r, "no %s table found", form);
	if (!rc) {
		/* Several files: the form of each, joined. */
		pr->format = !pr->format || !strcmp(pr->format, form) ? form :
									"mixed";
		if (!pr->path[0])
			kerf_price_label(path, pr->path, sizeof(pr->path));
	}
	return rc;
}

void kerf_profile_free(struct kerf_profile *pr)
{
	free(pr->calls);
	pr->calls = NULL;
	pr->ncalls = 0;
}

void kerf_price_label(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && *s && i + 1 < len; s++)
		buf[i++] = (isalnum((unsigned char)*s) || *s == '.' ||
			    *s == '-' || *s == '/' || *s == '_' ||
			    strchr("{}=,", *s)) ?
				   *s :
				   '_';
	if (len)
		buf[i] = 0;
}
