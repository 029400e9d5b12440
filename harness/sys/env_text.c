/* SPDX-License-Identifier: MIT */
/* The environment fingerprint as text, grouped by topic, for kerf env. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* How the text output groups the top-level keys; the rest go to "other". */
static const struct env_text_group {
	const char *title;
	const char *keys[12];
} env_text_groups[] = {
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

static bool env_text_grouped(const char *key)
{
	size_t g, i;

	for (g = 0; g < sizeof(env_text_groups) / sizeof(env_text_groups[0]);
	     g++)
		for (i = 0; env_text_groups[g].keys[i]; i++)
			if (strcmp(env_text_groups[g].keys[i], key) == 0)
				return true;
	return false;
}

/* Values counted in bytes, shown as "32K" when exact, "3.7G" otherwise. */
static bool env_text_is_bytes(const char *path)
{
	return strncmp(path, "topology.cache.", 15) == 0 ||
	       strcmp(path, "memory.total") == 0;
}

static void env_text_bytes(char *buf, size_t len, long long b)
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

static void env_text_value(char *buf, size_t len, const char *path, json_t *v)
{
	size_t i, off = 0;
	json_t *e;

	buf[0] = '\0';
	switch (json_typeof(v)) {
	case JSON_STRING:
		snprintf(buf, len, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		if (env_text_is_bytes(path))
			env_text_bytes(buf, len, json_integer_value(v));
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
static int env_text_walk(FILE *out, int width, const char *path, json_t *v)
{
	char sub[256], val[4096];
	const char *key;
	int w, max = 0;
	json_t *e;

	if (json_is_object(v) && json_object_size(v)) {
		json_object_foreach(v, key, e)
		{
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			w = env_text_walk(out, width, sub, e);
			if (w > max)
				max = w;
		}
		return max;
	}
	if (out) {
		env_text_value(val, sizeof(val), path, v);
		fprintf(out, "  %s:%*s %s\n", path, width - (int)strlen(path),
			"", val);
	}
	return strlen(path);
}

static void env_text_print_group(FILE *out, const char *title, json_t *env,
				 const char *const *keys, size_t nkeys)
{
	json_t *v;
	int w, width = 0;
	size_t i;

	for (i = 0; i < nkeys; i++) {
		v = json_object_get(env, keys[i]);
		if (v && (w = env_text_walk(NULL, 0, keys[i], v)) > width)
			width = w;
	}
	if (!width)
		return;
	fprintf(out, "%s:\n", title);
	for (i = 0; i < nkeys; i++) {
		v = json_object_get(env, keys[i]);
		if (v)
			env_text_walk(out, width, keys[i], v);
	}
}

void kerf_env_print(FILE *out, json_t *env, json_t *warnings)
{
	const char *other[64], *key;
	size_t g, n, i;
	json_t *v;

	for (g = 0; g < sizeof(env_text_groups) / sizeof(env_text_groups[0]);
	     g++) {
		for (n = 0; env_text_groups[g].keys[n]; n++)
			;
		env_text_print_group(out, env_text_groups[g].title, env,
				     env_text_groups[g].keys, n);
	}
	n = 0;
	json_object_foreach(env, key, v)
	{
		if (!env_text_grouped(key) &&
		    n < sizeof(other) / sizeof(other[0]))
			other[n++] = key;
	}
	env_text_print_group(out, "other", env, other, n);
	fprintf(out, "warnings:%s\n", json_array_size(warnings) ? "" : " none");
	json_array_foreach(warnings, i, v)
		fprintf(out, "  - %s\n", json_string_value(v));
}
