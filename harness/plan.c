/* SPDX-License-Identifier: MIT */
/* From patterns and -p options to the list of (bench, parameter set) jobs. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "plan.h"

const struct kerf_profile kerf_profiles[3] = {
	{ .id = 0,
	  .name = "quick",
	  .procs = 3,
	  .samples = 5,
	  .target_ns = 2000000,
	  .warmup_ns = 5000000,
	  .budget_ns = 1000000000ull,
	  .timeout_ns = 120000000000ull },
	{ .id = 1,
	  .name = "default",
	  .procs = 10,
	  .samples = 10,
	  .target_ns = 10000000,
	  .warmup_ns = 20000000,
	  .budget_ns = 3000000000ull,
	  .timeout_ns = 600000000000ull },
	{ .id = 2,
	  .name = "full",
	  .procs = 20,
	  .samples = 20,
	  .target_ns = 20000000,
	  .warmup_ns = 50000000,
	  .budget_ns = 10000000000ull,
	  .timeout_ns = 1800000000000ull },
};

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool in_family(const char *name, const char *family)
{
	size_t l = strlen(family);

	return !strncmp(name, family, l) && name[l] == '/';
}

int plan_select(char **patterns, int npat, bool *selected)
{
	memset(selected, 0, (size_t)kerf_nbenches * sizeof(*selected));
	if (!npat) {
		for (int i = 0; i < kerf_nbenches; i++)
			selected[i] =
				!(kerf_benches[i]->flags & KERF_F_NODEFAULT);
		return 0;
	}
	for (int p = 0; p < npat; p++) {
		bool hit = false;

		for (int i = 0; i < kerf_nbenches; i++) {
			const char *n = kerf_benches[i]->name;

			if (has_glob(patterns[p]) ?
				    !fnmatch(patterns[p], n, 0) :
				    (!strcmp(n, patterns[p]) ||
				     in_family(n, patterns[p]))) {
				selected[i] = true;
				hit = true;
			}
		}
		if (!hit) {
			fprintf(stderr,
				"kerf run: no bench matches '%s' (a bench name such as syscall/getppid, a family such as syscall, or a glob such as 'vdso/*'; see kerf list)\n",
				patterns[p]);
			kerf_suggest(patterns[p]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Split "a,b,c" into a JSON array of strings. */
static json_t *split_list(const char *s)
{
	json_t *a = json_array();
	char *dup = strdup(s), *save = NULL;

	for (char *t = strtok_r(dup, ",", &save); t;
	     t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(t));
	free(dup);
	return a;
}

/* The profile's override for parameter name in "n1=v1,v2 n2=v3", or NULL. */
static json_t *profile_value(const char *spec, const char *name)
{
	size_t l = strlen(name);
	const char *p = spec;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, name, l) && p[l] == '=') {
			const char *v = p + l + 1, *e = strchr(v, ' ');
			char buf[512];

			snprintf(buf, sizeof(buf), "%.*s",
				 (int)(e ? (size_t)(e - v) : strlen(v)), v);
			return split_list(buf);
		}
		p = strchr(p, ' ');
	}
	return NULL;
}

int plan_check_sets(const struct plan_set *sets, int nsets,
		    const bool *selected)
{
	for (int s = 0; s < nsets; s++) {
		bool used = false;

		for (int i = 0; i < kerf_nbenches; i++)
			if (selected[i] &&
			    kerf_param_find(kerf_benches[i], sets[s].name))
				used = true;
		if (used)
			continue;
		fprintf(stderr,
			"kerf run: unknown parameter '%s': none of the selected benches takes it\n",
			sets[s].name);
		for (int i = 0, shown = 0; i < kerf_nbenches && shown < 8;
		     i++) {
			const struct kerf_param *p;

			if (!selected[i] || !kerf_benches[i]->params ||
			    !kerf_benches[i]->params->name)
				continue;
			fprintf(stderr, "  %s takes:", kerf_benches[i]->name);
			for (p = kerf_benches[i]->params; p->name; p++)
				fprintf(stderr, " %s", p->name);
			fprintf(stderr, "\n");
			shown++;
		}
		return -EINVAL;
	}
	return 0;
}

