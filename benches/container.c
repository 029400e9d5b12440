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
	.quick = "via=clone",
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

static const struct kerf_param overlay_params[] = {
	KERF_ENUM(
		"op", struct kerf_ct_ov_priv, op, "mount,stat,open,readdir",
		"mount,stat,open,readdir",
		"mount: mount(2) of the overlay; stat, open: each of 256 files of the lowest layer, first lookup on a fresh mount; readdir: the directory merged across all layers"),
	KERF_ENUM(
		"on", struct kerf_ct_ov_priv, on, "overlay,plain",
		"overlay,plain",
		"through the overlay, or the same files on the file system below"),
	KERF_INT("layers", struct kerf_ct_ov_priv, layers, "1,64", "1", "128",
		 "lower layers"),
	{}
};

const struct kerf_bench container_overlay = {
	.name = "container/overlay",
	.summary = "an overlay of N lower layers: mount, and stat, open, "
		   "readdir of the lowest layer's files",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES,
	.params = overlay_params,
	.priv_size = sizeof(struct kerf_ct_ov_priv),
	.quick = "layers=1,64",
	.full = "layers=1,2,4,8,16,32,64",
	.setup = kerf_ct_ov_setup,
	.run = kerf_ct_ov_run,
	.teardown = kerf_ct_ov_teardown,
	.derive = &kerf_derive_container,
};

static const struct kerf_param copyup_params[] = {
	KERF_SIZE("size", struct kerf_ct_ov_priv, size, "4K,1M,64M", "0", "16G",
		  "size of the file in the lower layer"),
	KERF_ENUM(
		"on", struct kerf_ct_ov_priv, on, "overlay,plain",
		"overlay,plain",
		"first write through a fresh overlay (copy-up), or to the file itself"),
	{}
};

const struct kerf_bench container_copyup = {
	.name = "container/copyup",
	.summary = "first write of one byte to a lower-layer file through an "
		   "overlay: the copy-up",
	.unit = "ns/op",
	.flags = KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = copyup_params,
	.priv_size = sizeof(struct kerf_ct_ov_priv),
	.quick = "size=4K,64M",
	.full = "size=4K,64K,1M,16M,64M,256M,1G",
	.setup = kerf_ct_cu_setup,
	.run = kerf_ct_cu_run,
	.teardown = kerf_ct_ov_teardown,
	.derive = &kerf_derive_container,
};

static const struct kerf_param start_params[] = {
	KERF_ENUM(
		"hier", struct kerf_ct_st_priv, cg.hier, "v2,v1", "v1,v2",
		"the container's cgroup: v2 entered by CLONE_INTO_CGROUP, v1 by cgroup.procs"),
	{}
};

const struct kerf_bench container_start = {
	.name = "container/start",
	.summary = "start /bin/true in a fresh container (cgroup, clone3 with "
		   "all namespaces, overlay root, pivot_root, /proc, exec) "
		   "to its exit",
	.unit = "ns/op",
	.flags = KERF_F_ROOT | KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = start_params,
	.priv_size = sizeof(struct kerf_ct_st_priv),
	.setup = kerf_ct_st_setup,
	.run = kerf_ct_st_run,
	.teardown = kerf_ct_st_teardown,
};

static const struct kerf_param runtime_params[] = {
	KERF_ENUM("rt", struct kerf_ct_rt_priv, rt, "crun,runc", "crun,runc",
		  "the OCI runtime"),
	{}
};

const struct kerf_bench container_runtime = {
	.name = "container/runtime",
	.summary = "an OCI runtime's `run` of /bin/true from a bundle kerf "
		   "prepares, fork to exit (container/start's yardstick)",
	.unit = "ns/op",
	.flags = KERF_F_ROOT | KERF_F_SAMPLES | KERF_F_ONEPROC,
	.params = runtime_params,
	.priv_size = sizeof(struct kerf_ct_rt_priv),
	.setup = kerf_ct_rt_setup,
	.run = kerf_ct_rt_run,
	.teardown = kerf_ct_rt_teardown,
};
