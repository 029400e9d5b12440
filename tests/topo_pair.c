/* SPDX-License-Identifier: MIT */
/* kerf_topo_pair on synthetic hwloc topologies: each placement picks PUs that
 * share (or do not share) what it says, and a missing shape is a reason. */
#include <errno.h>
#include <hwloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kerf/topo.h"
#include "check.h"

static const char *const names[] = { "same", "smt", "core", "l3", "numa" };

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
	}
	return false;
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
	for (int pl = KERF_PL_SAME; pl <= KERF_PL_NUMA; pl++) {
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
	int flat4[4] = { 0, 1, 2, 3 };

	for (int i = 0; i < 16; i++)
		all16[i] = i;
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
	if (fails)
		return 1;
	printf("ok\n");
	return 0;
}
