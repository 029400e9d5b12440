/* SPDX-License-Identifier: MIT */
/* Host VM settings a stressor may change when asked: THP knobs, swap files. */
#ifndef KERF_VMKNOBS_H
#define KERF_VMKNOBS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The selected value of /sys/kernel/mm/transparent_hugepage/<knob> ("enabled"
 * or "defrag": the bracketed word). 0 or a negative errno.
 */
int kerf_thp_get(const char *knob, char *val, size_t len);

/* THP settings kerf changed, to put back. */
struct kerf_thp_saved {
	char enabled[32], defrag[32];
	char state[64]; /* the file holding them for --cleanup, "" when none */
};

/*
 * Set enabled and defrag, the old values first saved in old and in
 * /dev/shm/kerf-<pid>-thp (for a kerf that gets SIGKILLed). 0 or a
 * negative errno, with what was changed put back.
 */
int kerf_thp_set(const char *enabled, const char *defrag,
		 struct kerf_thp_saved *old);
/* Put the saved values back, remove the state file. 0 or a negative errno. */
int kerf_thp_restore(struct kerf_thp_saved *old);

/* Bytes of swap active on the host (/proc/swaps), 0 when none. */
uint64_t kerf_swap_total(void);

/*
 * A swap file of size bytes, dir/kerf-<pid>-swap, formatted and turned
 * on (lowest priority). path gets its name. 0 or a negative errno, with
 * nothing left behind.
 */
int kerf_swapfile_add(const char *dir, uint64_t size, char *path, size_t len);
/* swapoff and unlink. 0 or a negative errno. */
int kerf_swapfile_remove(const char *path);

/*
 * The THP values a state file (kerf_thp_saved.state) holds, put back; the
 * file removed. For kerf_cg_cleanup_leftovers. 0 or a negative errno.
 */
int kerf_thp_restore_file(const char *state);

/* Each active swap file's path (/proc/swaps), for the leftover sweep. */
int kerf_swap_each(void (*fn)(const char *path, void *arg), void *arg);

#endif
