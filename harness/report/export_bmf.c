/* SPDX-License-Identifier: MIT */
/* The Bencher Metric Format and github-action-benchmark custom exports. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kerf/result.h"
#include "report/export.h"
#include "report/util.h"

static json_t *bmf_measure(double value, double lo, double hi, bool ci)
{
	json_t *m = json_object();

	json_object_set_new(m, "value", export_real(value));
	if (ci) {
		json_object_set_new(m, "lower_value", export_real(lo));
		json_object_set_new(m, "upper_value", export_real(hi));
	}
	return m;
}

/* The name of a stressor's headline: the figure equal to its "value". */
static bool bmf_headline(const json_t *r, char *buf, size_t len)
{
	json_t *figs = json_object_get(r, "figures"), *v;
	const char *k;
	double val;

	if (!ju_num(r, "value", &val))
		return false;
	json_object_foreach(figs, k, v)
	{
		if (json_is_number(v) && json_number_value(v) == val &&
		    strstr(k, "time")) {
			kerf_slug(k, buf, len);
			return true;
		}
	}
	json_object_foreach(figs, k, v)
	{
		if (json_is_number(v) && json_number_value(v) == val) {
			kerf_slug(k, buf, len);
			return true;
		}
	}
	return false;
}

/*
 * The measure of a result's headline and the factor to its unit: times are
 * "latency" in ns, rates "X/s" are "throughput" in X per second, a
 * stressor's figure is named after it in the result's unit.
 */
static bool bmf_main_measure(const json_t *r, char *measure, size_t len,
			     double *f)
{
	const char *unit = ju_str(r, "unit");
	char per[64], us[64];

	*f = 1;
	if (!json_object_get(r, "stats") && bmf_headline(r, measure, len)) {
		/* "time-to-kill-s": the figure's name carries its unit;
		 * else append it */
		kerf_slug(unit ? unit : "", us, sizeof(us));
		if (us[0] && !strstr(measure, us))
			snprintf(measure + strlen(measure),
				 len - strlen(measure), "-%s", us);
		return true;
	}
	*f = kerf_unit_ns(unit, NULL);
	if (*f) {
		snprintf(measure, len, "latency");
		return true;
	}
	*f = 1;
	if (export_rate_unit(unit, per, sizeof(per))) {
		snprintf(measure, len, "throughput");
		return true;
	}
	kerf_slug(unit ? unit : "value", measure, len);
	return measure[0] != '\0';
}

/* Derived metrics, their unit in their name: "p99" in us is "p99-ns" in ns,
 * "util" in % "util-pct", "n" in B "n-b". */
static void bmf_metrics(json_t *b, const json_t *r)
{
	json_t *metrics = json_object_get(r, "metrics"), *mv;
	const char *mk;

	json_object_foreach(metrics, mk, mv)
	{
		const char *unit = ju_str(mv, "unit");
		char measure[128], us[64];
		double v, f = kerf_unit_ns(unit, NULL);
		size_t o;

		if (!ju_num(mv, "value", &v))
			continue;
		kerf_slug(mk, measure, sizeof(measure) - 70);
		/* "%" has no letters to slug */
		kerf_slug(unit && strcmp(unit, "%") ? unit :
			  unit			    ? "pct" :
						      "",
			  us, sizeof(us));
		o = strlen(measure);
		if (f)
			snprintf(measure + o, sizeof(measure) - o, "-ns");
		else if (us[0])
			snprintf(measure + o, sizeof(measure) - o, "-%s", us);
		if (!measure[0] || json_object_get(b, measure))
			continue;
		json_object_set_new(b, measure,
				    bmf_measure(v * (f ? f : 1), 0, 0, false));
	}
}

/* The median and its 95% interval, or a stressor's value. */
static bool bmf_median(const json_t *r, double *med, double *lo, double *hi,
		       bool *ci)
{
	json_t *st = json_object_get(r, "stats");
	json_t *iv = json_object_get(st, "ci95");

	if (!ju_result_ok(r) ||
	    (!ju_num(st, "median", med) && !ju_num(r, "value", med)))
		return false;
	*ci = json_array_size(iv) == 2 &&
	      json_is_number(json_array_get(iv, 0)) &&
	      json_is_number(json_array_get(iv, 1));
	*lo = *ci ? json_number_value(json_array_get(iv, 0)) : *med;
	*hi = *ci ? json_number_value(json_array_get(iv, 1)) : *med;
	return true;
}

/* A result's name, made unique in doc with "#2", "#3"... */
static void bmf_unique_name(const json_t *doc, const json_t *r, char *name,
			    size_t len)
{
	int dup = 1;
	size_t l;

	kerf_result_name(r, name, len - 16);
	/* Room for "#N" after the name: each retry is a new name, so this
	 * ends however long the name (a cut "#" would loop forever). */
	l = strnlen(name, len - 16);
	name[l] = '\0';
	while (json_object_get(doc, name))
		snprintf(name + l, len - l, "#%d", ++dup);
}

/*
 * {"bench/k:v": {"latency": {value, lower_value, upper_value}}}: the median
 * with its 95% interval, each measure in one unit (see bmf_main_measure).
 */
json_t *export_bmf(const json_t *run)
{
	json_t *results = json_object_get(run, "results");
	json_t *doc = json_object(), *r, *b;
	size_t i;

	json_array_foreach(results, i, r)
	{
		char name[512], measure[128];
		double med, lo, hi, f;
		bool ci;

		if (!bmf_median(r, &med, &lo, &hi, &ci) ||
		    !bmf_main_measure(r, measure, sizeof(measure), &f))
			continue;
		bmf_unique_name(doc, r, name, sizeof(name));
		b = json_object();
		json_object_set_new(b, measure,
				    bmf_measure(med * f, lo * f, hi * f, ci));
		bmf_metrics(b, r);
		json_object_set_new(doc, name, b);
	}
	return doc;
}

/*
 * [{name, unit, value, range, extra}]: the median in the result's own unit,
 * "95% CI lo..hi" as the range; only the results whose better is "higher"
 * (bigger) or "lower".
 */
json_t *export_gab(const json_t *run, bool bigger)
{
	json_t *results = json_object_get(run, "results");
	json_t *doc = json_array(), *r;
	size_t i;

	json_array_foreach(results, i, r)
	{
		const char *better = ju_str(r, "better");
		const char *unit = ju_str(r, "unit");
		char name[512], range[160], extra[64];
		double med, lo, hi, n = 0;
		bool ci;
		json_t *e;

		if (!better || strcmp(better, bigger ? "higher" : "lower") ||
		    !bmf_median(r, &med, &lo, &hi, &ci))
			continue;
		kerf_result_name(r, name, sizeof(name));
		e = json_pack("{s:s, s:s, s:o}", "name", name, "unit",
			      unit ? unit : "", "value", export_real(med));
		if (ci) {
			/* display text: 4 significant digits */
			snprintf(range, sizeof(range), "95%% CI %.4g..%.4g", lo,
				 hi);
			json_object_set_new(e, "range", json_string(range));
		}
		if (ju_num(json_object_get(r, "stats"), "n", &n)) {
			snprintf(extra, sizeof(extra), "median of %.0f samples",
				 n);
			json_object_set_new(e, "extra", json_string(extra));
		}
		json_array_append_new(doc, e);
	}
	return doc;
}
