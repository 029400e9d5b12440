/* SPDX-License-Identifier: MIT */
/* run.json: the atomic writer, the checked loader and the pairing key. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kerf/outfile.h"
#include "kerf/result.h"

void kerf_utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int kerf_mkdir_p(const char *path)
{
	char buf[4096];
	size_t l;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	l = strlen(buf);
	for (size_t i = 1; i <= l; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		buf[i] = i < l ? '/' : 0;
	}
	return access(path, W_OK | X_OK) ? -errno : 0;
}

void kerf_default_out(char *buf, size_t len)
{
	char host[256] = "host", stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/%s-%s", stamp, host);
}

json_t *kerf_run_new(void)
{
	char now[32];

	kerf_utc_now(now, sizeof(now));
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:n, s:[], s:[]}",
			 "schema", KERF_RUN_SCHEMA, "tool", "name", "kerf",
			 "version", KERF_VERSION, "git", KERF_GIT_REV,
			 "started", now, "finished", "warnings", "results");
}

void kerf_run_finish(json_t *run)
{
	char now[32];

	kerf_utc_now(now, sizeof(now));
	json_object_set_new(run, "finished", json_string(now));
}

json_t *kerf_run_derived(json_t *run)
{
	json_t *d = json_object_get(run, "derived");

	if (!json_is_object(d)) {
		d = json_object();
		json_object_set_new(run, "derived", d);
	}
	return d;
}

int kerf_run_write(const json_t *run, const char *dir)
{
	struct kerf_outfile o;
	char dst[4096];
	char *text;
	bool ok;
	int err;

	if (snprintf(dst, sizeof(dst), "%s/run.json", dir) >= (int)sizeof(dst))
		return -ENAMETOOLONG;
	/* JSON_REAL_PRECISION 17 keeps every double exact on reading back. */
	text = json_dumps(run, JSON_INDENT(1) | JSON_REAL_PRECISION(17) |
				       JSON_ENSURE_ASCII);
	if (!text)
		return -ENOMEM;
	/* A fresh temporary file (mkstemp) renamed over run.json: a name
	 * planted in DIR is never opened, a symlink never followed. */
	err = kerf_out_open(&o, dst);
	if (!err) {
		ok = fputs(text, o.f) >= 0 && fputc('\n', o.f) != EOF;
		err = kerf_out_close(&o, ok);
		if (!err && !ok)
			err = -EIO;
	}
	free(text);
	return err;
}

static int check_run(const json_t *run, const char *file, char *err,
		     size_t errlen)
{
	const json_t *schema, *results, *r;
	size_t i;

	if (!json_is_object(run)) {
		snprintf(err, errlen,
			 "%s: not a kerf run (top level is not an object)",
			 file);
		return -EINVAL;
	}
	schema = json_object_get(run, "schema");
	if (!json_is_string(schema)) {
		snprintf(
			err, errlen,
			"%s: not a kerf run (no \"schema\" key; expected \"%s\")",
			file, KERF_RUN_SCHEMA);
		return -EINVAL;
	}
	if (strcmp(json_string_value(schema), KERF_RUN_SCHEMA) &&
	    strcmp(json_string_value(schema), KERF_RUN_SCHEMA_V1)) {
		snprintf(
			err, errlen,
			"%s: schema \"%s\" is not supported (expected \"%s\" or \"%s\")",
			file, json_string_value(schema), KERF_RUN_SCHEMA,
			KERF_RUN_SCHEMA_V1);
		return -EINVAL;
	}
	results = json_object_get(run, "results");
	if (!json_is_array(results)) {
		snprintf(err, errlen,
			 "%s: \"results\" is missing or not an array", file);
		return -EINVAL;
	}
	json_array_foreach(results, i, r)
	{
		const json_t *s;

		if (!json_is_object(r) ||
		    !json_is_string(json_object_get(r, "bench")) ||
		    !json_is_object(json_object_get(r, "params")) ||
		    !json_is_string(json_object_get(r, "status"))) {
			snprintf(
				err, errlen,
				"%s: results[%zu] lacks \"bench\", \"params\" or \"status\"",
				file, i);
			return -EINVAL;
		}
		s = json_object_get(r, "samples");
		if (s && !json_is_array(s)) {
			snprintf(err, errlen,
				 "%s: results[%zu].samples is not an array",
				 file, i);
			return -EINVAL;
		}
	}
	return 0;
}

