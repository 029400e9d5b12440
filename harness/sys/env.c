/* SPDX-License-Identifier: MIT */
/* The environment fingerprint: the host facts that decide comparability. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <hwloc.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "kerf/cgroup.h"
#include "kerf/env.h"
#include "kerf/procfs.h"
#include "kerf/result.h"

#define SYS_CPU "/sys/devices/system/cpu"
#define SYS_THP "/sys/kernel/mm/transparent_hugepage"
#define SYS_CS "/sys/devices/system/clocksource/clocksource0"

/* The capture in progress: the object and the paths we were refused. */
struct cap {
	json_t *env;
	json_t *unreadable;
};

static void set_str(json_t *o, const char *key, const char *val)
{
	json_object_set_new(o, key, kerf_json_str(val));
}

static void set_int(json_t *o, const char *key, long long val)
{
	json_object_set_new(o, key, json_integer(val));
}

/* Strip trailing whitespace in place. */
static char *rtrim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static char *ltrim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Read a small file, trimmed. Returns its length or a negative errno. */
static int read_file(const char *path, char *buf, size_t len)
{
	int ret = kerf_read_file(path, buf, len);

	return ret < 0 ? ret : (int)strlen(rtrim(buf));
}

/* read_file that notes a path we may not read in cap->unreadable. */
static int read_fact(struct cap *cap, const char *path, char *buf, size_t len)
{
	int ret = read_file(path, buf, len);

	if (ret == -EACCES || ret == -EPERM)
		json_array_append_new(cap->unreadable, kerf_json_str(path));
	return ret;
}

/* Read a file into o[key] as a string; absent when it cannot be read. */
static int fact_str(struct cap *cap, json_t *o, const char *key,
		    const char *path)
{
	char buf[4096];
	int ret = read_fact(cap, path, buf, sizeof(buf));

	if (ret >= 0)
		set_str(o, key, buf);
	return ret;
}

/* Read a file holding one integer into o[key]. */
static int fact_int(struct cap *cap, json_t *o, const char *key,
		    const char *path)
{
	char buf[64], *end;
	long long v;
	int ret = read_fact(cap, path, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	set_int(o, key, v);
	return 0;
}

/* "always [madvise] never" -> "madvise"; NULL when nothing is selected. */
static const char *selected(const char *line, char *out, size_t len)
{
	const char *a = strchr(line, '['), *b;

	if (!a || !(b = strchr(a, ']')) || (size_t)(b - a) > len)
		return NULL;
	snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	return out;
}

/* "errno name: message", for what an attempt ran into. */
static json_t *jerr(int err)
{
	char buf[128];
	const char *name = strerrorname_np(err);

	snprintf(buf, sizeof(buf), "%s: %s", name ? name : "?", strerror(err));
	return kerf_json_str(buf);
}

/* 2048 (kB) -> "2M", 1048576 -> "1G". */
static void kb_name(unsigned long long kb, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = 0;

	while (kb >= 1024 && kb % 1024 == 0 && units[u + 1]) {
		kb /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%c", kb, units[u]);
}

static int not_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/* "hugepages-2048kB" entries, ordered by page size. */
static int by_size(const struct dirent **a, const struct dirent **b)
{
	unsigned long long x = strtoull((*a)->d_name + 10, NULL, 10);
	unsigned long long y = strtoull((*b)->d_name + 10, NULL, 10);

	return (x > y) - (x < y);
}

static void cap_uname(struct cap *cap)
{
	struct utsname u;
	json_t *env = cap->env;

	if (uname(&u) == 0) {
		set_str(env, "host", u.nodename);
		set_str(env, "arch", u.machine);
		set_str(env, "kernel", u.release);
		set_str(env, "kernel_version", u.version);
	}
	fact_str(cap, env, "cmdline", "/proc/cmdline");
}

/* The first processor's block of /proc/cpuinfo: model, vendor, ids. */
static void cap_cpuinfo(struct cap *cap)
{
	static const struct {
		const char *field, *key;
	} map[] = {
		{ "model name", "cpu_model" },
		{ "vendor_id", "cpu_vendor" },
		{ "microcode", "microcode" },
		{ "cpu family", "family" },
		{ "model", "model" },
		{ "stepping", "stepping" },
		/* arm64 */
		{ "CPU implementer", "implementer" },
		{ "CPU architecture", "architecture" },
		{ "CPU variant", "variant" },
		{ "CPU part", "part" },
		{ "CPU revision", "revision" },
	};
	json_t *cpu = json_object();
	char line[1024], *colon, *name, *val;
	bool seen_processor = false;
	FILE *f;
	size_t i;

	f = fopen("/proc/cpuinfo", "re");
	if (!f) {
		if (errno == EACCES || errno == EPERM)
			json_array_append_new(cap->unreadable,
					      json_string("/proc/cpuinfo"));
		json_decref(cpu);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		name = rtrim(line);
		val = rtrim(ltrim(colon + 1));
		if (strcmp(name, "processor") == 0) {
			/* The first block describes the CPU; stop at the next. */
			if (seen_processor)
				break;
			seen_processor = true;
			continue;
		}
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			if (strcmp(name, map[i].field) != 0)
				continue;
			if (i < 3)
				set_str(cap->env, map[i].key, val);
			else
				set_str(cpu, map[i].key, val);
		}
	}
	fclose(f);
	json_object_set_new(cap->env, "cpu", cpu);
}

static void set_count(json_t *o, const char *key, hwloc_topology_t t,
		      hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t, type);

	if (n >= 0)
		set_int(o, key, n);
}

