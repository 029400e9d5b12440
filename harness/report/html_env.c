/* SPDX-License-Identifier: MIT */
/* The Environment section of the page: the keys that decide whether runs compare, then the other facts, then every key. */
#include <stdlib.h>
#include <string.h>

#include "kerf/hypo.h"
#include "kerf/parse.h"
#include "report/report.h"

/* Facts shown after the gate's keys (kerf_env_keys): what the runs ran on. */
static const char *const env_facts[] = {
	"host", "topology.pus",	  "memory.total", "cgroup.mode",
	"libc", "build.compiler", "kerf_git",	  NULL,
};

/* Byte counts people read as sizes: "32768 (32K)". */
static bool env_is_bytes(const char *key)
{
	return !strncmp(key, "topology.cache.", 15) ||
	       !strcmp(key, "memory.total");
}

static void env_value(FILE *f, const char *key, const char *v)
{
	char size[32];
	uint64_t b;

	if (!v) {
		fprintf(f, "<td>(absent)</td>");
		return;
	}
	fprintf(f, "<td>");
	rep_html_esc(f, v);
	if (env_is_bytes(key) && !kerf_parse_size(v, &b) && b >= 1024) {
		rep_human_bytes((double)b, size, sizeof(size));
		rep_html_printf(f, " (%s)", size);
	}
	fprintf(f, "</td>");
}

static void env_row(FILE *f, const struct report *rep, const json_t *flat,
		    const char *k, bool diff)
{
	int i;

	fprintf(f, "<tr%s><td>", diff ? " class=\"diff\"" : "");
	rep_html_esc(f, k);
	fprintf(f, "</td>");
	for (i = 0; i < rep->nruns; i++)
		env_value(f, k,
			  json_string_value(
				  json_object_get(json_array_get(flat, i), k)));
	fprintf(f, "</tr>\n");
}

/* K is KEY or a member of it ("thp.enabled" of "thp"). */
static bool env_under(const char *k, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(k, key, n) && (!k[n] || k[n] == '.' || k[n] == '[');
}

/* The keys kerf compare reads to decide whether two runs compare. */
static void env_gate_rows(FILE *f, const struct report *rep, const json_t *flat,
			  json_t *keys)
{
	const char *k;
	json_t *v;
	int i;

	for (i = 0; i < KERF_N_ENV_KEYS; i++) {
		json_object_foreach(keys, k, v)
		{
			if (env_under(k, kerf_env_keys[i].key))
				env_row(f, rep, flat, k, json_is_true(v));
		}
	}
}

/* One table: only the differing keys, only the facts, or every key. */
enum env_rows { ENV_DIFF, ENV_FACTS, ENV_ALL };

static void env_table(FILE *f, const struct report *rep, const json_t *flat,
		      json_t *keys, enum env_rows which)
{
	const char *const *fk;
	const char *k;
	json_t *v;
	int i;

	fprintf(f, "<table><tr><th>key</th>");
	for (i = 0; i < rep->nruns; i++) {
		fprintf(f, "<th>");
		rep_html_esc(f, rep->names[i]);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	if (which == ENV_FACTS) {
		env_gate_rows(f, rep, flat, keys);
		for (fk = env_facts; *fk; fk++) {
			v = json_object_get(keys, *fk);
			if (v)
				env_row(f, rep, flat, *fk, json_is_true(v));
		}
	} else {
		json_object_foreach(keys, k, v)
		{
			if (which == ENV_ALL || json_is_true(v))
				env_row(f, rep, flat, k, json_is_true(v));
		}
	}
	fprintf(f, "</table>\n");
}

void rep_html_env(FILE *f, const struct report *rep)
{
	json_t *flat = json_array(), *keys = json_object();
	const char *k;
	json_t *v;
	int i, ndiff = 0;

	for (i = 0; i < rep->nruns; i++) {
		json_t *o = json_object();

		ju_flatten(o, "", json_object_get(rep->runs[i], "env"), true,
			   "null");
		json_array_append_new(flat, o);
		json_object_foreach(o, k, v)
			json_object_set_new(keys, k, json_true());
	}
	/* a key differs when any run lacks it or has another value */
	json_object_foreach(keys, k, v)
	{
		const char *s0 = json_string_value(
			json_object_get(json_array_get(flat, 0), k));
		bool diff = false;

		for (i = 1; i < rep->nruns; i++) {
			const char *s = json_string_value(
				json_object_get(json_array_get(flat, i), k));

			if (!s0 || !s || strcmp(s0, s))
				diff = true;
		}
		json_object_set_new(keys, k, json_boolean(diff));
		ndiff += diff;
	}
	fprintf(f, "<section id=\"env\"><h2>Environment</h2>\n");
	if (!json_object_size(keys)) {
		fprintf(f, "<p>No environment recorded.</p></section>\n");
		goto out;
	}
	if (rep->nruns > 1) {
		fprintf(f, "<p>%d of %zu keys differ between the runs%s</p>\n",
			ndiff, json_object_size(keys),
			ndiff ? " (highlighted):" : ".");
		if (ndiff)
			env_table(f, rep, flat, keys, ENV_DIFF);
	}
	env_table(f, rep, flat, keys, ENV_FACTS);
	fprintf(f, "<details><summary>All %zu keys</summary>\n",
		json_object_size(keys));
	env_table(f, rep, flat, keys, ENV_ALL);
	fprintf(f, "</details></section>\n");
out:
	json_decref(flat);
	json_decref(keys);
}
