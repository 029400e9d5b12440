/* SPDX-License-Identifier: MIT */
/*
 * The stressor registry: one KERF_STRESSOR(symbol) line per stressor, the
 * descriptor's variable name in its stressors/<family>.c file. Order here is
 * the order of `kerf stress --list`.
 */

/* memory */
KERF_STRESSOR(memory_anon)
KERF_STRESSOR(memory_pagecache)
KERF_STRESSOR(memory_shmem)
KERF_STRESSOR(memory_high)
KERF_STRESSOR(memory_victim)
KERF_STRESSOR(memory_swap)
KERF_STRESSOR(memory_thp_compaction)

/* pids */
KERF_STRESSOR(pids_fork)

/* files */
KERF_STRESSOR(files_nofile)

/* cpu */
KERF_STRESSOR(cpu_throttle)