/* Topology from hwloc, restricted (as hwloc does) to the allowed PUs. */
static void cap_topology(struct cap *cap)
{
	static const struct {
		const char *key;
		hwloc_obj_type_t type;
	} caches[] = {
		{ "l1d", HWLOC_OBJ_L1CACHE },
		{ "l1i", HWLOC_OBJ_L1ICACHE },
		{ "l2", HWLOC_OBJ_L2CACHE },
		{ "l3", HWLOC_OBJ_L3CACHE },
	};
	json_t *topo = json_object(), *cache = json_object();
	hwloc_topology_t t;
	hwloc_obj_t obj;
	const char *s;
	size_t i;

	set_str(topo, "source", "hwloc " HWLOC_VERSION);
	set_int(topo, "pus_online", sysconf(_SC_NPROCESSORS_ONLN));
	if (hwloc_topology_init(&t) < 0)
		goto out;
	/* hwloc drops instruction caches unless asked. */
	hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (hwloc_topology_load(t) < 0) {
		set_str(topo, "error", "hwloc could not load the topology");
		goto out_destroy;
	}
	set_count(topo, "packages", t, HWLOC_OBJ_PACKAGE);
	set_count(topo, "numa_nodes", t, HWLOC_OBJ_NUMANODE);
	set_count(topo, "l3_groups", t, HWLOC_OBJ_L3CACHE);
	set_count(topo, "cores", t, HWLOC_OBJ_CORE);
	set_count(topo, "pus", t, HWLOC_OBJ_PU);
	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		obj = hwloc_get_obj_by_type(t, caches[i].type, 0);
		if (obj && obj->attr)
			set_int(cache, caches[i].key, obj->attr->cache.size);
	}
	/* The CPU model for hosts whose /proc/cpuinfo lacks one (arm64). */
	obj = hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
	if (obj && !json_object_get(cap->env, "cpu_model")) {
		s = hwloc_obj_get_info_by_name(obj, "CPUModel");
		if (s)
			set_str(cap->env, "cpu_model", s);
	}
	if (obj && !json_object_get(cap->env, "cpu_vendor")) {
		s = hwloc_obj_get_info_by_name(obj, "CPUVendor");
		if (s)
			set_str(cap->env, "cpu_vendor", s);
	}
out_destroy:
	hwloc_topology_destroy(t);
out:
	json_object_set_new(topo, "cache", cache);
	json_object_set_new(cap->env, "topology", topo);
}

