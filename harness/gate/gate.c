/* SPDX-License-Identifier: MIT */
/* The gate's engine: loads runs, pairs their results, tests them, judges. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/gate.h"
#include "kerf/result.h"
#include "kerf/stats.h"

const char *const kerf_verdict_name[] = { "no change", "regression",
					  "improvement" };

void kerf_gate_opts_init(struct kerf_gate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = KERF_GATE_THRESHOLD_PCT;
	o->alpha = KERF_GATE_ALPHA;
}

static void gate_bad_input(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void gate_bad_input(const char *fmt, ...)
{
	va_list ap;

	fputs("kerf compare: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The noise floors are measured from A/A runs, see docs/gate-validation.sh. */
int kerf_gate_load_noise(const char *path, struct kerf_gate_opts *o)
{
	const char *schema, *k;
	json_error_t je;
	json_t *root, *np, *v;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line > 0)
			gate_bad_input("%s:%d:%d: %s", path, je.line, je.column,
				       je.text);
		else
			gate_bad_input("%s: %s", path, je.text);
		return -EINVAL;
	}
	schema = json_string_value(json_object_get(root, "schema"));
	np = json_object_get(root, "noise_pct");
	if (!schema || strcmp(schema, "kerf.noise/1") || !json_is_object(np)) {
		gate_bad_input(
			"%s: not a noise file (expected schema \"kerf.noise/1\" and a \"noise_pct\" object)",
			path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(np, k, v)
	{
		if (!json_is_number(v) || !(json_number_value(v) >= 0)) {
			gate_bad_input(
				"%s: noise_pct of %s is not a number >= 0",
				path, k);
			json_decref(root);
			return -EINVAL;
		}
	}
	json_decref(o->noise);
	o->noise = json_incref(np);
	json_decref(root);
	return 0;
}

int kerf_gate_load(const char *path, struct kerf_gate_run *r)
{
	char err[4096], key[KERF_GATE_KEYLEN];
	json_t *res;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->run = kerf_run_load(path, err, sizeof(err));
	if (!r->run) {
		gate_bad_input("%s", err);
		return -EINVAL;
	}
	r->index = json_object();
	r->order = json_array();
	json_array_foreach(json_object_get(r->run, "results"), i, res)
	{
		if (kerf_result_key(res, key, sizeof(key))) {
			gate_bad_input(
				"%s: results[%zu]: no bench name, or a key too long",
				path, i);
			kerf_gate_run_free(r);
			return -EINVAL;
		}
		if (json_object_get(r->index, key)) {
			gate_bad_input(
				"%s: %s appears twice; the first is compared",
				path, key);
			continue;
		}
		json_object_set(r->index, key, res);
		json_array_append_new(r->order, json_string(key));
	}
	return 0;
}

void kerf_gate_run_free(struct kerf_gate_run *r)
{
	json_decref(r->run);
	json_decref(r->index);
	json_decref(r->order);
}

int kerf_gate_sampleset(const char *path, const char *key, const json_t *res,
			struct kerf_sampleset *s)
{
	const json_t *js = json_object_get(res, "samples");
	const json_t *sp = json_object_get(res, "sample_procs");
	size_t i, len = json_array_size(js);
	double *x;
	int *g;

	memset(s, 0, sizeof(*s));
	if (!json_is_array(js) || !len) {
		gate_bad_input("%s: %s: status ok but \"samples\" is empty",
			       path, key);
		return -EINVAL;
	}
	x = malloc(len * sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		const json_t *v = json_array_get(js, i);

		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			gate_bad_input("%s: %s: samples[%zu] is not a number",
				       path, key, i);
			free(x);
			return -EINVAL;
		}
		x[i] = json_number_value(v);
	}
	if (json_is_array(sp) && json_array_size(sp) == len) {
		g = malloc(len * sizeof(*g));
		if (!g) {
			free(x);
			return -ENOMEM;
		}
		for (i = 0; i < len; i++)
			g[i] = (int)json_integer_value(json_array_get(sp, i));
		s->proc = g;
	}
	s->x = x;
	s->n = len;
	return 0;
}

void kerf_gate_sampleset_free(struct kerf_sampleset *s)
{
	free((void *)s->x);
	free((void *)s->proc);
	memset(s, 0, sizeof(*s));
}

static const char *gate_status(const json_t *res)
{
	const char *s = json_string_value(json_object_get(res, "status"));

	return s ? s : "?";
}

