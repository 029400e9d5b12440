/* SPDX-License-Identifier: MIT */
/* Counting events of the calling thread with perf_event_open(2). */
#ifndef KERF_PERF_H
#define KERF_PERF_H

#include <stdbool.h>
#include <stdint.h>

struct kerf_ctx;

/* Generic events only, so the same names mean the same on every CPU. */
enum kerf_pev {
	KERF_PEV_DTLB_LOAD_MISSES, /* hw cache: dTLB read misses */
	KERF_PEV_DTLB_LOADS, /* hw cache: dTLB read accesses */
	KERF_PEV_CYCLES, /* hw: CPU cycles */
	KERF_PEV_PAGE_FAULTS, /* sw: page faults */
	KERF_PEV_MINOR_FAULTS, /* sw */
	KERF_PEV_MAJOR_FAULTS, /* sw */
	KERF_PEV_N,
};

#define KERF_PEV_HW                                                        \
	((1u << KERF_PEV_DTLB_LOAD_MISSES) | (1u << KERF_PEV_DTLB_LOADS) | \
	 (1u << KERF_PEV_CYCLES))
#define KERF_PEV_SW                                                     \
	((1u << KERF_PEV_PAGE_FAULTS) | (1u << KERF_PEV_MINOR_FAULTS) | \
	 (1u << KERF_PEV_MAJOR_FAULTS))

/*
 * Two groups (hardware, software), each opened disabled; start/stop
 * enable and disable both, so the counts add up over the windows between.
 * A zeroed struct is closed.
 */
struct kerf_perf {
	int fd[KERF_PEV_N]; /* 0: not open (fds are stored + 1) */
	int hw_lead, sw_lead; /* index of each group's leader, -1 none */
	bool exclude_kernel; /* perf_event_paranoid forced user only */
	char hw_why[192]; /* why hardware events are missing */
	char sw_why[192];
};

/* Open the events in mask. Returns how many opened (0 is not an error). */
int kerf_perf_open(struct kerf_perf *p, unsigned int mask);
void kerf_perf_start(struct kerf_perf *p);
void kerf_perf_stop(struct kerf_perf *p);
/* Zero the counts. */
void kerf_perf_reset(struct kerf_perf *p);
/* Count of one event so far; false when it is not open or unreadable. */
bool kerf_perf_read(struct kerf_perf *p, enum kerf_pev e, uint64_t *count);
void kerf_perf_close(struct kerf_perf *p);
const char *kerf_pev_name(enum kerf_pev e);

/*
 * Hand the counts to the result: metric "<event>_per_<per>" (ops events
 * counted over ops operations) for each open event, and info "counters"
 * saying which were counted and why others were not.
 */
void kerf_perf_report(struct kerf_ctx *ctx, struct kerf_perf *p, double ops,
		      const char *per);

#endif