/* MemTotal and the hugetlb pools of each page size. */
static void cap_memory(struct cap *cap)
{
	json_t *mem = json_object(), *pools = json_object(), *pool;
	char path[512], name[32];
	struct dirent **names;
	unsigned long long kb;
	uint64_t total;
	int i, n;

	if (!kerf_read_kv("/proc/meminfo", "MemTotal:", &total))
		set_int(mem, "total", (long long)(total * 1024));
	/* Smallest page size first. */
	n = scandir("/sys/kernel/mm/hugepages", &names, not_dot, by_size);
	for (i = 0; i < n; i++) {
		kb = strtoull(names[i]->d_name + 10, NULL, 10);
		kb_name(kb, name, sizeof(name));
		pool = json_object();
		snprintf(path, sizeof(path),
			 "/sys/kernel/mm/hugepages/%s/nr_hugepages",
			 names[i]->d_name);
		fact_int(cap, pool, "nr", path);
		snprintf(path, sizeof(path),
			 "/sys/kernel/mm/hugepages/%s/free_hugepages",
			 names[i]->d_name);
		fact_int(cap, pool, "free", path);
		json_object_set_new(pools, name, pool);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	json_object_set_new(mem, "hugepages", pools);
	json_object_set_new(cap->env, "memory", mem);
}

/* Every file of the vulnerabilities directory, name -> text. */
static void cap_mitigations(struct cap *cap)
{
	json_t *mit = json_object();
	struct dirent **names;
	char path[512];
	int i, n;

	n = scandir(SYS_CPU "/vulnerabilities", &names, not_dot, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), SYS_CPU "/vulnerabilities/%s",
			 names[i]->d_name);
		fact_str(cap, mit, names[i]->d_name, path);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	json_object_set_new(cap->env, "mitigations", mit);
}

static void cap_thp(struct cap *cap)
{
	static const char *const files[] = { "enabled", "defrag" };
	json_t *thp = json_object(), *raw = json_object();
	char buf[256], val[64], path[128];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), SYS_THP "/%s", files[i]);
		if (read_fact(cap, path, buf, sizeof(buf)) < 0)
			continue;
		set_str(raw, files[i], buf);
		if (selected(buf, val, sizeof(val)))
			set_str(thp, files[i], val);
	}
	if (json_object_size(raw)) {
		json_object_set_new(cap->env, "thp", thp);
		json_object_set_new(cap->env, "thp_raw", raw);
	} else {
		json_decref(thp);
		json_decref(raw);
	}
}

static void cap_clocksource(struct cap *cap)
{
	json_t *avail;
	char buf[512], *tok, *save;

	fact_str(cap, cap->env, "clocksource", SYS_CS "/current_clocksource");
	if (read_fact(cap, SYS_CS "/available_clocksource", buf, sizeof(buf)) <
	    0)
		return;
	avail = json_array();
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		json_array_append_new(avail, kerf_json_str(tok));
	json_object_set_new(cap->env, "clocksource_available", avail);
}

/*
 * Merge one policy's value into *acc: the first value is kept, a different
 * one later turns it into "mixed".
 */
static void merge(char *acc, size_t len, const char *val)
{
	if (!acc[0])
		snprintf(acc, len, "%s", val);
	else if (strcmp(acc, val) != 0)
		snprintf(acc, len, "mixed");
}

/* Boost: "on", "off" or "unknown" (a driver without a boost switch). */
static const char *boost_state(struct cap *cap, const char *policy0)
{
	char buf[64], path[512];

	/* intel_pstate says the opposite: no_turbo. */
	if (read_fact(cap, SYS_CPU "/intel_pstate/no_turbo", buf,
		      sizeof(buf)) >= 0)
		return strcmp(buf, "0") == 0 ? "on" : "off";
	/* acpi-cpufreq and older amd-pstate: one switch for all. */
	if (read_fact(cap, SYS_CPU "/cpufreq/boost", buf, sizeof(buf)) >= 0)
		return strcmp(buf, "0") == 0 ? "off" : "on";
	/* amd-pstate since 6.11: per policy. */
	snprintf(path, sizeof(path), SYS_CPU "/cpufreq/%s/boost", policy0);
	if (policy0[0] && read_fact(cap, path, buf, sizeof(buf)) >= 0)
		return strcmp(buf, "0") == 0 ? "off" : "on";
	return "unknown";
}

