/* SPDX-License-Identifier: MIT */
/* The vdso/syscall ratio of each call of the vdso family in a run, and the
 * calls the vDSO did not serve on this host (a ratio near 1). */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kerf/derive.h"
#include "kerf/result.h"

/* The same result with via=syscall, or NULL. */
static const json_t *partner(const json_t *results, const json_t *r)
{
	const char *bench = json_string_value(json_object_get(r, "bench"));
	const json_t *params = json_object_get(r, "params"), *o;
	size_t i;

	json_array_foreach(results, i, o)
	{
		const json_t *op = json_object_get(o, "params");
		const char *k;
		json_t *v;
		bool same = true;

		if (strcmp(json_string_value(json_object_get(o, "bench")),
			   bench) ||
		    strcmp(json_string_value(json_object_get(o, "status")),
			   "ok") ||
		    json_object_size(op) != json_object_size(params))
			continue;
		json_object_foreach((json_t *)params, k, v)
		{
			const char *ov =
				json_string_value(json_object_get(op, k));
			const char *want = !strcmp(k, "via") ?
						   "syscall" :
						   json_string_value(v);

			if (!ov || strcmp(ov, want))
				same = false;
		}
		if (same)
			return o;
	}
	return NULL;
}

static double median(const json_t *r)
{
	return json_number_value(
		json_object_get(json_object_get(r, "stats"), "median"));
}

json_t *kerf_vdso_ratios(json_t *run)
{
	const json_t *results = json_object_get(run, "results"), *r;
	const char *cs = json_string_value(
		json_object_get(json_object_get(run, "env"), "clocksource"));
	json_t *out = json_array();
	size_t i;

	json_array_foreach(results, i, r)
	{
		const char *via = json_string_value(
			json_object_get(json_object_get(r, "params"), "via"));
		const char *bench =
			json_string_value(json_object_get(r, "bench"));
		const char *clock = json_string_value(
			json_object_get(json_object_get(r, "params"), "clock"));
		const json_t *s;
		double ratio;
		json_t *e;
		char note[256] = "";

		if (strncmp(bench, "vdso/", 5) || !via || strcmp(via, "vdso") ||
		    strcmp(json_string_value(json_object_get(r, "status")),
			   "ok"))
			continue;
		s = partner(results, r);
		if (!s || median(r) <= 0)
			continue;
		ratio = median(s) / median(r);
		if (ratio < KERF_VDSO_SERVED_RATIO) {
			if (clock && !strcmp(clock, "process_cputime"))
				snprintf(
					note, sizeof(note),
					"not served by the vDSO: CPU-time clocks always enter the kernel");
			else if (!strcmp(bench, "vdso/getcpu"))
				snprintf(note, sizeof(note),
					 "not served by the vDSO on this host");
			else
				snprintf(
					note, sizeof(note),
					"not served by the vDSO here: the clocksource is %s, which the vDSO may not read",
					cs ? cs : "unknown");
		}
		/* a copy: deleting "via" must not touch the result's params */
		e = json_pack("{s:s, s:o, s:f, s:f, s:f, s:b}", "bench", bench,
			      "params",
			      json_deep_copy(json_object_get(r, "params")),
			      "vdso_ns", median(r), "syscall_ns", median(s),
			      "ratio", ratio, "served",
			      ratio >= KERF_VDSO_SERVED_RATIO);
		json_object_del(json_object_get(e, "params"), "via");
		if (note[0])
			json_object_set_new(e, "note", json_string(note));
		json_array_append_new(out, e);
	}
	return out;
}

void kerf_print_vdso_ratios(const json_t *ratios, FILE *f)
{
	const json_t *e;
	size_t i;

	if (!json_array_size(ratios))
		return;
	fprintf(f,
		"\nvdso/syscall: syscall median over vdso median (under %.1f: the vDSO did not serve the call)\n",
		KERF_VDSO_SERVED_RATIO);
	json_array_foreach(ratios, i, e)
	{
		const char *clock = json_string_value(
			json_object_get(json_object_get(e, "params"), "clock"));
		char name[128];

		snprintf(name, sizeof(name), "%s%s%s",
			 json_string_value(json_object_get(e, "bench")),
			 clock ? " clock=" : "", clock ? clock : "");
		fprintf(f,
			"  %-44s vdso %8.1f ns  syscall %8.1f ns  %6.1fx  %s\n",
			name, json_number_value(json_object_get(e, "vdso_ns")),
			json_number_value(json_object_get(e, "syscall_ns")),
			json_number_value(json_object_get(e, "ratio")),
			json_string_value(json_object_get(e, "note")) ?: "");
	}
}

static int vdso_derive(json_t *run)
{
	json_t *ratios = kerf_vdso_ratios(run);
	int n = (int)json_array_size(ratios);

	if (n)
		json_object_set_new(kerf_run_derived(run), "vdso", ratios);
	else
		json_decref(ratios);
	return n;
}

static void vdso_print(const json_t *run)
{
	kerf_print_vdso_ratios(json_object_get(json_object_get(run, "derived"),
					       "vdso"),
			       stdout);
}

const struct kerf_derive kerf_derive_vdso = {
	.derive = vdso_derive,
	.print = vdso_print,
};
