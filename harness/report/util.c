/* SPDX-License-Identifier: MIT */
/* Helpers the report and the exports share: output files, JSON, results, names, units. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerf/fmt.h"
#include "kerf/parse.h"
#include "report/util.h"

/* The most parameters a label or key holds. */
#define REP_MAX_PARAMS 32

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

void ju_flatten(json_t *out, const char *prefix, const json_t *j, bool brackets,
		const char *null_text)
{
	char key[512], num[64];
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
		{
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 prefix[0] ? "." : "", k);
			ju_flatten(out, key, v, brackets, null_text);
		}
	} else if (json_is_array(j)) {
		bool scalars = true;
		char *s;

		json_array_foreach(j, i, v) scalars =
			scalars && !json_is_object(v) && !json_is_array(v);
		if (!scalars) {
			json_array_foreach(j, i, v)
			{
				snprintf(key, sizeof(key),
					 brackets ? "%s[%zu]" : "%s.%zu",
					 prefix, i);
				ju_flatten(out, key, v, brackets, null_text);
			}
			return;
		}
		s = json_dumps(j, JSON_COMPACT);
		if (s)
			json_object_set_new(out, prefix, json_string(s));
		free(s);
	} else if (json_is_string(j)) {
		json_object_set(out, prefix, (json_t *)j);
	} else if (json_is_number(j)) {
		kerf_fmt_double(json_number_value(j), num, sizeof(num));
		json_object_set_new(out, prefix, json_string(num));
	} else {
		json_object_set_new(out, prefix,
				    json_string(json_is_true(j)	 ? "true" :
						json_is_false(j) ? "false" :
								   null_text));
	}
}

bool ju_result_ok(const json_t *r)
{
	const char *st = ju_str(r, "status");

	return st && !strcmp(st, "ok");
}

/* Median and its interval; lo and hi fall back to the median. */
bool rep_median(const json_t *r, double *med, double *lo, double *hi)
{
	json_t *st = json_object_get(r, "stats");
	json_t *ci = json_object_get(st, "ci95");

	if (!ju_result_ok(r) || !ju_num(st, "median", med))
		return false;
	*lo = *hi = *med;
	if (json_array_size(ci) == 2 && json_is_number(json_array_get(ci, 0)) &&
	    json_is_number(json_array_get(ci, 1))) {
		*lo = json_number_value(json_array_get(ci, 0));
		*hi = json_number_value(json_array_get(ci, 1));
	}
	return true;
}

/* A parameter's value as text (numbers formatted), NULL when absent. */
const char *rep_param_text(const json_t *r, const char *key, char *buf,
			   size_t len)
{
	json_t *v = json_object_get(json_object_get(r, "params"), key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_number(v)) {
		kerf_fmt_double(json_number_value(v), buf, len);
		return buf;
	}
	return NULL;
}

/* "4K" 4096, "10ms" 1e7, "12" 12: a parameter value as a number. */
bool rep_value_num(const char *s, double *x)
{
	uint64_t u;
	int64_t i;

	if (!s)
		return false;
	if (!kerf_parse_int(s, &i)) {
		*x = (double)i;
		return true;
	}
	if (!kerf_parse_size(s, &u) || !kerf_parse_time(s, &u)) {
		*x = (double)u;
		return true;
	}
	return !kerf_parse_double(s, x);
}

/* "k=v k2=v2" of a result's params, leaving out skip (may be NULL). */
void rep_params_label(const json_t *r, const char *skip, const char *sep,
		      char *buf, size_t len)
{
	const char *keys[REP_MAX_PARAMS];
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	n = ju_param_keys(r, keys, REP_MAX_PARAMS);
	for (i = 0; i < n && off < len; i++) {
		char num[64];
		const char *v;

		if (skip && !strcmp(keys[i], skip))
			continue;
		v = rep_param_text(r, keys[i], num, sizeof(num));
		off += snprintf(buf + off, len - off, "%s%s=%s", off ? sep : "",
				keys[i], v ? v : "");
	}
}

const char *rep_variant_of(const char *bench)
{
	const char *s = strchr(bench, '/');

	return s ? s + 1 : bench;
}

void rep_fmt_num(double v, char *buf, size_t len)
{
	kerf_fmt_num(v, buf, len);
}

/* A key that pairs results across runs: "bench{k=v,...}". */
void rep_key(const json_t *r, char *buf, size_t len)
{
	char p[400];

	rep_params_label(r, NULL, ",", p, sizeof(p));
	snprintf(buf, len, "%s{%s}",
		 ju_str(r, "bench") ? ju_str(r, "bench") : "?", p);
}

/* 25276502016: "23.5 GiB". */
void rep_human_bytes(double v, char *buf, size_t len)
{
	kerf_fmt_bytes(v, buf, len);
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