static void cap_cpufreq(struct cap *cap)
{
	json_t *cf = json_object();
	char driver[128] = "", gov[128] = "", policy0[64] = "";
	char path[512], buf[128];
	struct dirent *de;
	const char *boost;
	int npolicies = 0;
	DIR *d;

	d = opendir(SYS_CPU "/cpufreq");
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "policy", 6) != 0)
			continue;
		/* The lowest-numbered policy answers for boost. */
		if (!policy0[0] || strlen(de->d_name) < strlen(policy0) ||
		    (strlen(de->d_name) == strlen(policy0) &&
		     strcmp(de->d_name, policy0) < 0))
			snprintf(policy0, sizeof(policy0), "%.63s", de->d_name);
		npolicies++;
		snprintf(path, sizeof(path),
			 SYS_CPU "/cpufreq/%s/scaling_driver", de->d_name);
		if (read_fact(cap, path, buf, sizeof(buf)) >= 0)
			merge(driver, sizeof(driver), buf);
		snprintf(path, sizeof(path),
			 SYS_CPU "/cpufreq/%s/scaling_governor", de->d_name);
		if (read_fact(cap, path, buf, sizeof(buf)) >= 0)
			merge(gov, sizeof(gov), buf);
	}
	if (d)
		closedir(d);
	if (!npolicies) {
		set_str(cf, "driver", "none");
		set_str(cf, "why",
			"no " SYS_CPU "/cpufreq/policy*: no cpufreq driver "
			"(usual in a virtual machine, where the host sets the "
			"clock)");
		set_str(cap->env, "governor", "none");
		set_str(cap->env, "boost", "none");
		json_object_set_new(cap->env, "cpufreq", cf);
		return;
	}
	set_int(cf, "policies", npolicies);
	set_str(cf, "driver", driver[0] ? driver : "unknown");
	set_str(cap->env, "governor", gov[0] ? gov : "unknown");
	boost = boost_state(cap, policy0);
	set_str(cap->env, "boost", boost);
	json_object_set_new(cap->env, "cpufreq", cf);
}

/* SMT: the kernel's switch, and whether siblings are running. */
static void cap_smt(struct cap *cap)
{
	json_t *smt = json_object(), *topo;
	json_int_t cores, pus;
	char buf[64];

	if (read_fact(cap, SYS_CPU "/smt/control", buf, sizeof(buf)) >= 0)
		set_str(smt, "control", buf);
	if (read_fact(cap, SYS_CPU "/smt/active", buf, sizeof(buf)) >= 0) {
		json_object_set_new(smt, "active",
				    json_boolean(strcmp(buf, "0") != 0));
	} else {
		/* No hotplug-SMT support: more PUs than cores means SMT. */
		topo = json_object_get(cap->env, "topology");
		cores = json_integer_value(json_object_get(topo, "cores"));
		pus = json_integer_value(json_object_get(topo, "pus"));
		if (cores > 0)
			json_object_set_new(smt, "active",
					    json_boolean(pus > cores));
	}
	json_object_set_new(cap->env, "smt", smt);
}

#if defined(__x86_64__) || defined(__i386__)
/* CPUID leaf 1 ECX bit 31, and the vendor signature of leaf 0x40000000. */
static void cap_cpuid(json_t *virt)
{
	static const struct {
		const char *sig, *name;
	} names[] = {
		{ "KVMKVMKVM", "kvm" },
		{ "Microsoft Hv", "hyperv" },
		{ "VMwareVMware", "vmware" },
		{ "XenVMMXenVMM", "xen" },
		{ "TCGTCGTCGTCG", "qemu-tcg" },
		{ "bhyve bhyve", "bhyve" },
		{ "ACRNACRNACRN", "acrn" },
		{ "VBoxVBoxVBox", "virtualbox" },
		{ "lrpepyh  vr", "parallels" },
	};
	unsigned int a, b, c, d, i;
	char sig[13];
	bool hv;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return;
	hv = c & (1u << 31);
	json_object_set_new(virt, "hypervisor", json_boolean(hv));
	if (!hv)
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (i = 0; i < 12 && sig[i]; i++)
		if (!isprint((unsigned char)sig[i]))
			sig[i] = '?';
	set_str(virt, "vendor", rtrim(ltrim(sig)));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(rtrim(ltrim(sig)), names[i].sig) == 0)
			set_str(virt, "name", names[i].name);
}
#else
static void cap_cpuid(json_t *virt)
{
}
#endif

