/* SPDX-License-Identifier: MIT */
/* Derived figures of a run: straight-line fits of medians across a sweep,
 * and the fit of the spawn family (fork cost against the parent's RSS). */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/derive.h"
#include "kerf/parse.h"
#include "kerf/result.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "k=v,k2=v2" of every parameter but skip, keys sorted. */
static int group_key(json_t *params, const char *skip, char *buf, size_t len)
{
	const char *keys[64];
	const char *k;
	size_t n = 0, used = 0;
	json_t *v;

	json_object_foreach(params, k, v)
	{
		if (strcmp(k, skip) && n < 64)
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(keys[0]), cmp_str);
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *val =
			json_string_value(json_object_get(params, keys[i]));
		int w = snprintf(buf + used, len - used, "%s%s=%s",
				 i ? "," : "", keys[i], val ? val : "");

		if (w < 0 || (size_t)w >= len - used)
			return -ENAMETOOLONG;
		used += (size_t)w;
	}
	return 0;
}

/* The (x, y) point of one result, or false when it does not take part. */
static bool result_point(json_t *r, const char *bench, const char *param,
			 double scale, double *x, double *y)
{
	json_t *params = json_object_get(r, "params");
	json_t *med = json_object_get(json_object_get(r, "stats"), "median");
	const char *b = json_string_value(json_object_get(r, "bench"));
	const char *st = json_string_value(json_object_get(r, "status"));
	const char *v = json_string_value(json_object_get(params, param));
	uint64_t bytes;

	if (!b || strcmp(b, bench) || !st || strcmp(st, "ok") || !v ||
	    !json_is_number(med) || kerf_parse_size(v, &bytes))
		return false;
	*x = (double)bytes / scale;
	*y = json_number_value(med);
	return true;
}

static json_t *fit(json_t *points, const char *name, double scale,
		   const char *unit)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, ssr = 0, sst = 0;
	double n = (double)json_array_size(points), mx, my, slope, icpt, r2;
	size_t i;
	json_t *pt;

	json_array_foreach(points, i, pt)
	{
		sx += json_number_value(json_array_get(pt, 0));
		sy += json_number_value(json_array_get(pt, 1));
	}
	mx = sx / n;
	my = sy / n;
	json_array_foreach(points, i, pt)
	{
		double dx = json_number_value(json_array_get(pt, 0)) - mx;
		double dy = json_number_value(json_array_get(pt, 1)) - my;

		sxx += dx * dx;
		sxy += dx * dy;
		sst += dy * dy;
	}
	if (sxx <= 0)
		return NULL;
	slope = sxy / sxx;
	icpt = my - slope * mx;
	json_array_foreach(points, i, pt)
	{
		double e = json_number_value(json_array_get(pt, 1)) -
			   (icpt +
			    slope * json_number_value(json_array_get(pt, 0)));

		ssr += e * e;
	}
	r2 = sst > 0 ? 1 - ssr / sst : 1;
	return json_pack("{s:s, s:f, s:f, s:f, s:I, s:s, s:f}", "name", name,
			 "slope", slope, "intercept", icpt, "r2", r2, "n",
			 (json_int_t)n, "unit", unit, "scale", scale);
}

int kerf_derive_linear(json_t *run, const char *bench, const char *param,
		       const char *name, double scale, const char *unit)
{
	json_t *results = json_object_get(run, "results");
	json_t *groups, *derived, *r, *g;
	const char *gk;
	char key[512], full[1024];
	int stored = 0;
	size_t i;

	if (!json_is_array(results) || scale <= 0)
		return -EINVAL;
	groups = json_object();
	if (!groups)
		return -ENOMEM;
	json_array_foreach(results, i, r)
	{
		double x, y;

		if (!result_point(r, bench, param, scale, &x, &y) ||
		    group_key(json_object_get(r, "params"), param, key,
			      sizeof(key)))
			continue;
		g = json_object_get(groups, key);
		if (!g) {
			g = json_pack(
				"{s:o, s:[]}", "params",
				json_deep_copy(json_object_get(r, "params")),
				"points");
			json_object_del(json_object_get(g, "params"), param);
			json_object_set_new(groups, key, g);
		}
		json_array_append_new(json_object_get(g, "points"),
				      json_pack("[f, f]", x, y));
	}
	derived = kerf_run_derived(run);
	json_object_foreach(groups, gk, g)
	{
		json_t *f =
			fit(json_object_get(g, "points"), name, scale, unit);

		if (!f)
			continue;
		json_object_set_new(f, "bench", json_string(bench));
		json_object_set_new(f, "param", json_string(param));
		json_object_set(f, "params", json_object_get(g, "params"));
		snprintf(full, sizeof(full), "%s:%s{%s}", bench, param, gk);
		json_object_set_new(derived, full, f);
		stored++;
	}
	json_decref(groups);
	return stored;
}

static int derive_fork_rss(json_t *run)
{
	return kerf_derive_linear(run, "spawn/fork", "rss", "fork_rss_slope",
				  1073741824.0, "ns/op per GiB");
}

const struct kerf_derive kerf_derive_fork_rss = {
	.derive = derive_fork_rss,
};
