/* SPDX-License-Identifier: MIT */
/* Derived figures of tlb/chase sweeps: knees beside the CPU's TLB and caches. */
#include <errno.h>
#include <hwloc.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/derive.h"
#include "kerf/memlib.h"
#include "kerf/parse.h"
#include "kerf/result.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static int cpu_tlb_amd(struct kerf_cpu_tlb *t)
{
	unsigned int a, b, c, d, max;

	max = __get_cpuid_max(0x80000000, NULL);
	if (max < 0x80000006)
		return -ENOENT;
	__cpuid(0x80000005, a, b, c, d);
	t->l1d_2m = (int)((a >> 16) & 0xff);
	t->l1d_4k = (int)((b >> 16) & 0xff);
	__cpuid(0x80000006, a, b, c, d);
	t->l2d_2m = (int)((a >> 16) & 0xfff);
	t->l2d_4k = (int)((b >> 16) & 0xfff);
	if (max >= 0x80000019) {
		__cpuid(0x80000019, a, b, c, d);
		t->l1d_1g = (int)((a >> 16) & 0xfff);
		t->l2d_1g = (int)((b >> 16) & 0xfff);
	}
	t->source = "cpuid 0x80000005/0x80000006/0x80000019";
	return 0;
}

/* The largest entry count seen for each page size a CPUID leaf 0x18 subleaf
 * translates (b: its EBX, bit 0 4K, bit 1 2M, bit 3 1G). */
static void memderive_tlb_level(unsigned int b, int entries, int *e4k, int *e2m,
				int *e1g)
{
	if ((b & 1) && entries > *e4k)
		*e4k = entries;
	if ((b & 2) && entries > *e2m)
		*e2m = entries;
	if ((b & 8) && entries > *e1g)
		*e1g = entries;
}

/* Intel's deterministic address translation leaf. */
static int cpu_tlb_intel(struct kerf_cpu_tlb *t)
{
	unsigned int a, b, c, d, nsub;

	if (__get_cpuid_max(0, NULL) < 0x18)
		return -ENOENT;
	__cpuid_count(0x18, 0, nsub, b, c, d);
	for (unsigned int s = 0; s <= nsub && s < 64; s++) {
		int type, level, entries;

		__cpuid_count(0x18, s, a, b, c, d);
		type = (int)(d & 0x1f);
		level = (int)((d >> 5) & 7);
		/* data, unified, load-only */
		if (type != 1 && type != 3 && type != 4)
			continue;
		entries = (int)((b >> 16) & 0xffff) * (int)c;
		if (level == 1)
			memderive_tlb_level(b, entries, &t->l1d_4k, &t->l1d_2m,
					    &t->l1d_1g);
		else if (level == 2)
			memderive_tlb_level(b, entries, &t->l2d_4k, &t->l2d_2m,
					    &t->l2d_1g);
	}
	t->source = "cpuid 0x18";
	return t->l1d_4k || t->l2d_4k ? 0 : -ENOENT;
}

int kerf_cpu_tlb(struct kerf_cpu_tlb *t)
{
	unsigned int a, b, c, d;
	char vendor[13];

	memset(t, 0, sizeof(*t));
	t->source = "none";
	if (!__get_cpuid(0, &a, &b, &c, &d))
		return -ENOENT;
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		return cpu_tlb_amd(t);
	if (!strcmp(vendor, "GenuineIntel"))
		return cpu_tlb_intel(t);
	return -ENOENT;
}
#else
int kerf_cpu_tlb(struct kerf_cpu_tlb *t)
{
	memset(t, 0, sizeof(*t));
	t->source = "none";
	return -ENOENT;
}
#endif