/* The text after key in a kernel log message, up to the line's end. */
static bool kmsg_after(const char *msg, const char *key, char *out, size_t len)
{
	const char *p = strstr(msg, key);
	size_t n;

	if (!p)
		return false;
	p += strlen(key);
	n = strcspn(p, "\n");
	snprintf(out, len, "%.*s", (int)n, p);
	rtrim(out);
	return true;
}

void kerf_env_kernel_log_scan(const char *text, char *hv, size_t hvlen,
			      char *dmi, size_t dmilen)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s",
			 (int)(nl ? (size_t)(nl - line) : strlen(line)), line);
		if (!hv[0])
			kmsg_after(buf, "Hypervisor detected: ", hv, hvlen);
		if (!dmi[0] && !kmsg_after(buf, "] DMI: ", dmi, dmilen))
			kmsg_after(buf, ";DMI: ", dmi, dmilen);
		line = nl ? nl + 1 : NULL;
	}
}

/*
 * The kernel log's hypervisor and DMI lines, as dmesg reads them: records of
 * /dev/kmsg (without blocking), else syslog(2). Unreadable (dmesg_restrict
 * for non-root) or rotated out: empty.
 */
static void virt_kernel_log(struct cap *cap, char *hv, size_t hvlen, char *dmi,
			    size_t dmilen)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	char rec[8192];
	ssize_t n;

	hv[0] = dmi[0] = 0;
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			json_array_append_new(cap->unreadable,
					      json_string("/dev/kmsg"));
		return;
	}
	/* One record per read; EPIPE: a record was overwritten, go on. */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		kerf_env_kernel_log_scan(rec, hv, hvlen, dmi, dmilen);
		if (hv[0] && dmi[0])
			break;
	}
	close(fd);
}

/* Name from the best source: the kernel's own conclusion first. */
static void virt_name(json_t *virt, json_t *src)
{
	static const char *const order[] = { "kernel_log", "sys_hypervisor",
					     "cpuid" };
	const char *name = NULL, *from = NULL;
	char low[128];

	for (size_t i = 0; i < 3 && !name; i++) {
		name = json_string_value(json_object_get(src, order[i]));
		from = order[i];
	}
	if (!name)
		return;
	if (!strcmp(from, "cpuid") && json_object_get(virt, "name"))
		name = json_string_value(json_object_get(virt, "name"));
	snprintf(low, sizeof(low), "%s", name);
	for (char *c = low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	set_str(virt, "name", low);
	set_str(virt, "name_from", from);
}

static void cap_virt(struct cap *cap)
{
	json_t *virt = json_object(), *src = json_object();
	char buf[256], dmi[256];

	cap_cpuid(virt);
	if (json_object_get(virt, "vendor"))
		json_object_set(src, "cpuid", json_object_get(virt, "vendor"));
	/* Xen guests of every architecture. */
	if (read_file("/sys/hypervisor/type", buf, sizeof(buf)) > 0) {
		json_object_set_new(virt, "hypervisor", json_true());
		set_str(src, "sys_hypervisor", buf);
	}
	fact_str(cap, virt, "sys_vendor", "/sys/class/dmi/id/sys_vendor");
	fact_str(cap, virt, "product_name", "/sys/class/dmi/id/product_name");
	if (json_object_get(virt, "sys_vendor"))
		json_object_set_new(
			src, "dmi",
			json_sprintf(
				"%s %s",
				json_string_value(
					json_object_get(virt, "sys_vendor")),
				json_string_value(json_object_get(virt, "product_name")) ?:
					""));
	virt_kernel_log(cap, buf, sizeof(buf), dmi, sizeof(dmi));
	if (buf[0]) {
		json_object_set_new(virt, "hypervisor", json_true());
		set_str(src, "kernel_log", buf);
	}
	if (dmi[0] && !json_object_get(src, "dmi"))
		set_str(src, "dmi", dmi);
	virt_name(virt, src);
	json_object_set_new(virt, "sources", src);
	json_object_set_new(cap->env, "virt", virt);
}

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* Split a space-separated line into a JSON array of strings. */
static json_t *words(char *line)
{
	json_t *a = json_array();
	char *tok, *save;

	for (tok = strtok_r(line, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save))
		json_array_append_new(a, kerf_json_str(tok));
	return a;
}

/*
 * cgroup mode: v2 when /sys/fs/cgroup is cgroup2, hybrid when it is a tmpfs
 * with cgroup2 at /sys/fs/cgroup/unified, v1 otherwise. Controllers bound to
 * a v1 hierarchy (/proc/cgroups hierarchy != 0) and those the v2 root offers.
 */
static void cap_cgroup(struct cap *cap)
{
	json_t *cg = json_object(), *v1 = json_array();
	char line[512], path[128], name[64], v2path[64] = "";
	int hier, num, enabled;
	struct statfs sf;
	FILE *f;

	if (is_cgroup2("/sys/fs/cgroup")) {
		set_str(cg, "mode", "v2");
		snprintf(v2path, sizeof(v2path), "/sys/fs/cgroup");
	} else if (statfs("/sys/fs/cgroup", &sf) < 0) {
		set_str(cg, "mode", "none");
	} else if (is_cgroup2("/sys/fs/cgroup/unified")) {
		set_str(cg, "mode", "hybrid");
		snprintf(v2path, sizeof(v2path), "/sys/fs/cgroup/unified");
	} else {
		set_str(cg, "mode", "v1");
	}
	f = fopen("/proc/cgroups", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %d %d %d", name, &hier, &num,
			   &enabled) == 4 &&
		    hier != 0 && enabled)
			json_array_append_new(v1, kerf_json_str(name));
	}
	if (f)
		fclose(f);
	json_object_set_new(cg, "v1", v1);
	if (v2path[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", v2path);
		if (read_fact(cap, path, line, sizeof(line)) >= 0)
			json_object_set_new(cg, "v2", words(line));
		set_str(cg, "v2_mount", v2path);
	}
	/* Our own cgroup on the v2 hierarchy ("0::/path"). */
	if (!kerf_cg_self(NULL, line, sizeof(line)))
		set_str(cg, "self", line);
	json_object_set_new(cap->env, "cgroup", cg);
}

