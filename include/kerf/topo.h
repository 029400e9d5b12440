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

#endif
