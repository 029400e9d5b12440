/* SPDX-License-Identifier: MIT */
/* Exports of a run for other tools: Google Benchmark JSON, Bencher, CSV. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/report.h"
#include "kerf/result.h"
#include "kerf/escape.h"
#include "report/util.h"

/* A json_real that is never NaN or Infinity (jansson refuses them: NULL). */
static json_t *jreal(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

/* ---- Google Benchmark JSON ---- */

/* kerf's env.topology.cache {l1d, l1i, l2, l3} as google/benchmark's list. */
static json_t *gbench_caches(const json_t *env)
{
	static const struct {
		const char *key, *type;
		int level;
	} caches[] = {
		{ "l1d", "Data", 1 },
		{ "l1i", "Instruction", 1 },
		{ "l2", "Unified", 2 },
		{ "l3", "Unified", 3 },
	};
	json_t *in = ju_path(env, "topology.cache"), *out = json_array();
	size_t i;
	double v;

	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		if (!ju_num(in, caches[i].key, &v))
			continue;
		/* kerf records sizes only; 0 sharers means "not known" */
		json_array_append_new(out, json_pack("{s:s, s:i, s:I, s:i}",
						     "type", caches[i].type,
						     "level", caches[i].level,
						     "size", (json_int_t)v,
						     "num_sharing", 0));
	}
	return out;
}

/*
 * google/benchmark's context from the run: nothing about the host that
 * exports it. Fields kerf does not record are 0 (mhz_per_cpu).
 */
static json_t *gbench_context(const json_t *run)
{
	json_t *env = json_object_get(run, "env");
	json_t *ctx = json_object(), *la = json_array(), *j;
	const char *s, *gov = ju_str(env, "governor");
	const char *cflags = ju_str(json_object_get(env, "build"), "cflags");
	double v;

	s = ju_str(run, "started");
	json_object_set_new(ctx, "date", json_string(s ? s : ""));
	s = ju_str(env, "host");
	json_object_set_new(ctx, "host_name", json_string(s ? s : ""));
	j = json_array_get(json_object_get(run, "command"), 0);
	json_object_set_new(
		ctx, "executable",
		json_string(json_is_string(j) ? json_string_value(j) : "kerf"));
	json_object_set_new(
		ctx, "num_cpus",
		json_integer(
			ju_num(json_object_get(env, "topology"), "pus", &v) ?
				v :
				0));
	json_object_set_new(ctx, "mhz_per_cpu", json_integer(0));
	/* google/benchmark: scaling is "enabled" unless the governor pins it */
	json_object_set_new(ctx, "cpu_scaling_enabled",
			    json_boolean(gov && strcmp(gov, "performance") &&
					 strcmp(gov, "none")));
	json_object_set_new(ctx, "caches", gbench_caches(env));
	j = json_object_get(env, "loadavg");
	if (ju_num(j, "load1", &v) &&
	    (json_array_append_new(la, jreal(v)), ju_num(j, "load5", &v)) &&
	    (json_array_append_new(la, jreal(v)), ju_num(j, "load15", &v)))
		json_array_append_new(la, jreal(v));
	json_object_set_new(ctx, "load_avg", la);
	json_object_set_new(ctx, "library_build_type",
			    json_string(cflags && strstr(cflags, "-O0") ?
						"debug" :
						"release"));
	s = ju_str(json_object_get(run, "tool"), "version");
	json_object_set_new(ctx, "kerf.version", json_string(s ? s : ""));
	s = ju_str(json_object_get(run, "tool"), "git");
	json_object_set_new(ctx, "kerf.git", json_string(s ? s : ""));
	s = ju_str(json_object_get(run, "config"), "profile");
	json_object_set_new(ctx, "kerf.profile", json_string(s ? s : ""));
	s = ju_str(run, "schema");
	json_object_set_new(ctx, "kerf.schema", json_string(s ? s : ""));
	/* the env as "env.a.b" string keys */
	if (json_is_object(env))
		ju_flatten(ctx, "env", env, false, "");
	return ctx;
}

/*
 * One entry. Time units stay as they are ("us/op" is time_unit "us"); kerf
 * measures wall time only, so cpu_time repeats real_time. A unit that is not
 * a time ("req/s") goes into a counter named after it and the times are 0.
 */
