/* SPDX-License-Identifier: MIT */
/* The Google Benchmark JSON export, read by compare.py and its kin. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/result.h"
#include "kerf/stats.h"
#include "report/export.h"
#include "report/util.h"

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

static void gbench_set_str(json_t *o, const char *key, const char *s)
{
	json_object_set_new(o, key, json_string(s ? s : ""));
}

/*
 * google/benchmark's context from the run: nothing about the host that
 * exports it. Fields kerf does not record are 0 (mhz_per_cpu).
 */
static json_t *gbench_context(const json_t *run)
{
	json_t *env = json_object_get(run, "env");
	json_t *tool = json_object_get(run, "tool");
	json_t *ctx = json_object(), *la = json_array(), *j;
	const char *gov = ju_str(env, "governor");
	const char *cflags = ju_str(json_object_get(env, "build"), "cflags");
	double v;

	gbench_set_str(ctx, "date", ju_str(run, "started"));
	gbench_set_str(ctx, "host_name", ju_str(env, "host"));
	j = json_array_get(json_object_get(run, "command"), 0);
	gbench_set_str(ctx, "executable",
		       json_is_string(j) ? json_string_value(j) : "kerf");
	if (!ju_num(json_object_get(env, "topology"), "pus", &v))
		v = 0;
	json_object_set_new(ctx, "num_cpus", json_integer((json_int_t)v));
	json_object_set_new(ctx, "mhz_per_cpu", json_integer(0));
	/* google/benchmark: scaling is "enabled" unless the governor pins it */
	json_object_set_new(ctx, "cpu_scaling_enabled",
			    json_boolean(gov && strcmp(gov, "performance") &&
					 strcmp(gov, "none")));
	json_object_set_new(ctx, "caches", gbench_caches(env));
	j = json_object_get(env, "loadavg");
	if (ju_num(j, "load1", &v) &&
	    (json_array_append_new(la, export_real(v)),
	     ju_num(j, "load5", &v)) &&
	    (json_array_append_new(la, export_real(v)),
	     ju_num(j, "load15", &v)))
		json_array_append_new(la, export_real(v));
	json_object_set_new(ctx, "load_avg", la);
	gbench_set_str(ctx, "library_build_type",
		       cflags && strstr(cflags, "-O0") ? "debug" : "release");
	gbench_set_str(ctx, "kerf.version", ju_str(tool, "version"));
	gbench_set_str(ctx, "kerf.git", ju_str(tool, "git"));
	gbench_set_str(ctx, "kerf.profile",
		       ju_str(json_object_get(run, "config"), "profile"));
	gbench_set_str(ctx, "kerf.schema", ju_str(run, "schema"));
	/* the env as "env.a.b" string keys */
	if (json_is_object(env))
		ju_flatten(ctx, "env", env, false, "");
	return ctx;
}

/* How one result's figures become times: its name, time unit, factor. */
struct gbench_conv {
	char name[600];
	const char *tu; /* google/benchmark's time_unit */
	double factor; /* time = value * factor (times) */
	bool rate; /* time = 1e9 / value ns (rates "X/s") */
	char counter[64]; /* the rate's own counter name: "req_per_s" */
};

/* google/benchmark's way of naming a rate: "req/s" is "req_per_s". */
static void gbench_counter_name(const char *unit, char *buf, size_t len)
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
}

/*
 * Times keep their unit ("us/op": time_unit "us"); a rate "X/s" becomes
 * nanoseconds per X, and its name says so ("/time_per_X"). False for a
 * unit that is neither (a stressor's B, fds, processes).
 */
static bool gbench_conv(const json_t *r, struct gbench_conv *c)
{
	const char *unit = ju_str(r, "unit");
	char per[64];
	size_t o;

	memset(c, 0, sizeof(*c));
	kerf_result_name(r, c->name, sizeof(c->name) - 80);
	c->factor = kerf_unit_ns(unit, &c->tu);
	if (c->factor) {
		c->factor = 1;
		return true;
	}
	if (!export_rate_unit(unit, per, sizeof(per)))
		return false;
	c->rate = true;
	c->tu = "ns";
	gbench_counter_name(unit, c->counter, sizeof(c->counter));
	o = strlen(c->name);
	snprintf(c->name + o, sizeof(c->name) - o, "/time_per_");
	gbench_counter_name(per, c->name + strlen(c->name),
			    sizeof(c->name) - strlen(c->name));
	return true;
}

static double gbench_time(const struct gbench_conv *c, double v)
{
	return c->rate ? (v > 0 ? 1e9 / v : 0) : v * c->factor;
}

