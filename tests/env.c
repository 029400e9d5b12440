/* SPDX-License-Identifier: MIT */
/* The environment fingerprint against independent sources, and its warnings. */
#include <errno.h>
#include <dirent.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "kerf/env.h"
#include "check.h"

/* -1: not x86 or unknown; else the CPUID.1:ECX[31] hypervisor bit. */
static int cpuid_hypervisor(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d))
		return !!(c & (1u << 31));
#endif
	return -1;
}

/* Does any warning start with prefix? */
static bool has_warning(const json_t *w, const char *prefix)
{
	size_t i;
	json_t *s;

	json_array_foreach(w, i,
			   s) if (strncmp(json_string_value(s), prefix,
					  strlen(prefix)) == 0) return true;
	return false;
}

static int count_files(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void check_capture(void)
{
	static const char *const keys[] = {
		"kernel",      "kernel_version",
		"cmdline",     "cpu_vendor",
		"mitigations", "thp",
		"clocksource", "smt",
		"governor",    "boost",
		"virt",	       "kerf_version",
		"topology",    "memory",
		"cgroup",      "perf",
		"aslr",	       "libc",
		"build",       "loadavg",
		"root",
	};
	json_t *env = kerf_env_capture(), *w, *topo;
	char buf[256] = "";
	struct utsname u;
	cpu_set_t set;
	long long pus;
	size_t i;
	FILE *f;

	CHECK(env, "kerf_env_capture returned NULL");
	if (!env)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(json_object_get(env, keys[i]), "key %s missing", keys[i]);

	uname(&u);
	CHECK(json_string_value(json_object_get(env, "kernel")) &&
		      strcmp(json_string_value(json_object_get(env, "kernel")),
			     u.release) == 0,
	      "kernel is not uname's release %s", u.release);

	/* hwloc counts the PUs of our cpuset; without one, all online. */
	topo = json_object_get(env, "topology");
	pus = json_integer_value(json_object_get(topo, "pus"));
	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	CHECK(pus == sysconf(_SC_NPROCESSORS_ONLN) || pus == CPU_COUNT(&set),
	      "topology.pus %lld is neither the online count %ld nor the allowed count %d",
	      pus, sysconf(_SC_NPROCESSORS_ONLN), CPU_COUNT(&set));

	f = fopen("/sys/devices/system/clocksource/clocksource0/"
		  "current_clocksource",
		  "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
		CHECK(json_string_value(json_object_get(env, "clocksource")) &&
			      strcmp(json_string_value(json_object_get(
					     env, "clocksource")),
				     buf) == 0,
		      "clocksource is not the sysfs one, %s", buf);
	}

	CHECK((int)json_object_size(json_object_get(env, "mitigations")) ==
		      count_files("/sys/devices/system/cpu/vulnerabilities"),
	      "mitigations has %zu keys, the directory %d files",
	      json_object_size(json_object_get(env, "mitigations")),
	      count_files("/sys/devices/system/cpu/vulnerabilities"));

	CHECK(json_is_true(json_object_get(env, "root")) == (geteuid() == 0),
	      "root disagrees with geteuid()");

	w = kerf_env_warnings(env);
	CHECK(json_is_array(w), "warnings is not an array");
	if (cpuid_hypervisor() == 1)
		CHECK(has_warning(w, "virtual machine"),
		      "CPUID says hypervisor but no VM warning");
	if (cpuid_hypervisor() == 0)
		CHECK(!has_warning(w, "virtual machine"),
		      "CPUID says bare metal but a VM warning");
	json_decref(w);
	json_decref(env);
}

/* The rules on made-up fingerprints, so every host checks every rule. */
static void check_rules(void)
{
	json_t *env, *w;

	env = json_pack("{s:s, s:s, s:s, s:s, s:{s:b, s:s}, s:{s:i}, s:{s:f}}",
			"arch", "x86_64", "clocksource", "hpet", "governor",
			"powersave", "boost", "on", "virt", "hypervisor", 1,
			"name", "kvm", "topology", "pus", 8, "loadavg", "load1",
			4.0);
	w = kerf_env_warnings(env);
	CHECK(has_warning(w, "virtual machine (kvm)"), "no VM warning");
	CHECK(has_warning(w, "clocksource 'hpet'"), "no hpet warning");
	CHECK(has_warning(w, "cpufreq governor is 'powersave'"),
	      "no governor warning");
	CHECK(has_warning(w, "CPU boost"), "no boost warning");
	CHECK(has_warning(w, "busy machine"), "no load warning at 4.0/8 PUs");
	json_decref(w);
	json_decref(env);

	env = json_pack("{s:s, s:s, s:s, s:s, s:{s:b}, s:{s:i}, s:{s:f}}",
			"arch", "x86_64", "clocksource", "tsc", "governor",
			"performance", "boost", "off", "virt", "hypervisor", 0,
			"topology", "pus", 8, "loadavg", "load1", 0.7);
	w = kerf_env_warnings(env);
	CHECK(json_array_size(w) == 0,
	      "a quiet bare-metal host has %zu warnings", json_array_size(w));
	json_decref(w);
	json_decref(env);

	env = json_pack("{s:s, s:s}", "arch", "aarch64", "clocksource",
			"arch_sys_counter");
	w = kerf_env_warnings(env);
	CHECK(json_array_size(w) == 0, "arch_sys_counter warned");
	json_decref(w);
	json_decref(env);
}

static void check_cpu_times(void)
{
	uint64_t s1, t1, s2, t2;

	CHECK(kerf_env_cpu_times(-1, &s1, &t1) == 0, "cpu_times failed");
	usleep(20000);
	CHECK(kerf_env_cpu_times(-1, &s2, &t2) == 0, "cpu_times failed");
	CHECK(t1 > 0 && s1 <= t1 && s2 <= t2, "steal %llu of total %llu",
	      (unsigned long long)s1, (unsigned long long)t1);
	CHECK(t2 >= t1 && s2 >= s1, "/proc/stat went backwards");
	/* One PU's line: fewer ticks than all PUs together, and no PU 1<<20. */
	CHECK(kerf_env_cpu_times(0, &s2, &t2) == 0 && t2 > 0 && t2 <= t1 * 2,
	      "PU 0 line");
	CHECK(kerf_env_cpu_times(1 << 20, &s2, &t2) == -ENOENT,
	      "absent PU found");
}

int main(void)
{
	check_capture();
	check_rules();
	check_cpu_times();
	if (fails)
		fprintf(stderr, "%d failures\n", fails);
	return fails ? 1 : 0;
}
