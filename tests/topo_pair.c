/* SPDX-License-Identifier: MIT */
/* kerf_topo_pair on synthetic hwloc topologies: each placement picks PUs that
 * share (or do not share) what it says, a missing shape is a reason, and near
 * takes the nearest relation each shape has down to one shared PU. */
#include <errno.h>
#include <hwloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kerf/topo.h"
#include "check.h"

static const char *const names[] = {
	"same", "smt", "core", "l3", "numa", "near"
};

/* The ancestor of type t of a PU, found with hwloc directly. */
static hwloc_obj_t up(int pu, hwloc_obj_type_t t)
{
	hwloc_topology_t topo = kerf_topo_get();
	hwloc_obj_t o = hwloc_get_pu_obj_by_os_index(topo, (unsigned int)pu);

	return o ? hwloc_get_ancestor_obj_by_type(topo, t, o) : NULL;
}

static int node(int pu)
{
	hwloc_obj_t o =
		hwloc_get_pu_obj_by_os_index(kerf_topo_get(), (unsigned int)pu);

	return hwloc_bitmap_first(o->nodeset);
}

/* What the placement promises about a and b. */
static bool promise(enum kerf_placement pl, int a, int b)
{
	bool core = up(a, HWLOC_OBJ_CORE) == up(b, HWLOC_OBJ_CORE);
	bool l3 = up(a, HWLOC_OBJ_L3CACHE) == up(b, HWLOC_OBJ_L3CACHE);
	bool numa = node(a) == node(b);

	switch (pl) {
	case KERF_PL_SAME:
		return a == b;
	case KERF_PL_SMT:
		return a != b && core;
	case KERF_PL_CORE:
		return !core && l3;
	case KERF_PL_L3:
		return !l3 && numa;
	case KERF_PL_NUMA:
		return !numa;
	case KERF_PL_NEAR:
		return a != b;
	}
	return false;
}

/*
 * The near placement on one shape: it must succeed, give a pair with the
 * relation rel (checked with hwloc here, not through kerf), start from first,
 * and say in why the word want (what it got or what was missing).
 */
static void near(const char *desc, const int *allowed, int n, int first,
		 enum kerf_placement rel, const char *want)
{
	char why[512] = "";
	int a = -1, b = -1, ret;

	if (kerf_topo_init_synthetic(desc)) {
		CHECK(0, "%s: hwloc refused the synthetic topology", desc);
		return;
	}
	ret = kerf_topo_pair(KERF_PL_NEAR, allowed, n, first, &a, &b, why,
			     sizeof(why));
	CHECK(!ret, "%s near: failed (%d: %s)", desc, ret, why);
	CHECK(a == first, "%s near: a is %d, not first (%d)", desc, a, first);
	CHECK(rel == KERF_PL_SAME ? a == b : a != b && promise(rel, a, b),
	      "%s near: PUs %d and %d are not %s", desc, a, b, names[rel]);
	CHECK(kerf_topo_relation(a, b) == rel,
	      "%s near: relation says %s, want %s", desc,
	      kerf_placement_name(kerf_topo_relation(a, b)), names[rel]);
	CHECK(strstr(why, want), "%s near: reason '%s' does not name '%s'",
	      desc, why, want);
	kerf_topo_fini();
}

/*
 * For each placement: expect[pl] says whether the shape has it. A pair must
 * keep the promise and start from `first`; a missing one gives -ENOENT and a
 * reason naming the missing piece (want[pl], a word of it).
 */