static json_t *gbench_entry(const struct gbench_conv *c, int family,
			    int instance, double t)
{
	return json_pack("{s:s, s:i, s:i, s:s, s:s, s:i, s:i, s:i, s:i, s:o, "
			 "s:o, s:s}",
			 "name", c->name, "family_index", family,
			 "per_family_instance_index", instance, "run_name",
			 c->name, "run_type", "iteration", "repetitions", 1,
			 "repetition_index", 0, "threads", 1, "iterations", 1,
			 "real_time", export_real(t), "cpu_time",
			 export_real(t), "time_unit", c->tu);
}

/*
 * A skipped or failed result, as google/benchmark writes one (skipped and
 * skip_message, or error_occurred and error_message) but without times and
 * as run_type "aggregate": compare.py then leaves it out of its table and
 * out of OVERALL_GEOMEAN, which one zero time would erase.
 */
static json_t *gbench_skip(const json_t *r, const char *name, int family,
			   int instance)
{
	const char *st = ju_str(r, "status"), *why = ju_str(r, "reason");
	bool skip = st && !strcmp(st, "skip");
	char msg[1024];

	/* a skip's message is its reason; a failure's says which it is */
	snprintf(msg, sizeof(msg), "%s%s%s",
		 skip ? "" :
		 st   ? st :
			"error",
		 skip ? "" : ": ", why ? why : "");
	return json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:i, s:i, s:b, s:s}",
			 "name", name, "family_index", family,
			 "per_family_instance_index", instance, "run_name",
			 name, "run_type", "aggregate", "aggregate_name",
			 skip ? "skipped" : "error", "repetitions", 0,
			 "threads", 1, skip ? "skipped" : "error_occurred", 1,
			 skip ? "skip_message" : "error_message", msg);
}

/* mean, median, stddev, cv of the exported times, as aggregates. */
static void gbench_aggregates(json_t *out, const struct gbench_conv *c,
			      int family, int instance, const double *t,
			      size_t n)
{
	static const char *const aggs[] = { "mean", "median", "stddev", "cv" };
	double v[4], ss = 0;
	char aname[700];
	size_t i;

	v[0] = 0;
	for (i = 0; i < n; i++)
		v[0] += t[i] / n;
	for (i = 0; i < n; i++)
		ss += (t[i] - v[0]) * (t[i] - v[0]);
	v[1] = kerf_median(t, n);
	v[2] = n > 1 ? sqrt(ss / (n - 1)) : 0;
	v[3] = v[0] ? v[2] / v[0] : 0;
	for (i = 0; i < 4; i++) {
		json_t *e = gbench_entry(c, family, instance, v[i]);

		snprintf(aname, sizeof(aname), "%s_%s", c->name, aggs[i]);
		json_object_set_new(e, "name", json_string(aname));
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

/* A result's entries: one per sample (a repetition), then the aggregates. */
static void gbench_result(json_t *out, const json_t *r, int family,
			  int instance)
{
	json_t *samples = json_object_get(r, "samples"), *s, *e;
	size_t i, n = 0, ns = json_array_size(samples);
	struct gbench_conv c;
	bool timed = gbench_conv(r, &c);
	double iters, v, *t;

	if (!ju_result_ok(r)) {
		json_array_append_new(out,
				      gbench_skip(r, c.name, family, instance));
		return;
	}
	if (!timed)
		return; /* neither a time nor a rate: not a gbench entry */
	if (!ns && ju_num(r, "value", &v)) {
		/* a stressor's headline figure: one repetition */
		e = gbench_entry(&c, family, instance, gbench_time(&c, v));
		if (c.rate)
			json_object_set_new(e, c.counter, export_real(v));
		json_array_append_new(out, e);
		return;
	}
	if (!ju_num(r, "iterations", &iters) || iters < 1)
		iters = 1;
	t = calloc(ns + 1, sizeof(*t));
	json_array_foreach(samples, i, s)
	{
		if (!json_is_number(s))
			continue;
		v = json_number_value(s);
		t[n] = gbench_time(&c, v);
		e = gbench_entry(&c, family, instance, t[n]);
		json_object_set_new(e, "repetitions", json_integer(ns));
		json_object_set_new(e, "repetition_index", json_integer(n++));
		json_object_set_new(e, "iterations", json_integer(iters));
		if (c.rate)
			json_object_set_new(e, c.counter, export_real(v));
		json_array_append_new(out, e);
	}
	if (n)
		gbench_aggregates(out, &c, family, instance, t, n);
	free(t);
}

json_t *export_gbench(const json_t *run)
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