static json_t *gbench_entry(const char *name, const char *run_name, int family,
			    int instance, const json_t *r, double value,
			    double factor, const char *tu, const char *counter)
{
	json_t *e = json_object();
	double t = factor ? value : 0;

	json_object_set_new(e, "name", json_string(name));
	json_object_set_new(e, "family_index", json_integer(family));
	json_object_set_new(e, "per_family_instance_index",
			    json_integer(instance));
	json_object_set_new(e, "run_name", json_string(run_name));
	json_object_set_new(e, "run_type", json_string("iteration"));
	json_object_set_new(e, "repetitions", json_integer(0));
	json_object_set_new(e, "repetition_index", json_integer(0));
	json_object_set_new(e, "threads", json_integer(1));
	json_object_set_new(e, "iterations", json_integer(0));
	json_object_set_new(e, "real_time", jreal(t));
	json_object_set_new(e, "cpu_time", jreal(t));
	json_object_set_new(e, "time_unit", json_string(tu));
	if (!factor)
		json_object_set_new(e, counter, jreal(value));
	return e;
}

/* google/benchmark's way of naming a rate: "req/s" is "req_per_s". */
static void counter_name(const char *unit, char *buf, size_t len)
{
	size_t o = 0;

	for (; unit && *unit && o + 6 < len; unit++) {
		if (*unit == '/')
			o += snprintf(buf + o, len - o, "_per_");
		else if (isalnum((unsigned char)*unit))
			buf[o++] = *unit;
		else if (o && buf[o - 1] != '_')
			buf[o++] = '_';
	}
	buf[o] = '\0';
	if (!o)
		snprintf(buf, len, "value");
}

static void gbench_result(json_t *out, const json_t *r, int family,
			  int instance)
{
	static const char *const aggs[] = { "mean", "median", "stddev", "cv" };
	const char *unit = ju_str(r, "unit"), *tu = "ns";
	json_t *samples = json_object_get(r, "samples");
	json_t *stats = json_object_get(r, "stats");
	char name[512], aname[600], counter[128];
	double factor, iters, v;
	size_t i, n = json_array_size(samples);
	json_t *e, *s;

	kerf_result_name(r, name, sizeof(name));
	factor = kerf_unit_ns(unit, &tu);
	counter_name(unit, counter, sizeof(counter));
	if (!ju_result_ok(r)) {
		const char *st = ju_str(r, "status");
		const char *why = ju_str(r, "reason");
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s: %s", st ? st : "error",
			 why ? why : "");
		e = gbench_entry(name, name, family, instance, r, 0, 1, tu,
				 counter);
		json_object_set_new(e, "repetitions", json_integer(1));
		json_object_set_new(e, "error_occurred", json_true());
		json_object_set_new(e, "error_message", json_string(msg));
		json_array_append_new(out, e);
		return;
	}
	if (!n && ju_num(r, "value", &v)) {
		/* a stressor's headline figure: one repetition, no aggregates */
		e = gbench_entry(name, name, family, instance, r, v, factor, tu,
				 counter);
		json_object_set_new(e, "repetitions", json_integer(1));
		json_object_set_new(e, "iterations", json_integer(1));
		json_array_append_new(out, e);
		return;
	}
	if (!ju_num(r, "iterations", &iters) || iters < 1)
		iters = 1;
	json_array_foreach(samples, i, s)
	{
		if (!json_is_number(s))
			continue;
		e = gbench_entry(name, name, family, instance, r,
				 json_number_value(s), factor, tu, counter);
		json_object_set_new(e, "repetitions", json_integer(n));
		json_object_set_new(e, "repetition_index", json_integer(i));
		json_object_set_new(e, "iterations", json_integer(iters));
		json_array_append_new(out, e);
	}
	for (i = 0; i < sizeof(aggs) / sizeof(aggs[0]); i++) {
		if (!ju_num(stats, aggs[i], &v))
			continue;
		snprintf(aname, sizeof(aname), "%s_%s", name, aggs[i]);
		/* cv is a fraction in both kerf and google/benchmark. */
		e = gbench_entry(aname, name, family, instance, r, v,
				 i == 3 && factor ? 1 : factor, tu, counter);
		json_object_set_new(e, "run_type", json_string("aggregate"));
		json_object_set_new(e, "repetitions", json_integer(n));
		json_object_del(e, "repetition_index");
		json_object_set_new(e, "iterations", json_integer(n));
		json_object_set_new(e, "aggregate_name", json_string(aggs[i]));
		json_object_set_new(e, "aggregate_unit",
				    json_string(i == 3 ? "percentage" :
							 "time"));
		json_array_append_new(out, e);
	}
}

