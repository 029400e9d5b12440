/* SPDX-License-Identifier: MIT */
/* The report's one door to the gate: every verdict, interval and threshold on the page comes from kerf compare's engine through rep_verdicts(). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/result.h"
#include "report/util.h"
#include "report/verdicts.h"

const char *const rep_verdict_name[REP_N_VERDICTS] = {
	"no change", "regression", "improvement",  "inconclusive",
	"missing",   "failed",	   "not compared",
};

/* Okabe-Ito: told apart by colour-blind readers too. */
const char *const rep_verdict_colour[REP_N_VERDICTS] = {
	"#999999", "#d55e00", "#0072b2", "#e69f00",
	"#000000", "#000000", "#bbbbbb",
};

/* The level today's engine tests at: samples of one run against another. */
static const char verdicts_level[] = "sample (one run a side)";

/*
 * A loaded run indexed as kerf_gate_load() indexes a file: key -> the first
 * result of that key, and the keys in run order.
 */
static int verdicts_index(json_t *run, const char *path,
			  struct kerf_gate_run *r)
{
	char key[KERF_GATE_KEYLEN];
	json_t *res;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->run = json_incref(run);
	r->index = json_object();
	r->order = json_array();
	if (!r->index || !r->order)
		return -ENOMEM;
	json_array_foreach(json_object_get(run, "results"), i, res)
	{
		if (kerf_result_key(res, key, sizeof(key)) ||
		    json_object_get(r->index, key))
			continue;
		json_object_set(r->index, key, res);
		json_array_append_new(r->order, json_string(key));
	}
	return 0;
}

static void verdicts_untested(struct rep_verdict *x, const char *key,
			      const json_t *b, const json_t *n)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->key, sizeof(x->key), "%s", key);
	x->base = b;
	x->new = n;
	x->est = x->lo = x->hi = NAN;
	x->p_adj = x->thr_pct = x->detectable_pct = NAN;
	x->level = "not tested";
	x->thr_from = "";
}

/* A pair the gate tested: its estimate, interval, p, threshold, verdict. */
static void verdicts_pair(struct rep_verdict *x, const struct kerf_gate_pair *p)
{
	verdicts_untested(x, p->key, p->b, p->n);
	x->est = p->ci.ratio;
	x->lo = p->ci.lo;
	x->hi = p->ci.hi;
	x->p_adj = p->p_holm;
	x->thr_pct = p->thr_pct;
	x->thr_from = p->thr_measured ? "--noise file" :
		      p->thr_own      ? "noise_pct" :
					"default";
	x->level = verdicts_level;
	if (p->blind) {
		x->v = REP_INCONCLUSIVE;
		snprintf(x->why, sizeof(x->why),
			 "blind: one worker process a side and no noise "
			 "floor, so the gate gives no verdict");
	} else {
		x->v = p->v == KERF_REGRESSION	? REP_REGRESSION :
		       p->v == KERF_IMPROVEMENT ? REP_IMPROVEMENT :
						  REP_SAME;
	}
}

/* A result of BASE the gate skipped or found missing in the run. */
static void verdicts_skipped(struct rep_verdict *x, const char *key,
			     const json_t *b, const json_t *n, const char *why)
{
	verdicts_untested(x, key, b, n);
	snprintf(x->why, sizeof(x->why), "%s", why ? why : "");
	if (!n)
		x->v = REP_MISSING;
	else if (ju_result_ok(b) && !ju_result_ok(n))
		x->v = REP_FAILED;
	else
		x->v = REP_NOT_COMPARED;
}

/* The gate's column, one verdict per key of BASE, in BASE's order. */
static int verdicts_fill(const struct kerf_gate_run *base,
			 const struct kerf_gate_column *col, struct rep_cmp *c)
{
	json_t *pairs = json_object(), *skip = json_object(), *k, *s;
	size_t i, j;

	c->r = calloc(json_array_size(base->order) + 1, sizeof(*c->r));
	if (!c->r || !pairs || !skip) {
		json_decref(pairs);
		json_decref(skip);
		return -ENOMEM;
	}
	for (j = 0; j < col->np; j++)
		json_object_set_new(pairs, col->pairs[j].key, json_integer(j));
	json_array_foreach(col->skipped, j, s)
		json_object_set(skip, ju_str(s, "key"), s);
	json_array_foreach(base->order, i, k)
	{
		const char *key = json_string_value(k);
		json_t *pj = json_object_get(pairs, key);
		struct rep_verdict *x = &c->r[c->n++];

		if (pj)
			verdicts_pair(x, &col->pairs[json_integer_value(pj)]);
		else
			verdicts_skipped(
				x, key, json_object_get(base->index, key),
				json_object_get(col->run->index, key),
				ju_str(json_object_get(skip, key), "why"));
		c->count[x->v]++;
	}
	c->only_new = json_array_size(col->only_new);
	json_decref(pairs);
	json_decref(skip);
	return 0;
}

/* What the gate tested, in words, for the summary. */
static void verdicts_method(struct rep_cmp *c, size_t npairs)
{
	c->single = true;
	snprintf(c->method, sizeof(c->method),
		 "each result's samples against the other run's "
		 "(Mann-Whitney U, Holm over %zu results; bootstrap %g%% "
		 "interval of the median ratio)",
		 npairs, KERF_GATE_LEVEL * 100);
}

/* BASE against one other run through the gate's column. */
static int verdicts_one(const struct kerf_gate_run *base, json_t *run,
			const struct kerf_gate_opts *o, struct rep_cmp *c)
{
	struct kerf_gate_run nr;
	struct kerf_gate_column col;
	int ret;

	ret = verdicts_index(run, "new", &nr);
	if (!ret)
		ret = kerf_gate_column_init(&col, &nr);
	if (ret) {
		kerf_gate_run_free(&nr);
		return ret;
	}
	c->refused = kerf_gate_env(base, &col, o);
	ret = kerf_gate_column(base, &col, o);
	if (!ret)
		ret = verdicts_fill(base, &col, c);
	if (!ret) {
		c->env_diff = json_incref(col.env_diff);
		verdicts_method(c, col.np);
	}
	kerf_gate_column_free(&col);
	kerf_gate_run_free(&nr);
	return ret;
}

int rep_verdicts(json_t *const *runs, int nruns, struct rep_cmp **out)
{
	struct kerf_gate_opts o;
	struct kerf_gate_run base;
	struct rep_cmp *c;
	int i, ret;

	*out = NULL;
	if (nruns < 2)
		return 0;
	c = calloc(nruns - 1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	kerf_gate_opts_init(&o);
	ret = verdicts_index(runs[0], "base", &base);
	for (i = 1; !ret && i < nruns; i++) {
		c[i - 1].run = i;
		ret = verdicts_one(&base, runs[i], &o, &c[i - 1]);
	}
	kerf_gate_run_free(&base);
	if (ret) {
		rep_verdicts_free(c, nruns - 1);
		return ret;
	}
	*out = c;
	return nruns - 1;
}

void rep_verdicts_free(struct rep_cmp *c, int n)
{
	int i;

	for (i = 0; c && i < n; i++) {
		free(c[i].r);
		json_decref(c[i].env_diff);
	}
	free(c);
}
