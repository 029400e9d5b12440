/* SPDX-License-Identifier: MIT */
/* The protocol between spawn benches and kerf-spawner, the lean process
 * that creates their processes. */
#ifndef KERF_SPAWNER_H
#define KERF_SPAWNER_H

#include <stdint.h>

/*
 * kerf-spawner OP RSS PAGES [PROGRAM] runs with requests on fd 0 and
 * replies on fd 1. OP is one of KERF_SPAWNER_OPS; RSS bytes of anonymous
 * memory are mapped and touched, PAGES 4k (MADV_NOHUGEPAGE) or thp
 * (MADV_HUGEPAGE); PROGRAM is what exec and posix_spawn_exec start. It
 * does one operation as a probe, then writes a struct kerf_spawner_ready.
 * Each request is a uint64_t n: n operations, answered by an int64_t, 0 or
 * a negative errno. EOF, or n = 0, ends it.
 */
#define KERF_SPAWNER_OPS \
	"fork,vfork,clone,clone3,posix_spawn,exec,posix_spawn_exec"

struct kerf_spawner_ready {
	int64_t err; /* 0, or the probe's (or mapping's) negative errno */
	double huge; /* fraction of RSS on huge pages, -1 unknown */
	int64_t maps; /* mappings of the spawner (/proc/self/maps lines) */
	int64_t rss_kb; /* its VmRSS */
};

#endif
