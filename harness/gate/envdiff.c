/* SPDX-License-Identifier: MIT */
/* The gate's environment check: keys two runs differ on, and which refuse. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/gate.h"

/* The environment keys the gate looks at; the first ones refuse. */
const struct kerf_env_key kerf_env_keys[KERF_N_ENV_KEYS] = {
	{ "kernel", true },	   { "cpu_model", true },
	{ "microcode", true },	   { "mitigations", true },
	{ "thp", true },	   { "clocksource", true },
	{ "smt", true },	   { "governor", true },
	{ "boost", false },	   { "virt", false },
	{ "kerf_version", false },
};

int kerf_env_key_index(const char *key)
{
	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++)
		if (!strcmp(kerf_env_keys[i].key, key))
			return (int)i;
	return -1;
}

/* Compact text of an environment value (strings as they are). */
static char *envdiff_text(const json_t *v)
{
	if (!v)
		return strdup("(absent)");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* "k=v; k2=v2" for the members of a whose value differs in b. */
static char *envdiff_members(const json_t *a, const json_t *b)
{
	char *buf = NULL, *v;
	size_t len = 0;
	const char *k;
	json_t *x;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_object_foreach((json_t *)a, k, x)
	{
		const json_t *y = json_object_get(b, k);

		if (y && json_equal(x, y))
			continue;
		v = envdiff_text(x);
		fprintf(f, "%s%s=%s", ftell(f) ? "; " : "", k, v ? v : "?");
		free(v);
	}
	json_object_foreach((json_t *)b, k, x)
	{
		if (!json_object_get(a, k))
			fprintf(f, "%s%s=(absent)", ftell(f) ? "; " : "", k);
	}
	fclose(f);
	return buf;
}

/* The differences of run from ref, appended to c->env_diff; refusals. */
static int envdiff_run(struct kerf_gate_cmp *c, const struct kerf_gate_run *ref,
		       const struct kerf_gate_run *run,
		       const struct kerf_gate_opts *o)
{
	const json_t *be = json_object_get(ref->run, "env");
	const json_t *ne = json_object_get(run->run, "env");
	int refused = 0;

	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++) {
		const json_t *a = json_object_get(be, kerf_env_keys[i].key);
		const json_t *b = json_object_get(ne, kerf_env_keys[i].key);
		char *ta, *tb;
		json_t *d;
		bool refuse;

		if ((!a && !b) || (a && b && json_equal(a, b)))
			continue;
		/* Fail closed: a key one side lacks differs. */
		refuse = kerf_env_keys[i].matters && !o->allow[i];
		refused += refuse;
		if (json_is_object(a) && json_is_object(b)) {
			/* Only the members that differ (mitigations...). */
			ta = envdiff_members(a, b);
			tb = envdiff_members(b, a);
		} else {
			ta = envdiff_text(a);
			tb = envdiff_text(b);
		}
		d = json_object();
		json_object_set_new(d, "key",
				    json_string(kerf_env_keys[i].key));
		json_object_set_new(d, "run", json_string(run->path));
		json_object_set_new(d, "base", json_string(ta ? ta : "?"));
		json_object_set_new(d, "new", json_string(tb ? tb : "?"));
		json_object_set_new(d, "matters",
				    json_boolean(kerf_env_keys[i].matters));
		json_object_set_new(d, "allowed", json_boolean(o->allow[i]));
		json_object_set_new(d, "refused", json_boolean(refuse));
		json_array_append_new(c->env_diff, d);
		free(ta);
		free(tb);
	}
	return refused;
}

int kerf_gate_env(struct kerf_gate_cmp *c, const struct kerf_gate_opts *o)
{
	int refused = 0, i;

	for (i = 1; i < c->nb; i++)
		refused += envdiff_run(c, &c->base[0], &c->base[i], o);
	for (i = 0; i < c->nn; i++)
		refused += envdiff_run(c, &c->base[0], &c->new[i], o);
	return refused;
}

bool kerf_gate_env_matches(const struct kerf_gate_run *a,
			   const struct kerf_gate_run *b)
{
	const json_t *ea = json_object_get(a->run, "env");
	const json_t *eb = json_object_get(b->run, "env");

	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++) {
		const json_t *x = json_object_get(ea, kerf_env_keys[i].key);
		const json_t *y = json_object_get(eb, kerf_env_keys[i].key);

		if (!kerf_env_keys[i].matters || (!x && !y))
			continue;
		if (!x || !y || !json_equal(x, y))
			return false;
	}
	return true;
}
