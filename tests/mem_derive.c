/* SPDX-License-Identifier: MIT */
/* kerf_tlb_derive puts the knees of each tlb/chase curve of a run under "derived". */
#include <stdio.h>
#include <string.h>

#include "kerf/memlib.h"

static json_t *result(const char *wss, const char *pages, double median,
		      const char *status)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:{s:f, s:f}}", "bench",
			 "tlb/chase", "params", "wss", wss, "stride", "page",
			 "pages", pages, "status", status, "stats", "median",
			 median, "p5", 0.9 * median);
}

int main(void)
{
	static const char *const w[] = { "16K", "64K", "256K", "1M",
					 "4M",	"16M", "64M",  "256M" };
	/* 4k: knees at 256K and 16M; thp: flat but for one at 64M. */
	static const double l4k[] = { 1, 1, 1, 3, 3, 3, 9, 9 };
	static const double lthp[] = { 1, 1, 1, 1, 1, 1, 1, 4 };
	json_t *run =
		json_pack("{s:s, s:[]}", "schema", "kerf.run/1", "results");
	json_t *res = json_object_get(run, "results"), *d, *c, *k;
	int n, fails = 0;

	/* Out of order, with a skipped one and another bench in between. */
	for (int i = 7; i >= 0; i--) {
		json_array_append_new(res, result(w[i], "4k", l4k[i], "ok"));
		json_array_append_new(res, result(w[i], "thp", lthp[i], "ok"));
	}
	json_array_append_new(res, result("1G", "4k", 1000, "skip"));
	json_array_append_new(res,
			      json_pack("{s:s, s:{}, s:s}", "bench",
					"vdso/time", "params", "status", "ok"));
	n = kerf_tlb_derive(run);
	d = json_object_get(run, "derived");
	c = json_object_get(d, "tlb/chase:knees{pages=4k,stride=page}");
	k = json_object_get(c, "knees");
	if (n != 2 || json_object_size(d) != 2 || json_array_size(k) != 2 ||
	    strcmp(json_string_value(
			   json_object_get(json_array_get(k, 0), "wss")),
		   "256K") ||
	    strcmp(json_string_value(
			   json_object_get(json_array_get(k, 1), "wss")),
		   "16M")) {
		printf("FAIL 4k curve: %d curves\n", n);
		json_dumpf(d, stdout, JSON_INDENT(1));
		fails++;
	}
	if (json_array_size(json_object_get(c, "knees_p5")) != 2) {
		printf("FAIL 4k curve of p5\n");
		fails++;
	}
	c = json_object_get(d, "tlb/chase:knees{pages=thp,stride=page}");
	k = json_object_get(c, "knees");
	if (json_array_size(k) != 1 ||
	    strcmp(json_string_value(
			   json_object_get(json_array_get(k, 0), "wss")),
		   "64M") ||
	    json_array_size(json_object_get(c, "points")) != 8 ||
	    !json_object_get(c, "cpu_tlb") || !json_object_get(c, "caches")) {
		printf("FAIL thp curve\n");
		json_dumpf(c, stdout, JSON_INDENT(1));
		fails++;
	}
	json_decref(run);
	if (fails)
		return 1;
	printf("ok: two curves, knees where they were built\n");
	return 0;
}