static json_t *export_gbench(const json_t *run)
{
	json_t *results = json_object_get(run, "results");
	json_t *doc = json_object(), *benches = json_array();
	json_t *families = json_object(), *r;
	size_t i;

	json_object_set_new(doc, "context", gbench_context(run));
	json_array_foreach(results, i, r)
	{
		const char *bench = ju_str(r, "bench");
		json_t *fam;
		int family, instance;

		if (!bench)
			continue;
		/* family_index per bench name, instances per parameter set */
		fam = json_object_get(families, bench);
		if (!fam) {
			fam = json_pack("[ii]", (int)json_object_size(families),
					0);
			json_object_set_new(families, bench, fam);
		}
		family = json_integer_value(json_array_get(fam, 0));
		instance = json_integer_value(json_array_get(fam, 1));
		json_array_set_new(fam, 1, json_integer(instance + 1));
		gbench_result(benches, r, family, instance);
	}
	json_decref(families);
	json_object_set_new(doc, "benchmarks", benches);
	return doc;
}

/* ---- Bencher Metric Format ---- */

static json_t *bmf_measure(double value, double lo, double hi, bool ci)
{
	json_t *m = json_object();

	json_object_set_new(m, "value", jreal(value));
	if (ci) {
		json_object_set_new(m, "lower_value", jreal(lo));
		json_object_set_new(m, "upper_value", jreal(hi));
	}
	return m;
}

/* The name of a stressor's headline: the figure equal to its "value". */
static bool headline(const json_t *r, char *buf, size_t len)
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
 * {"bench/k:v": {"latency": {value, lower_value, upper_value}}}: the median
 * with its 95% interval. Time units are converted to nanoseconds, Bencher's
 * unit of "latency"; other units are measures named after their unit
 * ("req/s" is "req-s"). Derived metrics are measures of their own.
 */
static json_t *export_bmf(const json_t *run)
{
	json_t *results = json_object_get(run, "results");
	json_t *doc = json_object(), *r;
	size_t i;

	json_array_foreach(results, i, r)
	{
		json_t *stats = json_object_get(r, "stats");
		json_t *ci = json_object_get(stats, "ci95");
		json_t *metrics = json_object_get(r, "metrics"), *mv, *b;
		const char *unit = ju_str(r, "unit"), *mk;
		char name[512], measure[128];
		double med, f, lo = 0, hi = 0;
		bool has_ci;
		int dup = 1;
		size_t l;

		if (!ju_result_ok(r) || (!ju_num(stats, "median", &med) &&
					 !ju_num(r, "value", &med)))
			continue;
		kerf_result_name(r, name, sizeof(name));
		/* room for "#N": each retry is a new name, so this ends */
		l = strnlen(name, sizeof(name) - 16);
		name[l] = '\0';
		while (json_object_get(doc, name))
			snprintf(name + l, sizeof(name) - l, "#%d", ++dup);
		f = kerf_unit_ns(unit, NULL);
		if (!stats && headline(r, measure, sizeof(measure))) {
			f = 1; /* a stressor's figure, named as it is */
		} else if (f) {
			snprintf(measure, sizeof(measure), "latency");
		} else {
			kerf_slug(unit ? unit : "value", measure,
				  sizeof(measure));
			f = 1;
		}
		has_ci = json_array_size(ci) == 2 &&
			 json_is_number(json_array_get(ci, 0)) &&
			 json_is_number(json_array_get(ci, 1));
		if (has_ci) {
			lo = json_number_value(json_array_get(ci, 0));
			hi = json_number_value(json_array_get(ci, 1));
		}
		b = json_object();
		json_object_set_new(b, measure,
				    bmf_measure(med * f, lo * f, hi * f,
						has_ci));
		json_object_foreach(metrics, mk, mv)
		{
			double v;

			kerf_slug(mk, measure, sizeof(measure));
			if (!measure[0] || json_object_get(b, measure) ||
			    !ju_num(mv, "value", &v))
				continue;
			json_object_set_new(b, measure,
					    bmf_measure(v, 0, 0, false));
		}
		json_object_set_new(doc, name, b);
	}
	return doc;
}

