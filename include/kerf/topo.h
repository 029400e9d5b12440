/* SPDX-License-Identifier: MIT */
/* CPU topology through hwloc: pinning, the default PU, PU pairs by placement. */
#ifndef KERF_TOPO_H
#define KERF_TOPO_H

#include <stdbool.h>
#include <stddef.h>

/* Load the topology of this host (once). Returns 0 or a negative errno. */
int kerf_topo_init(void);
/* Load a synthetic topology instead ("package:2 l3:2 core:2 pu:2"). */
int kerf_topo_init_synthetic(const char *desc);
void kerf_topo_fini(void);

/* OS indexes of the PUs this process may run on, ascending. */
int kerf_topo_pus(int *pus, int max);
/* The PU kerf runs single-PU benches on: the last allowed PU, so not PU 0
 * (which takes most interrupts) when another exists. */
int kerf_topo_default_pu(void);
/* Pin the calling thread to one PU (OS index). Returns 0 or -errno. */
int kerf_topo_pin(int pu);
/* Pin the whole process (all threads created afterwards inherit it). */
int kerf_topo_pin_process(int pu);

/* The loaded topology, for code that walks it with hwloc itself. */
struct hwloc_topology;
struct hwloc_topology *kerf_topo_get(void);

/*
 * Two-PU placements for ping-pong and client/server benches:
 *   same  one PU for both (every exchange is a context switch)
 *   smt   two PUs of one core (SMT siblings)
 *   core  two cores that share an L3
 *   l3    two cores in different L3 groups (same NUMA node when possible)
 *   numa  two different NUMA nodes
 *   near  the nearest pair of distinct PUs the machine offers (the first
 *         of smt, core, l3, numa that exists); on one PU, that PU twice
 * The explicit ones skip where the machine lacks them; near never does.
 */
enum kerf_placement {
	KERF_PL_SAME,
	KERF_PL_SMT,
	KERF_PL_CORE,
	KERF_PL_L3,
	KERF_PL_NUMA,
	KERF_PL_NEAR,
};
#define KERF_PLACEMENT_CHOICES "same,smt,core,l3,numa,near"

/* "same", "smt", "core", "l3", "numa", "near". */
const char *kerf_placement_name(enum kerf_placement pl);

/*
 * Pick two PUs (OS indexes) among allowed[0..n) for placement pl, starting
 * from first (which is used as a when it fits). Returns 0, or -ENOENT with
 * what the host lacks in why ("no SMT: every core has one PU"). For near,
 * why says on success which relation the pair has and what the closer ones
 * lacked; for the others it is emptied.
 */
int kerf_topo_pair(enum kerf_placement pl, const int *allowed, int n, int first,
		   int *a, int *b, char *why, size_t whylen);

/* The closest relation two PUs (OS indexes) have: same, smt, core, l3 or
 * numa; what a pair picked by near turned out to be. */
enum kerf_placement kerf_topo_relation(int a, int b);

#endif