static void shape(const char *desc, const int *allowed, int n, int first,
		  const bool *expect, const char *const *want)
{
	char why[256];
	int a, b, ret;

	if (kerf_topo_init_synthetic(desc)) {
		CHECK(0, "%s: hwloc refused the synthetic topology", desc);
		return;
	}
	for (int pl = KERF_PL_SAME; pl < KERF_PL_NEAR; pl++) {
		a = b = -1;
		why[0] = 0;
		ret = kerf_topo_pair(pl, allowed, n, first, &a, &b, why,
				     sizeof(why));
		if (!expect[pl]) {
			CHECK(ret == -ENOENT, "%s %s: got %d/%d, want a skip",
			      desc, names[pl], a, b);
			CHECK(want[pl] && strstr(why, want[pl]),
			      "%s %s: reason '%s' does not name '%s'", desc,
			      names[pl], why, want[pl] ? want[pl] : "");
			continue;
		}
		CHECK(!ret, "%s %s: no pair (%s)", desc, names[pl], why);
		if (ret)
			continue;
		CHECK(promise(pl, a, b), "%s %s: PUs %d and %d do not fit",
		      desc, names[pl], a, b);
		CHECK(a == first, "%s %s: a is %d, not first (%d)", desc,
		      names[pl], a, first);
	}
	kerf_topo_fini();
}

int main(void)
{
	int all16[16], core0[2] = { 0, 1 }, one_l3[4] = { 0, 1, 2, 3 };
	const bool every[] = { true, true, true, true, true };
	const bool flat[] = { true, false, true, false, false };
	const bool one_core[] = { true, true, false, false, false };
	const bool one_l3_smt[] = { true, true, true, false, false };
	const char *const none[5] = { NULL };
	const char *const flat_why[] = { NULL, "SMT", NULL, "L3", "NUMA" };
	const char *const core_why[] = { NULL, NULL, "cores", "L3", "NUMA" };
	int flat4[4] = { 0, 1, 2, 3 }, even[8];
	const bool per_core_l3[] = { true, false, false, true, false };
	const char *const l3_why[] = { NULL, "SMT", "share an L3", NULL,
				       "NUMA" };
	const bool one_pu[] = { true, false, false, false, false };
	const char *const one_pu_why[] = { NULL, "SMT", "share an L3", "L3",
					   "NUMA" };

	for (int i = 0; i < 16; i++)
		all16[i] = i;
	for (int i = 0; i < 8; i++)
		even[i] = 2 * i;
	/* SMT, two L3 groups per node, two NUMA nodes: every placement. */
	shape("pack:2 numa:1 l3:2 core:2 pu:2", all16, 16, 15, every, none);
	shape("numa:2 l3:2 core:2 pu:2", all16, 16, 5, every, none);
	/* This host's kind of shape: no SMT, one L3, one node. */
	shape("pack:1 l3:1 core:4 pu:1", flat4, 4, 3, flat, flat_why);
	/* Only the two PUs of one core are allowed. */
	shape("pack:2 numa:1 l3:2 core:2 pu:2", core0, 2, 1, one_core,
	      core_why);
	/* Two cores of one L3 allowed: SMT and core, nothing farther. */
	shape("pack:2 numa:1 l3:2 core:2 pu:2", one_l3, 4, 0, one_l3_smt,
	      core_why);
	/* A cloud VM's shape: every core its own L3, one node. */
	shape("pack:1 l3:2 core:1 pu:1", core0, 2, 1, per_core_l3, l3_why);
	/* One PU: only same exists. */
	shape("pack:1 l3:1 core:1 pu:1", core0, 1, 0, one_pu, one_pu_why);

	/* near: the nearest relation each shape has, from first. */
	near("pack:2 numa:1 l3:2 core:2 pu:2", all16, 16, 15, KERF_PL_SMT,
	     "smt");
	near("pack:1 l3:1 core:4 pu:1", flat4, 4, 3, KERF_PL_CORE, "SMT");
	near("pack:1 l3:2 core:1 pu:1", core0, 2, 1, KERF_PL_L3, "share an L3");
	near("numa:2 l3:1 core:1 pu:1", core0, 2, 0, KERF_PL_NUMA, "L3");
	near("pack:1 l3:1 core:1 pu:1", core0, 1, 0, KERF_PL_SAME, "one PU");
	/* Of 16 PUs only one per core allowed: no SMT pair, a core one. */
	near("pack:2 numa:1 l3:2 core:2 pu:2", even, 8, 6, KERF_PL_CORE,
	     "core");
	if (fails)
		return 1;
	printf("ok\n");
	return 0;
}