/*
 * The bench's check of one parameter set (b->check): the values stored
 * into a zeroed private struct as setup would see them.
 */
static int plan_check_job(const struct kerf_bench *b, json_t *params)
{
	void *priv = calloc(1, b->priv_size ? b->priv_size : 1);
	char msg[512] = "";
	const char *k;
	json_t *v;
	int err = priv ? 0 : -ENOMEM;

	json_object_foreach(params, k, v)
	{
		const struct kerf_param *p = kerf_param_find(b, k);

		if (!err && p)
			err = kerf_param_store(p, priv, json_string_value(v));
	}
	if (!err && b->check(priv, msg, sizeof(msg))) {
		fprintf(stderr, "kerf run: %s: %s\n", b->name, msg);
		err = -EINVAL;
	}
	free(priv);
	return err;
}

/* Append every combination of values[0..np) to jobs, first param slowest. */
static int cartesian(const struct kerf_bench *b, json_t **values,
		     const struct kerf_param **ps, int np, int at, json_t *cur,
		     json_t *jobs)
{
	size_t i;
	json_t *v;
	int err = 0;

	if (at == np) {
		if (b->check)
			err = plan_check_job(b, cur);
		if (!err)
			json_array_append_new(
				jobs, json_pack("{s:s, s:o}", "bench", b->name,
						"params", json_deep_copy(cur)));
		return err;
	}
	json_array_foreach(values[at], i, v)
	{
		json_object_set(cur, ps[at]->name, v);
		err = cartesian(b, values, ps, np, at + 1, cur, jobs);
		if (err)
			break;
	}
	json_object_del(cur, ps[at]->name);
	return err;
}

int plan_expand(const bool *selected, const struct plan_set *sets, int nsets,
		int profile, json_t *jobs)
{
	for (int i = 0; i < kerf_nbenches; i++) {
		const struct kerf_bench *b = kerf_benches[i];
		const struct kerf_param *ps[64];
		json_t *values[64], *cur;
		int np = 0, err = 0;

		if (!selected[i])
			continue;
		for (const struct kerf_param *p = b->params;
		     p && p->name && np < 64; p++) {
			json_t *raw = NULL, *canon = json_array(), *v;
			size_t k;

			for (int s = nsets - 1; s >= 0 && !raw; s--)
				if (!strcmp(sets[s].name, p->name))
					raw = split_list(sets[s].values);
			if (!raw && profile == 0 && b->quick)
				raw = profile_value(b->quick, p->name);
			if (!raw && profile == 2 && b->full)
				raw = profile_value(b->full, p->name);
			if (!raw)
				raw = split_list(p->def);
			if (!json_array_size(raw)) {
				fprintf(stderr,
					"kerf run: %s: parameter %s has no value\n",
					b->name, p->name);
				err = -EINVAL;
			}
			json_array_foreach(raw, k, v)
			{
				char c[256], msg[512];

				if (kerf_param_check(p, json_string_value(v), c,
						     sizeof(c), msg,
						     sizeof(msg))) {
					fprintf(stderr, "kerf run: %s: %s\n",
						b->name, msg);
					err = -EINVAL;
					break;
				}
				json_array_append_new(canon, json_string(c));
			}
			json_decref(raw);
			ps[np] = p;
			values[np++] = canon;
		}
		if (!err) {
			cur = json_object();
			err = cartesian(b, values, ps, np, 0, cur, jobs);
			json_decref(cur);
		}
		for (int k = 0; k < np; k++)
			json_decref(values[k]);
		if (err)
			return err;
	}
	return 0;
}

int plan_jobs(const char *cmd, char **patterns, int npat,
	      const struct plan_set *sets, int nsets, int profile, json_t *jobs)
{
	bool *selected = calloc((size_t)kerf_nbenches + 1, sizeof(bool));
	int err = -EINVAL;

	if (plan_select(patterns, npat, selected) ||
	    plan_check_sets(sets, nsets, selected) ||
	    plan_expand(selected, sets, nsets, profile, jobs))
		goto out;
	if (!json_array_size(jobs)) {
		fprintf(stderr, "kerf %s: nothing to run\n", cmd);
		goto out;
	}
	err = 0;
out:
	free(selected);
	return err;
}