static const char *gate_reason(const json_t *res)
{
	const char *r = json_string_value(json_object_get(res, "reason"));

	return r ? r : "no reason given";
}

/*
 * Why the two results cannot be compared, in why; false when they can:
 * both ok, the same unit and direction, samples on both sides.
 */
static bool gate_not_comparable(const json_t *b, const json_t *n, char *why,
				size_t len)
{
	const char *ub = json_string_value(json_object_get(b, "unit"));
	const char *un = json_string_value(json_object_get(n, "unit"));
	const char *bb = json_string_value(json_object_get(b, "better"));
	const char *bn = json_string_value(json_object_get(n, "better"));
	const char *sb = gate_status(b), *sn = gate_status(n);
	const char *mode;

	if (strcmp(sb, "ok") || strcmp(sn, "ok")) {
		snprintf(why, len, "BASE %s%s%s, NEW %s%s%s", sb,
			 strcmp(sb, "ok") ? ": " : "",
			 strcmp(sb, "ok") ? gate_reason(b) : "", sn,
			 strcmp(sn, "ok") ? ": " : "",
			 strcmp(sn, "ok") ? gate_reason(n) : "");
		return true;
	}
	if (!ub || !un || strcmp(ub, un)) {
		snprintf(why, len, "units differ: %s vs %s", ub ? ub : "?",
			 un ? un : "?");
		return true;
	}
	if (!bb || (strcmp(bb, "lower") && strcmp(bb, "higher")) || !bn ||
	    strcmp(bb, bn)) {
		snprintf(why, len,
			 "direction unknown or differs: better %s vs %s",
			 bb ? bb : "?", bn ? bn : "?");
		return true;
	}
	if (!json_is_array(json_object_get(b, "samples")) ||
	    !json_is_array(json_object_get(n, "samples"))) {
		/* A stressor's single headline value: nothing to test. */
		mode = json_string_value(json_object_get(b, "mode"));
		snprintf(why, len,
			 "no samples (mode %s): a single value is not compared",
			 mode ? mode : "?");
		return true;
	}
	return false;
}

/* The pair's threshold: the option, a bench's noise_pct, the --noise file. */
static void gate_threshold(struct kerf_gate_pair *p,
			   const struct kerf_gate_opts *o)
{
	const json_t *nn = json_object_get(p->n, "noise_pct");
	const json_t *nb = json_object_get(p->b, "noise_pct");
	const json_t *m = o->noise ? json_object_get(o->noise, p->key) : NULL;
	double own = 0;

	if (json_is_number(nn))
		own = json_number_value(nn);
	else if (json_is_number(nb))
		own = json_number_value(nb);
	p->thr_pct = o->threshold;
	if (own > 0 && !o->threshold_set) {
		p->thr_pct = own;
		p->thr_own = true;
	}
	if (json_is_number(m)) {
		if (json_number_value(m) > p->thr_pct)
			p->thr_pct = json_number_value(m);
		p->thr_own = true;
		p->thr_measured = true;
	}
}

int kerf_gate_pair(const char *key, const char *bpath, const json_t *b,
		   const char *npath, const json_t *n,
		   const struct kerf_gate_opts *o, struct kerf_gate_pair *p,
		   char *why, size_t whylen)
{
	struct kerf_sampleset sb, sn;
	int ret;

	if (gate_not_comparable(b, n, why, whylen))
		return 1;
	ret = kerf_gate_sampleset(bpath, key, b, &sb);
	if (ret)
		return ret;
	ret = kerf_gate_sampleset(npath, key, n, &sn);
	if (ret)
		goto out_b;

	memset(p, 0, sizeof(*p));
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->b = b;
	p->n = n;
	p->lower_better = !strcmp(
		json_string_value(json_object_get(b, "better")), "lower");
	p->mb = kerf_median(sb.x, sb.n);
	p->mn = kerf_median(sn.x, sn.n);
	ret = kerf_boot_ratio(&sb, &sn, kerf_gate_seed(key), KERF_BOOT_REPS,
			      KERF_GATE_LEVEL, o->plain ? 0 : KERF_BOOT_EXPAND,
			      &p->ci);
	if (ret == -EINVAL) {
		snprintf(
			why, whylen,
			"a median is zero or negative (BASE %g, NEW %g): no ratio",
			p->mb, p->mn);
		ret = 1;
		goto out;
	}
	if (!ret)
		ret = kerf_mwu(sn.x, sn.n, sb.x, sb.n, false, &p->u);
	if (!ret)
		gate_threshold(p, o);
out:
	kerf_gate_sampleset_free(&sn);
out_b:
	kerf_gate_sampleset_free(&sb);
	return ret;
}

