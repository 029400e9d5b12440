/* SPDX-License-Identifier: MIT */
/* kerf_derive_linear: least-squares fits of medians across a size sweep,
 * checked against lines and a fit worked out by hand. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "kerf/derive.h"
#include "check.h"

static void add(json_t *results, const char *bench, const char *status,
		const char *rss, const char *pages, double median)
{
	json_array_append_new(results,
			      json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:f}}",
					"bench", bench, "status", status,
					"params", "rss", rss, "pages", pages,
					"stats", "median", median));
}

static void near(json_t *fit, const char *key, double want)
{
	double got = json_number_value(json_object_get(fit, key));

	CHECK(fabs(got - want) <= 1e-9 * (fabs(want) + 1),
	      "%s = %.12g, want %.12g", key, got, want);
}

int main(void)
{
	json_t *run = json_pack("{s:[]}", "results");
	json_t *res = json_object_get(run, "results"), *d, *f;
	int n;

	/* pages=4k: exactly 100 + 1000 per GiB. */
	add(res, "spawn/fork", "ok", "0", "4k", 100);
	add(res, "spawn/fork", "ok", "1G", "4k", 1100);
	add(res, "spawn/fork", "ok", "2G", "4k", 2100);
	add(res, "spawn/fork", "ok", "512M", "4k", 600);
	/* Not part of any fit: an error, another bench, a lone point. */
	add(res, "spawn/fork", "error", "4G", "4k", 1e12);
	add(res, "spawn/vfork", "ok", "4G", "4k", 1e12);
	add(res, "spawn/fork", "skip", "8G", "thp", 5);
	add(res, "spawn/fork", "ok", "8G", "other", 5);
	/* pages=thp: (0,1) (1,3) (2,2) in GiB. By hand: slope 0.5,
	 * intercept 1.5, SST 2, SSR 1.5, r2 0.25. */
	add(res, "spawn/fork", "ok", "0", "thp", 1);
	add(res, "spawn/fork", "ok", "1G", "thp", 3);
	add(res, "spawn/fork", "ok", "2G", "thp", 2);

	n = kerf_derive_linear(run, "spawn/fork", "rss", "slope", 1 << 30,
			       "ns/op per GiB");
	CHECK(n == 2, "%d fits, want 2", n);
	d = json_object_get(run, "derived");
	CHECK(json_object_size(d) == 2, "derived has %zu keys",
	      json_object_size(d));
	f = json_object_get(d, "spawn/fork:rss{pages=4k}");
	CHECK(f, "no fit for pages=4k");
	if (f) {
		near(f, "slope", 1000);
		near(f, "intercept", 100);
		near(f, "r2", 1);
		CHECK(json_integer_value(json_object_get(f, "n")) == 4,
		      "n is not 4");
	}
	f = json_object_get(d, "spawn/fork:rss{pages=thp}");
	CHECK(f, "no fit for pages=thp");
	if (f) {
		near(f, "slope", 0.5);
		near(f, "intercept", 1.5);
		near(f, "r2", 0.25);
	}
	CHECK(json_string_value(json_object_get(
		      json_object_get(json_array_get(res, 0), "params"),
		      "rss")),
	      "the fit changed the results' params");
	CHECK(kerf_derive_linear(run, "spawn/nothing", "rss", "x", 1, "u") == 0,
	      "fits for a bench with no results");
	CHECK(kerf_derive_linear(run, "spawn/fork", "rss", "x", 0, "u") < 0,
	      "scale 0 accepted");
	json_decref(run);
	if (fails)
		return 1;
	printf("ok\n");
	return 0;
}
