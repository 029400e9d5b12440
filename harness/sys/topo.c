/* SPDX-License-Identifier: MIT */
/* CPU topology through hwloc: which PUs, pinning, PU pairs by placement. */
#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/topo.h"

static hwloc_topology_t topo;
static bool synthetic;

/*
 * kerf needs PUs, caches and NUMA nodes only, which hwloc's built-in
 * components find. Its I/O, GL and libxml plugins would map libxml2, ICU,
 * X11 and libpciaccess into every worker: about a hundred mappings more
 * that every fork() then copies (twice the cost of forking an empty
 * parent). A user's own setting wins.
 */
#define KERF_HWLOC_NO_PLUGINS "hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml"

static int topo_load(const char *synth)
{
	if (topo)
		return 0;
	setenv("HWLOC_PLUGINS_BLACKLIST", KERF_HWLOC_NO_PLUGINS, 0);
	if (hwloc_topology_init(&topo))
		return -errno ? -errno : -ENOMEM;
	if (synth && hwloc_topology_set_synthetic(topo, synth)) {
		hwloc_topology_destroy(topo);
		topo = NULL;
		return -EINVAL;
	}
	if (hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		topo = NULL;
		return -EIO;
	}
	synthetic = synth != NULL;
	return 0;
}

int kerf_topo_init(void)
{
	return topo_load(NULL);
}

int kerf_topo_init_synthetic(const char *desc)
{
	kerf_topo_fini();
	return topo_load(desc);
}

void kerf_topo_fini(void)
{
	if (topo)
		hwloc_topology_destroy(topo);
	topo = NULL;
	synthetic = false;
}

struct hwloc_topology *kerf_topo_get(void)
{
	return topo;
}

int kerf_topo_pus(int *pus, int max)
{
	hwloc_bitmap_t set;
	unsigned int i;
	int n = 0;

	if (!topo && kerf_topo_init())
		return -EIO;
	set = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
	if (!synthetic) {
		hwloc_bitmap_t bound = hwloc_bitmap_alloc();

		/* Honour taskset/cgroup cpusets: only where we may run. */
		if (!hwloc_get_cpubind(topo, bound, HWLOC_CPUBIND_PROCESS))
			hwloc_bitmap_and(set, set, bound);
		hwloc_bitmap_free(bound);
	}
	hwloc_bitmap_foreach_begin(i, set)
	{
		if (n < max)
			pus[n] = (int)i;
		n++;
	}
	hwloc_bitmap_foreach_end();
	hwloc_bitmap_free(set);
	return n;
}

int kerf_topo_default_pu(void)
{
	int pus[4096];
	int n = kerf_topo_pus(pus, 4096);

	if (n <= 0)
		return 0;
	return pus[(n > 4096 ? 4096 : n) - 1];
}

static int pin(int pu, int flags)
{
	hwloc_bitmap_t set;
	int err = 0;

	if (!topo && kerf_topo_init())
		return -EIO;
	set = hwloc_bitmap_alloc();
	hwloc_bitmap_only(set, (unsigned int)pu);
	if (hwloc_set_cpubind(topo, set, flags | HWLOC_CPUBIND_STRICT) &&
	    hwloc_set_cpubind(topo, set, flags))
		err = -errno ? -errno : -EINVAL;
	hwloc_bitmap_free(set);
	return err;
}

int kerf_topo_pin(int pu)
{
	return pin(pu, HWLOC_CPUBIND_THREAD);
}

int kerf_topo_pin_process(int pu)
{
	return pin(pu, HWLOC_CPUBIND_PROCESS);
}

/* The object of type t above PU os index pu, or NULL. */
static hwloc_obj_t above(int pu, hwloc_obj_type_t t)
{
	hwloc_obj_t o = hwloc_get_pu_obj_by_os_index(topo, (unsigned int)pu);

	return o ? hwloc_get_ancestor_obj_by_type(topo, t, o) : NULL;
}

static int numa_of(int pu)
{
	hwloc_obj_t o = hwloc_get_pu_obj_by_os_index(topo, (unsigned int)pu);

	return o && o->nodeset ? hwloc_bitmap_first(o->nodeset) : -1;
}

/* The L3 group of a PU; with no L3 in the topology, the package. */
static hwloc_obj_t l3_of(int pu)
{
	hwloc_obj_t o = above(pu, HWLOC_OBJ_L3CACHE);

	return o ? o : above(pu, HWLOC_OBJ_PACKAGE);
}

static bool pair_fits(enum kerf_placement pl, int a, int b)
{
	hwloc_obj_t ca = above(a, HWLOC_OBJ_CORE),
		    cb = above(b, HWLOC_OBJ_CORE);

	switch (pl) {
	case KERF_PL_SAME:
		return a == b;
	case KERF_PL_SMT:
		return a != b && ca && ca == cb;
	case KERF_PL_CORE:
		return ca != cb && l3_of(a) == l3_of(b);
	case KERF_PL_L3:
		return l3_of(a) != l3_of(b) && numa_of(a) == numa_of(b);
	case KERF_PL_NUMA:
		return numa_of(a) != numa_of(b);
	case KERF_PL_NEAR:
		return a != b;
	}
	return false;
}

