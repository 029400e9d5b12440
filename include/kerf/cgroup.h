/* SPDX-License-Identifier: MIT */
/* cgroup v1 and v2 backends: a stress run's cgroup, its limits, its cleanup. */
#ifndef KERF_CGROUP_H
#define KERF_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "kerf/procfs.h" /* kerf_kv, for the "key value" files read here */

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/*
 * The kernel's struct clone_args up to the cgroup field
 * (CLONE_ARGS_SIZE_VER2), for clone3 into a cgroup: the stressors' workers
 * and the container benches.
 */
struct kerf_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* Controllers a run asks for. */
#define KERF_CG_MEM (1u << 0)
#define KERF_CG_PIDS (1u << 1)
#define KERF_CG_CPU (1u << 2)
#define KERF_CG_NCTRL 3

/*
 * One run's cgroup, named kerf-<owner pid>-<n> so that a leftover of a kerf
 * that was SIGKILLed can be told from a live run. On v2 it is one directory
 * (dir[0]); on v1 one directory per controller hierarchy (dir[i] for bit i,
 * empty when the controller was not asked for).
 */
struct kerf_cg {
	int version; /* 1 or 2; 0: no cgroup (plain workers) */
	unsigned int ctrls;
	char name[64];
	char dir[KERF_CG_NCTRL][PATH_MAX];
	int dirfd; /* v2: the directory, for CLONE_INTO_CGROUP */
	bool has_kill; /* v2: cgroup.kill (5.14) */
	bool clone3; /* v2: workers were spawned with clone3 */
	/*
	 * v2: what kerf changed above the run's cgroup, put back by
	 * kerf_cg_destroy: controllers it enabled in subtree_control (in
	 * enabling order), and kerf.slice when it created that directory.
	 */
	int nrestore;
	char restore_dir[2][PATH_MAX];
	unsigned int restore_ctrls[2];
	bool made_slice;
};

/*
 * This process's cgroup, the one reader of /proc/self/cgroup: its path in
 * the hierarchy holding the controller ctrl ("memory", a v1 hierarchy), or
 * in the v2 hierarchy when ctrl is NULL. 0, or a negative errno (-ENOENT:
 * no such line); path is left alone on failure.
 */
int kerf_cg_self(const char *ctrl, char *path, size_t len);

/*
 * The memory the run's cgroup may really get: the smallest headroom (limit
 * minus usage) of the cgroups above it, with the directory that sets it,
 * and MemAvailable. A memory limit above either could push a parent
 * cgroup or the host into OOM. avail and headroom are UINT64_MAX when
 * unknown or unlimited; where is "" then.
 */
struct kerf_cg_room {
	uint64_t headroom, parent_limit, parent_usage;
	char where[PATH_MAX];
	uint64_t avail;
};
void kerf_cg_room(const struct kerf_cg *cg, struct kerf_cg_room *room);

/* "v1", "v2", "hybrid" or "none": which cgroup file systems are mounted. */
const char *kerf_cg_mode(void);

/*
 * Which backend would hold the controllers ctrls, and where; 0 or a negative
 * errno with what is missing (and how to get it) in why.
 */
int kerf_cg_create(struct kerf_cg *cg, unsigned int ctrls, char *why,
		   size_t whylen);
/* Kill everything inside, wait (bounded) until empty, remove. 0 or -errno. */
int kerf_cg_destroy(struct kerf_cg *cg, int timeout_ms);
/* SIGKILL every process inside (cgroup.kill where the kernel has it). */
int kerf_cg_kill(struct kerf_cg *cg);
/* Number of processes inside (all hierarchies), or a negative errno. */
int kerf_cg_nprocs(const struct kerf_cg *cg);

/*
 * Fork a worker straight into the cgroup (clone3 with CLONE_INTO_CGROUP on
 * v2, else fork and move it in before it runs: a pipe handshake). The child
 * runs fn(arg) and exits with its value; it dies with kerf (PDEATHSIG).
 * Returns the pid or a negative errno.
 */
pid_t kerf_cg_spawn(struct kerf_cg *cg, int (*fn)(void *), void *arg);

/* Files of the run's cgroup, for the controller ctrl (one KERF_CG_* bit). */
int kerf_cg_write(const struct kerf_cg *cg, unsigned int ctrl, const char *file,
		  const char *val);
int kerf_cg_read(const struct kerf_cg *cg, unsigned int ctrl, const char *file,
		 char *buf, size_t len);
bool kerf_cg_has(const struct kerf_cg *cg, unsigned int ctrl, const char *file);

/* Memory: limits set before any worker enters. -EOPNOTSUPP where absent. */
int kerf_cg_mem_max(struct kerf_cg *cg, uint64_t bytes);
int kerf_cg_mem_high(struct kerf_cg *cg, uint64_t bytes);
/*
 * Swap for the cgroup (kerf_cg_mem_max refuses it): v2 memory.swap.max,
 * v1 memory.memsw.limit_in_bytes (unlimited, or limit: none) and
 * memory.swappiness (the host's, or 0).
 */
int kerf_cg_mem_swap(struct kerf_cg *cg, bool allow, uint64_t limit);
int kerf_cg_mem_oom_group(struct kerf_cg *cg);
int kerf_cg_pids_max(struct kerf_cg *cg, uint64_t n);
int kerf_cg_cpu_max(struct kerf_cg *cg, uint64_t quota_us, uint64_t period_us);

#define KERF_CG_NA UINT64_MAX /* a counter this backend does not have */

/* One sample of the memory controller, KERF_CG_NA where absent. */
struct kerf_cg_mem {
	uint64_t usage, anon, file, shmem, limit;
	uint64_t pgscan, pgsteal;
	uint64_t ev_high, ev_max, ev_oom, ev_oom_kill;
	double psi_avg10; /* memory pressure "some", avg10 (percent) */
	uint64_t psi_total_us; /* memory pressure "some", total (us) */
	bool psi_system; /* pressure is /proc/pressure/memory (v1) */
	bool psi_ok;
};
int kerf_cg_mem_read(const struct kerf_cg *cg, struct kerf_cg_mem *m);

/* CPU controller counters; KERF_CG_NA where absent. */
struct kerf_cg_cpu {
	uint64_t nr_periods, nr_throttled, throttled_us;
};
int kerf_cg_cpu_read(const struct kerf_cg *cg, struct kerf_cg_cpu *c);

/*
 * Remove the cgroups (and /dev/shm files) left by kerf processes that are
 * gone. Returns the number removed, or a negative errno; names go to log
 * when it is not NULL.
 */
int kerf_cg_cleanup_leftovers(void (*log)(const char *path));

#endif