static void set_size(json_t *o, const char *key, uint64_t v)
{
	char buf[32];

	kerf_fmt_size(v, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

static json_t *cpu_json(void)
{
	struct kerf_cpu_tlb t;
	json_t *o = json_object();
	const struct {
		const char *name;
		int entries;
		uint64_t page;
	} * e, tab[] = {
		{ "l1_dtlb_4k", 0, 4096 },
		{ "l1_dtlb_2m", 0, KERF_SZ_2M },
		{ "l1_dtlb_1g", 0, KERF_SZ_1G },
		{ "l2_dtlb_4k", 0, 4096 },
		{ "l2_dtlb_2m", 0, KERF_SZ_2M },
		{ "l2_dtlb_1g", 0, KERF_SZ_1G },
	};
	int ent[6];

	kerf_cpu_tlb(&t);
	ent[0] = t.l1d_4k;
	ent[1] = t.l1d_2m;
	ent[2] = t.l1d_1g;
	ent[3] = t.l2d_4k;
	ent[4] = t.l2d_2m;
	ent[5] = t.l2d_1g;
	json_object_set_new(o, "source", json_string(t.source));
	for (int i = 0; i < 6; i++) {
		char key[48];

		e = &tab[i];
		if (!ent[i])
			continue;
		snprintf(key, sizeof(key), "%s_entries", e->name);
		json_object_set_new(o, key, json_integer(ent[i]));
		snprintf(key, sizeof(key), "%s_reach", e->name);
		set_size(o, key, (uint64_t)ent[i] * e->page);
	}
	return o;
}

static json_t *caches_json(void)
{
	static const struct {
		const char *name;
		hwloc_obj_type_t type;
	} tab[] = { { "l1d", HWLOC_OBJ_L1CACHE },
		    { "l2", HWLOC_OBJ_L2CACHE },
		    { "l3", HWLOC_OBJ_L3CACHE } };
	hwloc_topology_t topo;
	json_t *o = json_object();

	if (hwloc_topology_init(&topo))
		return o;
	if (hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		return o;
	}
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		hwloc_obj_t c = hwloc_get_obj_by_type(topo, tab[i].type, 0);

		if (c && c->attr && c->attr->cache.size)
			set_size(o, tab[i].name, c->attr->cache.size);
	}
	hwloc_topology_destroy(topo);
	return o;
}

/* "tlb/chase:knees{pages=thp,stride=line}": the result's key without wss. */
static int curve_key(const json_t *res, char *buf, size_t len)
{
	json_t *fake, *params;
	int rc;

	params = json_deep_copy(json_object_get(res, "params"));
	if (!params)
		params = json_object();
	json_object_del(params, "wss");
	fake = json_pack("{s:s, s:o}", "bench", "tlb/chase:knees", "params",
			 params);
	rc = kerf_result_key(fake, buf, len);
	json_decref(fake);
	return rc;
}

struct cpoint {
	double wss, lat;
};

static int cmp_point(const void *a, const void *b)
{
	const struct cpoint *p = a, *q = b;

	return (p->wss > q->wss) - (p->wss < q->wss);
}

static bool curve_member(const json_t *res, const char *key)
{
	const char *bench = json_string_value(json_object_get(res, "bench"));
	const char *st = json_string_value(json_object_get(res, "status"));
	char k2[512];

	return bench && !strcmp(bench, "tlb/chase") && st &&
	       !strcmp(st, "ok") && !curve_key(res, k2, sizeof(k2)) &&
	       !strcmp(k2, key);
}

/*
 * Knees of the curve of statistic stat over every result whose key is key;
 * the points (bytes, latency) go to *points.
 */
static json_t *curve_knees(const json_t *results, const char *key,
			   const char *stat, json_t **points)
{
	size_t i, n = 0, cap = json_array_size(results);
	struct kerf_knee knees[16];
	struct cpoint *pt;
	double *w, *l;
	json_t *arr = NULL, *res;
	int nk;

	*points = NULL;
	pt = calloc(cap ? cap : 1, sizeof(*pt));
	w = calloc(cap ? cap : 1, sizeof(double));
	l = calloc(cap ? cap : 1, sizeof(double));
	if (!pt || !w || !l)
		goto out_free;
	json_array_foreach(results, i, res)
	{
		const char *ws = json_string_value(
			json_object_get(json_object_get(res, "params"), "wss"));
		json_t *v =
			json_object_get(json_object_get(res, "stats"), stat);
		uint64_t bytes;

		if (!curve_member(res, key) || !ws ||
		    kerf_parse_size(ws, &bytes) || !json_is_number(v) ||
		    json_number_value(v) <= 0)
			continue;
		pt[n].wss = (double)bytes;
		pt[n].lat = json_number_value(v);
		n++;
	}
	qsort(pt, n, sizeof(*pt), cmp_point);
	/* One point per size: a repeated size keeps its first value. */
	*points = json_array();
	for (i = 0, cap = 0; i < n; i++) {
		if (cap && pt[i].wss == w[cap - 1])
			continue;
		w[cap] = pt[i].wss;
		l[cap] = pt[i].lat;
		json_array_append_new(*points,
				      json_pack("[f,f]", w[cap], l[cap]));
		cap++;
	}
	nk = kerf_knees(w, l, (int)cap, knees, 16);
	arr = json_array();
	for (int j = 0; j < nk; j++) {
		json_t *kn = json_object();

		set_size(kn, "wss", (uint64_t)knees[j].wss);
		json_object_set_new(kn, "wss_bytes", json_real(knees[j].wss));
		set_size(kn, "end", (uint64_t)knees[j].end);
		json_object_set_new(kn, "ratio", json_real(knees[j].ratio));
		json_array_append_new(arr, kn);
	}
out_free:
	free(pt);
	free(w);
	free(l);
	return arr;
}

/*
 * The knees of the medians (the headline), and of the 5th percentiles: on
 * a loaded host most samples may be stretched by preemption, and the low
 * envelope still shows where the hardware bends.
 */
static json_t *derive_curve(const json_t *results, const char *key)
{
	json_t *pts, *pts5, *k, *k5;

	k = curve_knees(results, key, "median", &pts);
	k5 = curve_knees(results, key, "p5", &pts5);
	if (!k || !k5) {
		json_decref(k);
		json_decref(k5);
		json_decref(pts);
		json_decref(pts5);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s}", "bench", "tlb/chase",
			 "knees", k, "points", pts, "knees_p5", k5, "points_p5",
			 pts5, "method",
			 "runs of rising segments of ln(latency) over "
			 "log2(wss), median-of-3 smoothed; a run rising >= 20% "
			 "is a knee at its start; latency: median (knees) or "
			 "5th percentile (knees_p5)");
}

int kerf_tlb_derive(json_t *run)
{
	json_t *results = json_object_get(run, "results"), *res, *derived;
	json_t *cpu = NULL, *caches = NULL;
	char key[512];
	size_t i;
	int ncurves = 0;

	if (!json_is_array(results))
		return -EINVAL;
	json_array_foreach(results, i, res)
	{
		const char *bench =
			json_string_value(json_object_get(res, "bench"));
		const char *st =
			json_string_value(json_object_get(res, "status"));
		json_t *o;

		if (!bench || strcmp(bench, "tlb/chase") || !st ||
		    strcmp(st, "ok") || curve_key(res, key, sizeof(key)))
			continue;
		derived = kerf_run_derived(run);
		if (json_object_get(derived, key))
			continue;
		o = derive_curve(results, key);
		if (!o)
			return -ENOMEM;
		if (!cpu) {
			cpu = cpu_json();
			caches = caches_json();
		}
		json_object_set(o, "cpu_tlb", cpu);
		json_object_set(o, "caches", caches);
		json_object_set_new(derived, key, o);
		ncurves++;
	}
	json_decref(cpu);
	json_decref(caches);
	return ncurves;
}

const struct kerf_derive kerf_derive_tlb = {
	.derive = kerf_tlb_derive,
};