/* ---- CSV ---- */

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One row per sample: bench, one column per parameter, unit, proc, value. */
static void export_csv(const json_t *run, FILE *f)
{
	json_t *results = json_object_get(run, "results");
	json_t *seen = json_object(), *r, *v;
	const char **cols;
	const char *k;
	size_t i, j, ncols = 0;

	json_array_foreach(results, i, r)
	{
		json_object_foreach(json_object_get(r, "params"), k, v)
			json_object_set(seen, k, json_null());
	}
	cols = calloc(json_object_size(seen) + 1, sizeof(*cols));
	json_object_foreach(seen, k, v) cols[ncols++] = k;
	qsort(cols, ncols, sizeof(*cols), cmp_cstr);

	fputs("bench", f);
	for (j = 0; j < ncols; j++) {
		fputc(',', f);
		kerf_put_csv(f, cols[j]);
	}
	fputs(",unit,proc,value\n", f);
	json_array_foreach(results, i, r)
	{
		json_t *params = json_object_get(r, "params");
		json_t *samples = json_object_get(r, "samples");
		json_t *procs = json_object_get(r, "sample_procs"), *s;
		json_t *value = json_object_get(r, "value"), *one = NULL;
		const char *unit = ju_str(r, "unit");
		size_t si;

		if (!ju_result_ok(r))
			continue;
		if (!json_array_size(samples) && json_is_number(value)) {
			/* a stressor's headline figure: one row */
			one = json_pack("[O]", value);
			samples = one;
		}
		json_array_foreach(samples, si, s)
		{
			json_t *p = json_array_get(procs, si);
			char num[64];

			if (!json_is_number(s))
				continue;
			kerf_put_csv(f, ju_str(r, "bench") ?
						ju_str(r, "bench") :
						"");
			for (j = 0; j < ncols; j++) {
				json_t *pv = json_object_get(params, cols[j]);

				fputc(',', f);
				if (json_is_string(pv)) {
					kerf_put_csv(f, json_string_value(pv));
				} else if (json_is_number(pv)) {
					kerf_fmt_double(json_number_value(pv),
							num, sizeof(num));
					fputs(num, f);
				}
			}
			fputc(',', f);
			kerf_put_csv(f, unit ? unit : "");
			fputc(',', f);
			if (json_is_integer(p))
				fprintf(f, "%lld",
					(long long)json_integer_value(p));
			kerf_fmt_double(json_number_value(s), num, sizeof(num));
			fprintf(f, ",%s\n", num);
		}
		json_decref(one);
	}
	free(cols);
	json_decref(seen);
}

int kerf_export_write(const json_t *run, const char *format, const char *path,
		      char *err, size_t errlen)
{
	struct kerf_outfile out;
	json_t *doc = NULL;
	bool ok = true;
	int ret;

	if (!format || (strcmp(format, "gbench") && strcmp(format, "bmf") &&
			strcmp(format, "csv"))) {
		snprintf(err, errlen,
			 "unknown export format '%s' (accepted: %s)",
			 format ? format : "", KERF_EXPORT_FORMATS);
		return -EINVAL;
	}
	if (!strcmp(format, "gbench"))
		doc = export_gbench(run);
	else if (!strcmp(format, "bmf"))
		doc = export_bmf(run);
	ret = kerf_out_open(&out, path);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		json_decref(doc);
		return ret;
	}
	if (doc) {
		ok = json_dumpf(doc, out.f,
				JSON_INDENT(2) | JSON_REAL_PRECISION(15) |
					JSON_ENSURE_ASCII) == 0;
		fputc('\n', out.f);
		json_decref(doc);
	} else {
		export_csv(run, out.f);
	}
	ret = kerf_out_close(&out, ok);
	if (!ret && !ok)
		ret = -EIO;
	if (ret)
		snprintf(err, errlen, "%s: %s", path ? path : "stdout",
			 strerror(-ret));
	return ret;
}