static const char *const lacks[] = {
	[KERF_PL_SAME] = "no PU available",
	[KERF_PL_SMT] = "no SMT: no core here has two PUs that kerf may use",
	[KERF_PL_CORE] =
		"no two cores that share an L3 among the PUs kerf may use",
	[KERF_PL_L3] =
		"one L3 group only (or none within one NUMA node) among the PUs kerf may use",
	[KERF_PL_NUMA] = "one NUMA node only among the PUs kerf may use",
	[KERF_PL_NEAR] = "one PU only among the PUs kerf may use",
};

static const char *const pl_names[] = {
	[KERF_PL_SAME] = "same", [KERF_PL_SMT] = "smt",
	[KERF_PL_CORE] = "core", [KERF_PL_L3] = "l3",
	[KERF_PL_NUMA] = "numa", [KERF_PL_NEAR] = "near",
};

const char *kerf_placement_name(enum kerf_placement pl)
{
	return pl <= KERF_PL_NEAR ? pl_names[pl] : "?";
}

enum kerf_placement kerf_topo_relation(int a, int b)
{
	if (a == b)
		return KERF_PL_SAME;
	for (int pl = KERF_PL_SMT; pl < KERF_PL_NUMA; pl++)
		if (pair_fits(pl, a, b))
			return pl;
	/* Different L3 groups in different nodes, or the same L3 over two
	 * nodes (hwloc allows either): the nodes are what differs most. */
	return numa_of(a) != numa_of(b) ? KERF_PL_NUMA : KERF_PL_L3;
}

/* The nearest pair of distinct PUs, a == first when that costs nothing. */
static int topo_nearest(const int *allowed, int n, int first, int *a, int *b)
{
	int best = -1;

	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			int score;

			if (i == j)
				continue;
			score = 2 * (int)kerf_topo_relation(allowed[i],
							    allowed[j]) +
				(allowed[i] != first);
			if (best >= 0 && score >= best)
				continue;
			best = score;
			*a = allowed[i];
			*b = allowed[j];
			if (score == 2 * KERF_PL_SMT)
				return 0;
		}
	}
	return best < 0 ? -ENOENT : 0;
}

/* The near placement; why says what it got and what closer ones lacked. */
static int topo_near(const int *allowed, int n, int first, int *a, int *b,
		     char *why, size_t whylen)
{
	enum kerf_placement got;
	size_t len;

	if (n < 1) {
		snprintf(why, whylen, "%s", lacks[KERF_PL_SAME]);
		return -ENOENT;
	}
	if (topo_nearest(allowed, n, first, a, b)) {
		*a = *b = allowed[0];
		for (int i = 0; i < n; i++)
			if (allowed[i] == first)
				*a = *b = first;
		snprintf(why, whylen, "%s: both ends share PU %d",
			 lacks[KERF_PL_NEAR], *a);
		return 0;
	}
	got = kerf_topo_relation(*a, *b);
	len = (size_t)snprintf(why, whylen, "nearest distinct PUs: %s",
			       pl_names[got]);
	/* Say what the closer relations lacked. */
	for (int pl = KERF_PL_SMT; pl < (int)got && len < whylen; pl++)
		len += (size_t)snprintf(why + len, whylen - len, "; %s",
					lacks[pl]);
	return 0;
}

int kerf_topo_pair(enum kerf_placement pl, const int *allowed, int n, int first,
		   int *a, int *b, char *why, size_t whylen)
{
	bool have_first = false;
	int pass;

	if (!topo && kerf_topo_init())
		return -EIO;
	if (pl == KERF_PL_NEAR)
		return topo_near(allowed, n, first, a, b, why, whylen);
	for (int i = 0; i < n; i++)
		have_first |= allowed[i] == first;
	/* First pass: pairs that include `first`; then any pair. */
	for (pass = have_first ? 0 : 1; pass < 2; pass++) {
		for (int i = 0; i < n; i++) {
			if (pass == 0 && allowed[i] != first)
				continue;
			for (int j = 0; j < n; j++) {
				if (pl != KERF_PL_SAME && i == j)
					continue;
				if (pl == KERF_PL_SAME && i != j)
					continue;
				if (!pair_fits(pl, allowed[i], allowed[j]))
					continue;
				*a = allowed[i];
				*b = allowed[j];
				why[0] = 0;
				return 0;
			}
		}
	}
	/* The L3 case can still be met across NUMA nodes. */
	if (pl == KERF_PL_L3) {
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++)
				if (l3_of(allowed[i]) != l3_of(allowed[j])) {
					*a = allowed[i];
					*b = allowed[j];
					why[0] = 0;
					return 0;
				}
	}
	snprintf(why, whylen, "%s", lacks[pl]);
	return -ENOENT;
}
