/* SPDX-License-Identifier: MIT */
/* `kerf env`: print the environment fingerprint and its warnings. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kerf/env.h"

/* How the text output groups the top-level keys; the rest go to "other". */
static const struct env_group {
	const char *title;
	const char *keys[12];
} env_groups[] = {
	{ "system",
	  { "host", "arch", "kernel", "kernel_version", "cmdline", "libc",
	    "root", "loadavg" } },
	{ "cpu",
	  { "cpu_model", "cpu_vendor", "cpu", "microcode", "topology", "smt",
	    "virt" } },
	{ "timing",
	  { "clocksource", "clocksource_available", "governor", "boost",
	    "cpufreq", "perf" } },
	{ "memory", { "memory", "thp", "thp_raw" } },
	{ "kernel", { "aslr", "cgroup", "io_uring_disabled", "mitigations" } },
	{ "kerf", { "kerf_version", "kerf_git", "build" } },
	{ "unreadable", { "unreadable" } },
};

static bool grouped(const char *key)
{
	size_t g, i;

	for (g = 0; g < sizeof(env_groups) / sizeof(env_groups[0]); g++)
		for (i = 0; env_groups[g].keys[i]; i++)
			if (strcmp(env_groups[g].keys[i], key) == 0)
				return true;
	return false;
}

/* Values counted in bytes, shown as "32K" when exact, "3.7G" otherwise. */
static bool is_bytes(const char *path)
{
	return strncmp(path, "topology.cache.", 15) == 0 ||
	       strcmp(path, "memory.total") == 0;
}

static void fmt_bytes(char *buf, size_t len, long long b)
{
	static const char units[] = "BKMGTP";
	double v = b;
	int u = 0;

	while (b >= 1024 && b % 1024 == 0 && units[u + 1]) {
		b /= 1024;
		u++;
	}
	if (b < 1024 || !units[u + 1]) {
		snprintf(buf, len, "%lld%c", b, units[u]);
		return;
	}
	for (u = 0; v >= 1024 && units[u + 1]; u++)
		v /= 1024;
	snprintf(buf, len, "%.1f%c", v, units[u]);
}

static void fmt_value(char *buf, size_t len, const char *path, json_t *v)
{
	size_t i, off = 0;
	json_t *e;

	buf[0] = '\0';
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, len, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		if (is_bytes(path))
			fmt_bytes(buf, len, json_integer_value(v));
		else
			snprintf(buf, len, "%lld",
				 (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(buf, len, "%.2f", json_real_value(v));
		break;
	case JSON_TRUE:
		snprintf(buf, len, "yes");
		break;
	case JSON_FALSE:
		snprintf(buf, len, "no");
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, e)
		{
			if (off >= len)
				break;
			off += snprintf(
				buf + off, len - off, "%s%s", i ? " " : "",
				json_is_string(e) ? json_string_value(e) : "?");
		}
		break;
	default:
		snprintf(buf, len, "-");
	}
}

/*
 * Print "path: value" lines for v, objects flattened to "a.b"; with out
 * NULL print nothing. Returns the widest path.
 */
static int walk(FILE *out, int width, const char *path, json_t *v)
{
	char sub[256], val[4096];
	const char *key;
	int w, max = 0;
	json_t *e;

	if (json_is_object(v) && json_object_size(v)) {
		json_object_foreach(v, key, e)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			w = walk(out, width, sub, e);
			if (w > max)
				max = w;
		}
		return max;
	}
	if (out) {
		fmt_value(val, sizeof(val), path, v);
		fprintf(out, "  %s:%*s %s\n", path, width - (int)strlen(path),
			"", val);
	}
	return strlen(path);
}

static void print_group(FILE *out, const char *title, json_t *env,
			const char *const *keys, size_t nkeys)
{
	json_t *v;
	int w, width = 0;
	size_t i;

	for (i = 0; i < nkeys; i++) {
		v = json_object_get(env, keys[i]);
		if (v && (w = walk(NULL, 0, keys[i], v)) > width)
			width = w;
	}
	if (!width)
		return;
	fprintf(out, "%s:\n", title);
	for (i = 0; i < nkeys; i++) {
		v = json_object_get(env, keys[i]);
		if (v)
			walk(out, width, keys[i], v);
	}
}

static void print_text(FILE *out, json_t *env, json_t *warnings)
{
	const char *other[64], *key;
	size_t g, n, i;
	json_t *v;

	for (g = 0; g < sizeof(env_groups) / sizeof(env_groups[0]); g++) {
		for (n = 0; env_groups[g].keys[n]; n++)
			;
		print_group(out, env_groups[g].title, env, env_groups[g].keys,
			    n);
	}
	n = 0;
	json_object_foreach(env, key, v)
	{
		if (!grouped(key) && n < sizeof(other) / sizeof(other[0]))
			other[n++] = key;
	}
	print_group(out, "other", env, other, n);
	fprintf(out, "warnings:%s\n", json_array_size(warnings) ? "" : " none");
	json_array_foreach(warnings, i, v)
		fprintf(out, "  - %s\n", json_string_value(v));
}

static void env_help(FILE *out)
{
	fprintf(out,
		"usage: kerf env [--json]\n"
		"\n"
		"Print the environment fingerprint of this host (kernel, CPU,\n"
		"topology, mitigations, THP, clocksource, cpufreq, SMT,\n"
		"virtualisation, cgroups, perf, ...) and the warnings that\n"
		"follow from it. The keys are described in results/README.md.\n"
		"\n"
		"  --json   print {\"env\": {...}, \"warnings\": [...]}\n"
		"  --help   print this help\n");
}

int cmd_env(int argc, char **argv)
{
	json_t *env, *warnings, *both;
	bool as_json = false;
	int i, ret = KERF_EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			as_json = true;
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			env_help(stdout);
			return KERF_EXIT_OK;
		} else {
			kerf_usage_error(
				"env",
				"unknown argument '%s' (accepted: --json, --help)",
				argv[i]);
			return KERF_EXIT_USAGE;
		}
	}
	env = kerf_env_capture();
	warnings = env ? kerf_env_warnings(env) : NULL;
	if (!env || !warnings) {
		fprintf(stderr, "kerf env: out of memory\n");
		json_decref(env);
		return KERF_EXIT_FAIL;
	}
	if (as_json) {
		both = json_pack("{s:o, s:o}", "env", env, "warnings",
				 warnings);
		if (!both || json_dumpf(both, stdout, JSON_INDENT(2)) < 0)
			ret = KERF_EXIT_FAIL;
		else
			putchar('\n');
		json_decref(both);
	} else {
		print_text(stdout, env, warnings);
		json_decref(env);
		json_decref(warnings);
	}
	if (fflush(stdout) != 0)
		ret = KERF_EXIT_FAIL;
	return ret;
}
