/* SPDX-License-Identifier: MIT */
/* The environment fingerprint: what decides whether two runs compare. */
#ifndef KERF_ENV_H
#define KERF_ENV_H

#include <jansson.h>
#include <stdint.h>

/*
 * Capture the fingerprint of this host now (see DESIGN.md; the keys are in
 * results/README.md, "## env"). What cannot be read is left out, and the
 * paths refused for lack of permission are listed under "unreadable".
 * Returns NULL only when out of memory.
 */
json_t *kerf_env_capture(void);
/* The warnings that follow from a fingerprint: an array of strings. */
json_t *kerf_env_warnings(const json_t *env);
/* The 1-minute load average above which a host of npus PUs is busy. */
double kerf_env_busy_load(int npus);

/*
 * The aggregate "cpu" line of /proc/stat, in clock ticks: steal, and the
 * total of user, nice, system, idle, iowait, irq, softirq and steal (guest
 * time is already inside user and nice). Returns 0 or a negative errno.
 */
int kerf_env_cpu_times(int pu, uint64_t *steal_ticks, uint64_t *total_ticks);

/*
 * Scan kernel log text (/dev/kmsg records "6,1,0,-;msg" or dmesg lines
 * "[ 0.0] msg") for "Hypervisor detected: NAME" and "DMI: ..." and copy
 * what follows into hv and dmi where they are still empty.
 */
void kerf_env_kernel_log_scan(const char *text, char *hv, size_t hvlen,
			      char *dmi, size_t dmilen);

#endif
