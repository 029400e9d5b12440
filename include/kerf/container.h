/* SPDX-License-Identifier: MIT */
/* The container family's mechanics: namespaces, cgroups and their leftovers. */
#ifndef KERF_CONTAINER_H
#define KERF_CONTAINER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kerf/bench.h"

/* The namespace types container/unshare sweeps, in this order. */
#define KERF_CT_NS_CHOICES "none,user,pid,net,mnt,uts,ipc,cgroup,time,all"

/* CLONE_* flags of choice i of KERF_CT_NS_CHOICES (0 for "none"). */
uint64_t kerf_ct_ns_flags(int choice);

/* Fork a child with clone3(flags) that runs fn(arg) and exits with it. */
pid_t kerf_ct_clone3(uint64_t flags, int cgroup_fd, int (*fn)(void *),
		     void *arg);

/* Enter a new user namespace mapped to the caller's uid and gid (root
 * there); for the caller itself, so only in a process that may change. */
int kerf_ct_enter_userns(void);

/* Why unprivileged user namespaces are refused here ("" when allowed). */
void kerf_ct_userns_why(char *why, size_t len);

/*
 * The owner pid in the names of the cgroups, mounts and directories kerf's
 * workers create: the kerf process that started the worker, so that the
 * leftover sweep (kerf_cg_cleanup_leftovers, kerf_ct_cleanup_leftovers)
 * knows them as live while kerf runs.
 */
int kerf_ct_owner(void);

/* Remove container leftovers (mounts, directories) of kerf processes that
 * are gone, and their cgroups; returns how many were removed. */
int kerf_ct_cleanup_leftovers(const char *tmpdir);
/* Detach every mount at or below dir; then remove dir's tree. */
void kerf_ct_umount_below(const char *dir);
int kerf_ct_rmtree(const char *dir);

/* container/unshare */
struct kerf_ct_ns_priv {
	int ns;
	int via;
	int wait;
	bool userns;
	uint64_t flags;
	uint64_t retries, ops;
};
int kerf_ct_ns_setup(struct kerf_ctx *ctx);
int kerf_ct_ns_run(struct kerf_ctx *ctx, uint64_t n);
void kerf_ct_ns_teardown(struct kerf_ctx *ctx);

/* container/cgroup */
struct kerf_ct_cg_priv {
	int hier;
	int move;
	int version;
	unsigned int ctrls; /* KERF_CG_* bits that get limits */
	char parent[3][PATH_MAX]; /* where each op's cgroup is made */
	int nparent;
	char prefix[64];
	uint64_t seq;
	uint64_t limits_ns, mkdir_ns, move_ns, rmdir_ns;
};
int kerf_ct_cg_setup(struct kerf_ctx *ctx);
int kerf_ct_cg_run(struct kerf_ctx *ctx, uint64_t n);
void kerf_ct_cg_teardown(struct kerf_ctx *ctx);
/* The parents of p->hier (as root); then one cgroup at a time: made in
 * each parent (dirs[made]), limited, entered by pid, removed. */
int kerf_ct_cg_prepare(struct kerf_ctx *ctx, struct kerf_ct_cg_priv *p);
int kerf_ct_cg_make(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX],
		    int *made);
int kerf_ct_cg_limit(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX]);
int kerf_ct_cg_procs(struct kerf_ct_cg_priv *p, char dirs[][PATH_MAX],
		     pid_t pid);
int kerf_ct_cg_remove(char dirs[][PATH_MAX], int made);

/* Scratch directory kerf-<owner>-ct<pid>-<tag> under tmpdir (swept as a
 * leftover once the owner is gone); mounts made later by the worker go
 * into a private mount namespace entered here (user+mnt without root),
 * so that they die with it. */
int kerf_ct_scratch(struct kerf_ctx *ctx, const char *tag, char *dir,
		    size_t len);
/* A root file system in dir with /bin/true and the libraries it loads. */
int kerf_ct_rootfs(const char *dir, char *why, size_t len);

/* container/overlay and container/copyup */
struct kerf_ct_ov_priv {
	int op;
	int on;
	int64_t layers;
	uint64_t size;
	bool userns;
	char dir[PATH_MAX];
	char opts[4096];
	int dfd;
	uint64_t seq, warm_ns, warm_n, umount_ns, umount_n;
};
int kerf_ct_ov_setup(struct kerf_ctx *ctx);
int kerf_ct_ov_run(struct kerf_ctx *ctx, uint64_t n);
int kerf_ct_cu_setup(struct kerf_ctx *ctx);
int kerf_ct_cu_run(struct kerf_ctx *ctx, uint64_t n);
void kerf_ct_ov_teardown(struct kerf_ctx *ctx);
extern const struct kerf_derive kerf_derive_container;

/* container/start: parts cgroup, clone, overlay, pivot_root, proc, exec */
#define KERF_CT_ST_NPARTS 6
#define KERF_CT_ST_CAP 4096 /* samples whose parts are kept */
struct kerf_ct_st_page { /* shared with the container's first process */
	uint64_t t[4];
	int stage, err;
};
struct kerf_ct_st_priv {
	struct kerf_ct_cg_priv cg;
	char dir[PATH_MAX], merged[PATH_MAX + 8], opts[3 * 4096];
	char why[256];
	struct kerf_ct_st_page *page;
	int sync[2];
	uint64_t *rec, nrec, runs, seq, cleanup_ns;
};
int kerf_ct_st_setup(struct kerf_ctx *ctx);
int kerf_ct_st_run(struct kerf_ctx *ctx, uint64_t n);
void kerf_ct_st_teardown(struct kerf_ctx *ctx);

/* container/runtime */
struct kerf_ct_rt_priv {
	int rt;
	char bin[PATH_MAX], dir[PATH_MAX];
	uint64_t seq;
};
int kerf_ct_rt_setup(struct kerf_ctx *ctx);
int kerf_ct_rt_run(struct kerf_ctx *ctx, uint64_t n);
void kerf_ct_rt_teardown(struct kerf_ctx *ctx);

#endif
