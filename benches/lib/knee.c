/* SPDX-License-Identifier: MIT */
/* The knee of an open-loop rate sweep: the highest rate that meets a latency target. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/knee.h"
#include "kerf/parse.h"
#include "kerf/result.h"

int kerf_slo_parse(const char *s, double *q, uint64_t *bound_ns, char *why,
		   size_t whylen)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	char pct[32];
	double p;

	if (!s || s[0] != 'p' || !colon ||
	    (size_t)(colon - s - 1) >= sizeof(pct))
		goto bad;
	memcpy(pct, s + 1, (size_t)(colon - s - 1));
	pct[colon - s - 1] = 0;
	if (kerf_parse_double(pct, &p) || !(p > 0 && p < 100) ||
	    kerf_parse_time(colon + 1, bound_ns) || !*bound_ns)
		goto bad;
	*q = p / 100;
	return 0;
bad:
	snprintf(
		why, whylen,
		"slo=%s: expected pQ:TIME with 0 < Q < 100 and TIME a duration above 0 (500us, 1ms, 2s), such as p99:1ms or p99.9:500us",
		s ? s : "(null)");
	return -EINVAL;
}

static double knee_metric(json_t *r, const char *name)
{
	json_t *v = json_object_get(
		json_object_get(json_object_get(r, "metrics"), name), "value");

	return json_is_number(v) ? json_number_value(v) : -1;
}

int kerf_knee_key(const json_t *r, char *buf, size_t len)
{
	json_t *params = json_deep_copy(json_object_get(r, "params"));
	json_t *tmp = json_pack("{s:O, s:o}", "bench",
				json_object_get(r, "bench"), "params", params);
	int err;

	json_object_del(params, "rate");
	memcpy(buf, "knee:", 5);
	err = tmp ? kerf_result_key(tmp, buf + 5, len - 5) : -ENOMEM;
	json_decref(tmp);
	return err;
}

/*
 * One point of a group: [rate, latency at the target, met, client-bound].
 * A rate the client did not get out (rate_sent under 97% of it) is not
 * met whatever the latency: the server never saw that load.
 */
static void knee_add(json_t *groups, json_t *r, double bound)
{
	json_t *params = json_object_get(r, "params"), *g;
	const char *rate = json_string_value(json_object_get(params, "rate"));
	const char *bn = json_string_value(
		json_object_get(json_object_get(r, "info"), "bottleneck"));
	double lat = knee_metric(r, "latency_slo");
	double sent = knee_metric(r, "rate_sent");
	char key[1024];
	int64_t x;

	if (!rate || kerf_parse_int(rate, &x) || lat < 0)
		return;
	if (kerf_knee_key(r, key, sizeof(key)))
		return;
	g = json_object_get(groups, key);
	if (!g) {
		g = json_pack("{s:O, s:O, s:O, s:f, s:[]}", "bench",
			      json_object_get(r, "bench"), "slo",
			      json_object_get(params, "slo"), "server_pu",
			      json_object_get(json_object_get(r, "info"),
					      "server_pu"),
			      "bound_ns", bound, "points");
		json_object_set_new(groups, key, g);
	}
	json_array_append_new(
		json_object_get(g, "points"),
		json_pack("[I, f, b, b]", (json_int_t)x, lat,
			  lat <= bound &&
				  (sent < 0 || sent >= 0.97 * (double)x),
			  bn && !strcmp(bn, "client")));
}

static int knee_cmp(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_array_get(*(json_t **)a, 0));
	json_int_t y = json_integer_value(json_array_get(*(json_t **)b, 0));

	return x < y ? -1 : x > y;
}

/* The notes of a group: where the knee is when the sweep does not bracket
 * it, who set the bracket's top, and rates that failed below the knee. */
static void knee_notes(json_t *g, json_int_t knee, json_int_t above,
		       bool client, json_t *below)
{
	const char *note = NULL;

	if (above < 0)
		note = "the target held at every rate swept: the knee is above";
	else if (knee < 0)
		note = "the target failed at every rate swept: the knee is below";
	if (client)
		note = "the first failing rate above the knee was client-bound: the bracket's top is the client's limit, not the server's";
	if (json_array_size(below) && !client)
		note = "the target failed at a lower rate too (failed_below): idle wake-ups at low rates, or noise; the knee is the top of the rates that held";
	if (note)
		json_object_set_new(g, "note", json_string(note));
	if (json_array_size(below)) {
		json_object_set_new(g, "nonmonotone", json_true());
		json_object_set(g, "failed_below", below);
	}
}