void kerf_gate_verdicts(struct kerf_gate_pair *pairs, size_t n,
			const struct kerf_gate_opts *o,
			struct kerf_gate_tally *t)
{
	double *p = calloc(n + 1, sizeof(*p)), lsum = 0;
	size_t i, nlog = 0;

	if (!p)
		return;
	for (i = 0; i < n; i++)
		p[i] = pairs[i].u.p;
	kerf_holm(p, n, p);
	t->geomean = NAN;
	for (i = 0; i < n; i++) {
		struct kerf_gate_pair *q = &pairs[i];
		double th = q->thr_pct / 100;
		bool up = q->ci.lo > 1 + th, down = q->ci.hi < 1 - th;

		q->p_holm = p[i];
		q->v = KERF_SAME;
		/*
		 * Samples of one worker process show nothing of the variance
		 * from run to run, which is what an A/A comparison of such
		 * a bench mostly shows: without a declared noise floor the
		 * expanded interval has no degrees of freedom, so no change.
		 */
		q->blind = !o->plain && !q->thr_own &&
			   (q->ci.procs_base < 2 || q->ci.procs_new < 2);
		if (!q->blind && q->p_holm < o->alpha && (up || down)) {
			if (up == q->lower_better)
				q->v = KERF_REGRESSION;
			else
				q->v = KERF_IMPROVEMENT;
		}
		t->nreg += q->v == KERF_REGRESSION;
		t->nimp += q->v == KERF_IMPROVEMENT;
		if (q->ci.ratio > 0) {
			/* Cost ratio: above 1 is worse whatever the direction. */
			lsum += q->lower_better ? log(q->ci.ratio) :
						  -log(q->ci.ratio);
			nlog++;
		}
	}
	if (nlog)
		t->geomean = exp(lsum / (double)nlog);
	free(p);
}

int kerf_gate_column_init(struct kerf_gate_column *c, struct kerf_gate_run *r)
{
	memset(c, 0, sizeof(*c));
	c->run = r;
	c->only_base = json_array();
	c->only_new = json_array();
	c->skipped = json_array();
	c->env_diff = json_array();
	if (!c->only_base || !c->only_new || !c->skipped || !c->env_diff)
		return -ENOMEM;
	return 0;
}

void kerf_gate_column_free(struct kerf_gate_column *c)
{
	free(c->pairs);
	json_decref(c->only_base);
	json_decref(c->only_new);
	json_decref(c->skipped);
	json_decref(c->env_diff);
	memset(c, 0, sizeof(*c));
}

static void gate_add_skipped(struct kerf_gate_column *c, const char *key,
			     const char *why)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", json_string(key));
	json_object_set_new(o, "why", json_string(why));
	json_array_append_new(c->skipped, o);
}

int kerf_gate_column(const struct kerf_gate_run *base,
		     struct kerf_gate_column *c, const struct kerf_gate_opts *o)
{
	size_t i, nb = json_array_size(base->order);
	const char *key;
	json_t *k, *res;
	char why[1024];
	int ret;

	c->pairs = calloc(nb + 1, sizeof(*c->pairs));
	if (!c->pairs)
		return -ENOMEM;
	json_array_foreach(base->order, i, k)
	{
		const json_t *nres;

		key = json_string_value(k);
		nres = json_object_get(c->run->index, key);
		if (!nres) {
			json_array_append(c->only_base, k);
			continue;
		}
		ret = kerf_gate_pair(key, base->path,
				     json_object_get(base->index, key),
				     c->run->path, nres, o, &c->pairs[c->np],
				     why, sizeof(why));
		if (ret < 0)
			return ret;
		if (ret)
			gate_add_skipped(c, key, why);
		else
			c->np++;
	}
	json_object_foreach(c->run->index, key, res)
	{
		if (!json_object_get(base->index, key))
			json_array_append_new(c->only_new, json_string(key));
	}
	kerf_gate_verdicts(c->pairs, c->np, o, &c->t);
	return 0;
}