/* Open one counter on this thread, count a short loop, read it. */
static int try_counter(uint32_t type, uint64_t config)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	volatile unsigned long spin = 0;
	uint64_t count = 0;
	int fd, i, ret = 0;

	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1,
		     PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	ioctl(fd, PERF_EVENT_IOC_RESET, 0);
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	for (i = 0; i < 200000; i++)
		spin += i;
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		ret = -EIO;
	else if (!count)
		ret = -ENODATA; /* opened, but counted nothing */
	close(fd);
	return ret;
}

static void cap_perf(struct cap *cap)
{
	json_t *perf = json_object();
	int ret;

	fact_int(cap, perf, "paranoid", "/proc/sys/kernel/perf_event_paranoid");
	ret = try_counter(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES);
	json_object_set_new(perf, "hw_counters", json_boolean(ret == 0));
	if (ret)
		json_object_set_new(perf, "hw_error", jerr(-ret));
	ret = try_counter(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
	json_object_set_new(perf, "sw_counters", json_boolean(ret == 0));
	if (ret)
		json_object_set_new(perf, "sw_error", jerr(-ret));
	json_object_set_new(cap->env, "perf", perf);
}

static void cap_misc(struct cap *cap)
{
	json_t *env = cap->env, *aslr = json_object(), *load, *build;
	double l1, l5, l15;
	int run, all, pers;
	char buf[512];

	fact_int(cap, env, "io_uring_disabled",
		 "/proc/sys/kernel/io_uring_disabled");

	fact_int(cap, aslr, "randomize_va_space",
		 "/proc/sys/kernel/randomize_va_space");
	/* setarch -R turns it off for one process tree. */
	pers = personality(0xffffffff);
	if (pers != -1)
		json_object_set_new(aslr, "process_norandom",
				    json_boolean(pers & ADDR_NO_RANDOMIZE));
	json_object_set_new(env, "aslr", aslr);

	snprintf(buf, sizeof(buf), "glibc %s", gnu_get_libc_version());
	set_str(env, "libc", buf);

	if (read_fact(cap, "/proc/loadavg", buf, sizeof(buf)) >= 0 &&
	    sscanf(buf, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &run, &all) == 5) {
		load = json_object();
		json_object_set_new(load, "load1", json_real(l1));
		json_object_set_new(load, "load5", json_real(l5));
		json_object_set_new(load, "load15", json_real(l15));
		set_int(load, "runnable", run);
		set_int(load, "threads", all);
		json_object_set_new(env, "loadavg", load);
	}
	json_object_set_new(env, "root", json_boolean(geteuid() == 0));

	set_str(env, "kerf_version", KERF_VERSION);
	set_str(env, "kerf_git", KERF_GIT_REV);
	build = json_object();
	set_str(build, "compiler", KERF_COMPILER);
	snprintf(buf, sizeof(buf), "%s", KERF_C_FLAGS);
	set_str(build, "cflags", rtrim(ltrim(buf)));
	json_object_set_new(env, "build", build);
}

json_t *kerf_env_capture(void)
{
	struct cap cap;

	cap.env = json_object();
	cap.unreadable = json_array();
	if (!cap.env || !cap.unreadable) {
		json_decref(cap.env);
		json_decref(cap.unreadable);
		return NULL;
	}
	cap_uname(&cap);
	cap_cpuinfo(&cap);
	cap_topology(&cap);
	cap_memory(&cap);
	cap_mitigations(&cap);
	cap_thp(&cap);
	cap_clocksource(&cap);
	cap_cpufreq(&cap);
	cap_smt(&cap);
	cap_virt(&cap);
	cap_cgroup(&cap);
	cap_perf(&cap);
	cap_misc(&cap);
	if (json_array_size(cap.unreadable))
		json_object_set_new(cap.env, "unreadable", cap.unreadable);
	else
		json_decref(cap.unreadable);
	return cap.env;
}

int kerf_env_cpu_times(int pu, uint64_t *steal_ticks, uint64_t *total_ticks)
{
	unsigned long long v[8] = { 0 };
	char line[512], want[32];
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/stat", "re");
	if (!f)
		return -errno;
	if (pu < 0)
		snprintf(want, sizeof(want), "cpu ");
	else
		snprintf(want, sizeof(want), "cpu%d ", pu);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		ret = -EINVAL;
		if (sscanf(line + strlen(want),
			   "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) != 8)
			break;
		*steal_ticks = v[7];
		*total_ticks = 0;
		for (int i = 0; i < 8; i++)
			*total_ticks += v[i];
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* A string member of an object, or NULL. */
static const char *sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/*
 * The clocksources whose counter the vDSO reads in user space, by machine
 * (uname -m); NULL for an architecture kerf has no list for. kvm-clock is
 * served only while the host marks it stable.
 */
static const char *const *vdso_clocksources(const char *arch)
{
	static const char *const x86[] = { "tsc", "kvm-clock",
					   "hyperv_clocksource_tsc_page",
					   NULL };
	static const char *const arm64[] = { "arch_sys_counter", NULL };
	static const char *const riscv[] = { "riscv_clocksource", NULL };

	if (!arch)
		return NULL;
	if (strcmp(arch, "x86_64") == 0 ||
	    (arch[0] == 'i' && strcmp(arch + 2, "86") == 0))
		return x86;
	if (strcmp(arch, "aarch64") == 0 || strcmp(arch, "arm64") == 0)
		return arm64;
	if (strncmp(arch, "riscv", 5) == 0)
		return riscv;
	return NULL;
}

/* The load average above which the machine counts as busy. */
double kerf_env_busy_load(int npus)
{
	double t = 0.1 * npus;

	return t > 0.5 ? t : 0.5;
}

/* The VM warning: the name, its source, and what the other sources said
 * ("kvm, from cpuid; kernel_log says PVM"). */
static void env_virt_warning(const json_t *virt, json_t *w)
{
	const json_t *src = json_object_get(virt, "sources");
	const char *k, *from = sget(virt, "name_from"), *name;
	char said[512] = "";
	size_t len = 0;
	json_t *v;

	name = sget(virt, "name");
	if (!name)
		name = sget(virt, "vendor");
	json_object_foreach((json_t *)src, k, v)
	{
		if ((from && !strcmp(k, from)) || len >= sizeof(said))
			continue;
		len += (size_t)snprintf(said + len, sizeof(said) - len,
					"; %s says %s", k,
					json_string_value(v));
	}
	kerf_json_appendf(
		w,
		"virtual machine (%s%s%s%s): timings include the hypervisor's noise, and the vCPUs can lose time to steal",
		name ? name : "unknown hypervisor", from ? ", from " : "",
		from ? from : "", said);
}

json_t *kerf_env_warnings(const json_t *env)
{
	const json_t *virt, *load, *topo, *perf, *aslr, *smt, *thp, *j;
	json_t *w = json_array();
	const char *s, *const *served;
	double load1 = 0, limit = 0;
	json_int_t pus, v;
	bool busy = false;

	if (!w)
		return NULL;
	s = sget(env, "governor");
	if (s && strcmp(s, "performance") != 0 && strcmp(s, "none") != 0)
		kerf_json_appendf(
			w,
			"cpufreq governor is '%s', not 'performance': the clock follows the load, so timings drift",
			s);
	s = sget(env, "boost");
	if (s && strcmp(s, "on") == 0)
		kerf_json_appendf(
			w,
			"CPU boost (turbo) is on: the clock depends on temperature and on how many cores are busy, so runs differ");

	load = json_object_get(env, "loadavg");
	topo = json_object_get(env, "topology");
	pus = json_integer_value(json_object_get(topo, "pus"));
	if (pus <= 0)
		pus = json_integer_value(json_object_get(topo, "pus_online"));
	j = json_object_get(load, "load1");
	if (j && pus > 0) {
		load1 = json_number_value(j);
		limit = kerf_env_busy_load(pus);
		busy = load1 > limit;
	}
	if (busy)
		kerf_json_appendf(
			w,
			"busy machine at start: load average %.2f on %lld PUs (kerf's limit is %.2f): other work competes for CPUs, caches and memory bandwidth",
			load1, (long long)pus, limit);

	virt = json_object_get(env, "virt");
	if (json_is_true(json_object_get(virt, "hypervisor")))
		env_virt_warning(virt, w);

	s = sget(env, "clocksource");
	served = vdso_clocksources(sget(env, "arch"));
	if (s && served && !in_list(s, served))
		kerf_json_appendf(
			w,
			"clocksource '%s' cannot be read by the vDSO: every clock_gettime() is a real system call, so timer reads are slow and vdso benches show no gain",
			s);

	perf = json_object_get(env, "perf");
	if (perf && !json_is_true(json_object_get(perf, "hw_counters"))) {
		s = sget(perf, "hw_error");
		kerf_json_appendf(
			w,
			"hardware perf counters unavailable (%s, perf_event_paranoid=%lld): kerf measures time only, no cycle or instruction counts",
			s ? s : "unknown",
			(long long)json_integer_value(
				json_object_get(perf, "paranoid")));
	}

	aslr = json_object_get(env, "aslr");
	j = json_object_get(aslr, "randomize_va_space");
	if ((j && json_integer_value(j) == 0) ||
	    json_is_true(json_object_get(aslr, "process_norandom")))
		kerf_json_appendf(
			w,
			"ASLR is off (randomize_va_space=%lld%s): every worker gets the same address layout, so that layout's luck is in every sample",
			(long long)json_integer_value(j),
			json_is_true(
				json_object_get(aslr, "process_norandom")) ?
				", and setarch -R for kerf" :
				"");

	thp = json_object_get(env, "thp");
	s = sget(thp, "enabled");
	if (s && strcmp(s, "always") == 0)
		kerf_json_appendf(
			w,
			"THP enabled=always: any anonymous memory may get 2M pages, so memory benches depend on fragmentation and khugepaged");

	smt = json_object_get(env, "smt");
	if (busy && json_is_true(json_object_get(smt, "active")))
		kerf_json_appendf(
			w,
			"SMT is on and the machine is busy: the pinned PU's sibling may run other work that shares its core's pipeline and caches");

	j = json_object_get(env, "io_uring_disabled");
	v = json_integer_value(j);
	if (j && v != 0)
		kerf_json_appendf(
			w,
			"io_uring_disabled=%lld: io_uring is %s, so io_uring benches may skip",
			(long long)v,
			v == 1 ? "limited to root and kernel.io_uring_group" :
				 "off for everyone");
	return w;
}