/*
 * Sort a group's points by rate, then find its knee: the highest rate that
 * met the target with every rate above it failing (the top of the region
 * that held; a latency that misses only at low rates, where idle CPUs wake
 * late, does not hide a knee above it), and the lowest failing rate above.
 */
static void knee_group(json_t *g)
{
	json_t *pts = json_object_get(g, "points"), *v[256], *sorted, *below;
	json_int_t knee = -1, above = -1;
	size_t n = json_array_size(pts), i, top = 0;
	bool client = false, any = false;

	if (n > 256)
		n = 256;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(pts, i);
	qsort(v, n, sizeof(v[0]), knee_cmp);
	sorted = json_array();
	below = json_array();
	for (i = 0; i < n; i++) {
		json_array_append(sorted, v[i]);
		if (json_is_true(json_array_get(v[i], 2))) {
			top = i;
			any = true;
		}
	}
	if (any)
		knee = json_integer_value(json_array_get(v[top], 0));
	for (i = any ? top + 1 : 0; i < n && above < 0; i++) {
		above = json_integer_value(json_array_get(v[i], 0));
		client = json_is_true(json_array_get(v[i], 3));
	}
	for (i = 0; any && i < top; i++)
		if (!json_is_true(json_array_get(v[i], 2)))
			json_array_append(below, json_array_get(v[i], 0));
	json_object_set_new(g, "points", sorted);
	json_object_set_new(g, "knee",
			    knee >= 0 ? json_integer(knee) : json_null());
	json_object_set_new(g, "above",
			    above >= 0 ? json_integer(above) : json_null());
	json_object_set_new(g, "unit", json_string("req/s"));
	knee_notes(g, knee, above, client, below);
	json_decref(below);
}

static int knee_derive(json_t *run)
{
	json_t *results = json_object_get(run, "results"), *groups, *r, *g;
	json_t *derived;
	const char *k;
	int stored = 0;
	size_t i;

	groups = json_object();
	json_array_foreach(results, i, r)
	{
		const char *slo = json_string_value(
			json_object_get(json_object_get(r, "params"), "slo"));
		const char *st =
			json_string_value(json_object_get(r, "status"));
		uint64_t bound;
		double q;
		char why[256];

		if (!slo || !strcmp(slo, "none") || !st || strcmp(st, "ok") ||
		    kerf_slo_parse(slo, &q, &bound, why, sizeof(why)))
			continue;
		knee_add(groups, r, (double)bound);
	}
	derived = kerf_run_derived(run);
	json_object_foreach(groups, k, g)
	{
		knee_group(g);
		json_object_set(derived, k, g);
		stored++;
	}
	json_decref(groups);
	return stored;
}

/* A string from run.json on the terminal: printable ASCII only. */
static void knee_put(const char *s)
{
	for (; s && *s; s++)
		putchar(*s >= 0x20 && *s < 0x7f ? *s : '?');
}

static void knee_print(const json_t *run)
{
	json_t *d = json_object_get(run, "derived"), *g;
	const char *k;

	json_object_foreach(d, k, g)
	{
		json_t *knee = json_object_get(g, "knee");
		json_t *above = json_object_get(g, "above");

		if (strncmp(k, "knee:", 5))
			continue;
		knee_put(k + 5);
		printf(": ");
		if (json_is_integer(knee))
			printf("knee %lld req/s",
			       (long long)json_integer_value(knee));
		else
			printf("knee below the lowest rate");
		if (json_is_integer(above))
			printf(", fails at %lld",
			       (long long)json_integer_value(above));
		else
			printf(", held at every rate");
		printf(", server PU ");
		knee_put(json_string_value(json_object_get(g, "server_pu")));
		putchar('\n');
	}
}

const struct kerf_derive kerf_derive_knee = {
	.derive = knee_derive,
	.print = knee_print,
};
