/* SPDX-License-Identifier: MIT */
/* Containers from the kernel's side: namespaces and cgroups, part by part
 * (the mechanics are in benches/lib/container*.c). */
#include "kerf/bench.h"
#include "kerf/container.h"

static const struct kerf_param unshare_params[] = {
	KERF_ENUM("ns", struct kerf_ct_ns_priv, ns,
		  "none,user,pid,net,mnt,uts,ipc,cgroup,time,all",
		  KERF_CT_NS_CHOICES,
		  "namespace type created (none: the fork alone, the baseline)"),
	KERF_ENUM("via", struct kerf_ct_ns_priv, via, "unshare,clone",
		  "unshare,clone",
		  "unshare() in a forked child, or clone3() flags"),
	KERF_ENUM(
		"wait", struct kerf_ct_ns_priv, wait, "exit", "exit,gone",
		"exit: to the child's exit; gone: until the kernel has given back the namespace (net: cleanup_net done)"),
	KERF_BOOL("userns", struct kerf_ct_ns_priv, userns, "0",
		  "1: add a user namespace (user+X, runs without root)"),
	{}
};

const struct kerf_bench container_unshare = {
	.name = "container/unshare",
	.summary = "create a namespace type in a forked child, exit, wait",
	.unit = "ns/op",
	.params = unshare_params,
	.priv_size = sizeof(struct kerf_ct_ns_priv),
	.setup = kerf_ct_ns_setup,
	.run = kerf_ct_ns_run,
	.teardown = kerf_ct_ns_teardown,
};

static const struct kerf_param cgroup_params[] = {
	KERF_ENUM("hier", struct kerf_ct_cg_priv, hier, "v1,v2", "v1,v2",
		  "cgroup hierarchy (v1: one directory per controller)"),
	KERF_ENUM(
		"move", struct kerf_ct_cg_priv, move, "procs,clone",
		"procs,clone",
		"procs: fork, write cgroup.procs; clone: CLONE_INTO_CGROUP (v2)"),
	{}
};

const struct kerf_bench container_cgroup = {
	.name = "container/cgroup",
	.summary = "mkdir a cgroup, write memory, pids and cpu limits, start a "
		   "child in it, reap it, rmdir",
	.unit = "ns/op",
	.flags = KERF_F_ROOT,
	.params = cgroup_params,
	.priv_size = sizeof(struct kerf_ct_cg_priv),
	.setup = kerf_ct_cg_setup,
	.run = kerf_ct_cg_run,
	.teardown = kerf_ct_cg_teardown,
};
