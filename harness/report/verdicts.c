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

/* One result as the gate judged it (the enums share their order). */
static void verdicts_result(struct rep_verdict *x,
			    const struct kerf_gate_result *g,
			    const struct kerf_gate_run *nr)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->key, sizeof(x->key), "%s", g->key);
	x->base = g->res;
	x->new = json_object_get(nr->index, g->key);
	x->est = g->est;
	x->lo = g->lo;
	x->hi = g->hi;
	x->p_adj = g->p_adj;
	x->thr_pct = g->thr_pct;
	x->detectable_pct = g->detectable_pct;
	x->level = kerf_gate_level_name[g->level];
	x->thr_from = g->thr_from ? g->thr_from : "";
	x->units_needed = g->units_needed;
	x->v = (enum rep_v)g->v;
	snprintf(x->why, sizeof(x->why), "%s", g->why);
}

/* BASE against one other run through the gate's engine. */
static int verdicts_one(struct kerf_gate_run *base, json_t *run,
			const struct kerf_gate_opts *o, struct rep_cmp *c)
{
	struct kerf_gate_cmp g = { 0 };
	struct kerf_gate_run nr;
	size_t i;
	int ret;

	ret = verdicts_index(run, "new", &nr);
	if (!ret)
		ret = kerf_gate_compare(base, 1, &nr, 1, o, &g);
	if (!ret) {
		c->r = calloc(g.n + 1, sizeof(*c->r));
		ret = c->r ? 0 : -ENOMEM;
	}
	for (i = 0; !ret && i < g.n; i++) {
		verdicts_result(&c->r[c->n++], &g.r[i], &nr);
		c->count[c->r[i].v]++;
	}
	if (!ret) {
		c->only_new = json_array_size(g.only_new);
		c->refused = g.refused;
		c->env_diff = json_incref(g.env_diff);
		/* One run a side: the gate tested samples, which say
		 * nothing of the run-to-run spread. */
		c->single = g.level == KERF_LEVEL_SAMPLE ||
			    g.level == KERF_LEVEL_NOISE;
		snprintf(c->method, sizeof(c->method), "%s%s%s",
			 g.method ? g.method : "", g.method_why[0] ? ": " : "",
			 g.method_why);
	}
	kerf_gate_cmp_free(&g);
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
	/* Single runs get the gate's sample-level verdicts, and the page
	 * says they need replication (rep_cmp.single). */
	o.allow_single_run = true;
	ret = verdicts_index(runs[0], "base", &base);
	for (i = 1; !ret && i < nruns; i++) {
		c[i - 1].run = i;
		ret = verdicts_one(&base, runs[i], &o, &c[i - 1]);
	}
	kerf_gate_run_free(&base);
	kerf_gate_opts_free(&o);
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