json_t *kerf_run_load(const char *path, char *err, size_t errlen)
{
	char file[4096];
	struct stat st;
	json_error_t je;
	json_t *run;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode))
		snprintf(file, sizeof(file), "%s/run.json", path);
	else
		snprintf(file, sizeof(file), "%s", path);
	run = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (!run) {
		if (je.line > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", file, je.line,
				 je.column, je.text);
		else
			snprintf(err, errlen, "%s: %s", file, je.text);
		return NULL;
	}
	if (check_run(run, file, err, errlen)) {
		json_decref(run);
		return NULL;
	}
	return run;
}

/* A real, or nothing: run.json never holds NaN or Infinity. */
static void set_real(json_t *o, const char *key, double v)
{
	if (isfinite(v))
		json_object_set_new(o, key, json_real(v));
}

json_t *kerf_stats_to_json(const struct kerf_stats *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer((json_int_t)st->n));
	set_real(o, "median", st->median);
	set_real(o, "mean", st->mean);
	set_real(o, "stddev", st->stddev);
	set_real(o, "min", st->min);
	set_real(o, "max", st->max);
	set_real(o, "mad", st->mad);
	set_real(o, "cv", st->cv);
	set_real(o, "p1", st->p1);
	set_real(o, "p5", st->p5);
	set_real(o, "p25", st->p25);
	set_real(o, "p75", st->p75);
	set_real(o, "p95", st->p95);
	set_real(o, "p99", st->p99);
	if (isfinite(st->ci_lo) && isfinite(st->ci_hi))
		json_object_set_new(o, "ci95",
				    json_pack("[f, f]", st->ci_lo, st->ci_hi));
	json_object_set_new(o, "boot_reps", json_integer(st->boot_reps));
	/* The seed as a string: JSON readers lose integers above 2^53. */
	json_object_set_new(o, "seed",
			    json_sprintf("%llu", (unsigned long long)st->seed));
	json_object_set_new(o, "outliers",
			    json_pack("{s:i, s:i, s:i, s:i}", "low_mild",
				      st->out_low_mild, "high_mild",
				      st->out_high_mild, "low_severe",
				      st->out_low_severe, "high_severe",
				      st->out_high_severe));
	return o;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int kerf_result_key(const json_t *result, char *buf, size_t len)
{
	const json_t *params = json_object_get(result, "params");
	const char *bench = json_string_value(json_object_get(result, "bench"));
	const char *keys[128];
	size_t nk = 0, off;
	const char *k;
	json_t *v;

	if (!bench || len == 0)
		return -EINVAL;
	json_object_foreach((json_t *)params, k, v)
	{
		if (nk < sizeof(keys) / sizeof(keys[0]))
			keys[nk++] = k;
	}
	qsort(keys, nk, sizeof(keys[0]), cmp_str);
	off = (size_t)snprintf(buf, len, "%s{", bench);
	for (size_t i = 0; i < nk && off < len; i++) {
		const char *val =
			json_string_value(json_object_get(params, keys[i]));

		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s",
					i ? "," : "", keys[i], val ? val : "?");
	}
	if (off < len)
		off += (size_t)snprintf(buf + off, len - off, "}");
	return off < len ? 0 : -ENAMETOOLONG;
}

void kerf_json_appendf(json_t *arr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(arr, kerf_json_str(buf));
}

json_t *kerf_json_str(const char *s)
{
	json_t *j = json_string(s);
	char *c, *p;

	if (j || !s)
		return j;
	c = strdup(s);
	if (!c)
		return NULL;
	for (p = c; *p; p++)
		if ((unsigned char)*p >= 0x80 || iscntrl((unsigned char)*p))
			*p = '?';
	j = json_string(c);
	free(c);
	return j;
}
