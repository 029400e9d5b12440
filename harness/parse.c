/* SPDX-License-Identifier: MIT */
/* Strict parsing of numbers, sizes and durations, and their canonical text. */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/parse.h"

/* Digits only, into a uint64_t; end points past the last digit. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return 0;
}

int kerf_parse_int(const char *s, int64_t *out)
{
	const char *end;
	uint64_t v;
	bool neg = false;
	int err;

	if (!s)
		return -EINVAL;
	if (*s == '-') {
		neg = true;
		s++;
	}
	err = parse_digits(s, &v, &end);
	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		*out = (int64_t)(0 - v);
	} else {
		if (v > INT64_MAX)
			return -ERANGE;
		*out = (int64_t)v;
	}
	return 0;
}

static const char size_suffix[] = "KMGTPE";

int kerf_parse_size(const char *s, uint64_t *out)
{
	const char *end, *p = NULL;
	uint64_t v, mul = 1;
	int err;

	err = parse_digits(s, &v, &end);
	if (err)
		return err;
	if (*end)
		p = strchr(size_suffix, toupper((unsigned char)*end));
	if (p) {
		for (int i = 0; i <= p - size_suffix; i++)
			mul *= 1024;
		end++;
		if (end[0] == 'i' && end[1] == 'B')
			end += 2;
	}
	if (*end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

static const struct {
	const char *unit;
	uint64_t ns;
} time_units[] = {
	{ "ns", 1ull },		{ "us", 1000ull },	 { "ms", 1000000ull },
	{ "s", 1000000000ull }, { "m", 60000000000ull },
};

int kerf_parse_time(const char *s, uint64_t *ns)
{
	const char *end;
	uint64_t v;
	int err;

	err = parse_digits(s, &v, &end);
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(time_units) / sizeof(time_units[0]);
	     i++) {
		if (strcmp(end, time_units[i].unit))
			continue;
		if (v > UINT64_MAX / time_units[i].ns)
			return -ERANGE;
		*ns = v * time_units[i].ns;
		return 0;
	}
	return -EINVAL;
}

int kerf_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s)
		return -EINVAL;
	if (errno == ERANGE || !isfinite(v))
		return -ERANGE;
	*out = v;
	return 0;
}

int kerf_parse_list(const char *s)
{
	size_t n = strlen(s);

	if (!n || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,"))
		return -EINVAL;
	return 0;
}

void kerf_fmt_size(uint64_t v, char *buf, size_t len)
{
	int i = -1;

	while (v && !(v & 1023) && i < 5) {
		v >>= 10;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v,
			 size_suffix[i]);
}

void kerf_fmt_time(uint64_t ns, char *buf, size_t len)
{
	int i = 0;

	/* The largest unit that divides the value, minutes excepted. */
	while (i < 3 && ns &&
	       ns % (time_units[i + 1].ns / time_units[i].ns) == 0) {
		ns /= time_units[i + 1].ns / time_units[i].ns;
		i++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)ns,
		 time_units[i].unit);
}

int kerf_levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int *row = calloc(lb + 1, sizeof(*row));
	int d;

	if (!row)
		return 1 << 20;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int prev = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cur = row[j];
			int cost = a[i - 1] != b[j - 1];
			int best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	d = row[lb];
	free(row);
	return d;
}
