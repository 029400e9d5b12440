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

const char *const kerf_verdict_name[KERF_N_VERDICTS] = {
	"no change", "regression", "improvement",  "inconclusive",
	"missing",   "failed",	   "not compared",
};

const char *const kerf_gate_level_name[] = {
	"round-paired",
	"run",
	"run (sd_log from the noise file)",
	"sample (single run, --allow-single-run)",
	"none",
};

void kerf_gate_opts_init(struct kerf_gate_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = KERF_GATE_THRESHOLD_PCT;
	o->alpha = KERF_GATE_ALPHA;
	o->seed = KERF_GATE_SEED;
}

void kerf_gate_opts_free(struct kerf_gate_opts *o)
{
	json_decref(o->noise);
	json_decref(o->noise_sd);
	o->noise = o->noise_sd = NULL;
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

/* Every member of obj a number >= 0; else said, false. */
static bool gate_noise_numbers(const char *path, const char *what,
			       const json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
	{
		if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
		    !isfinite(json_number_value(v))) {
			gate_bad_input("%s: %s of %s is not a number >= 0",
				       path, what, k);
			return false;
		}
	}
	return true;
}

/* The spreads come from A/A runs, see docs/gate-validation.sh. */
int kerf_gate_load_noise(const char *path, struct kerf_gate_opts *o)
{
	json_t *root, *np, *sd;
	const char *schema;
	json_error_t je;
	bool v2;

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
	sd = json_object_get(root, "sd_log");
	v2 = schema && !strcmp(schema, "kerf.noise/2");
	if (!schema ||
	    (v2 ? !json_is_object(sd) :
		  strcmp(schema, "kerf.noise/1") || !json_is_object(np))) {
		gate_bad_input(
			"%s: not a noise file (expected schema \"kerf.noise/2\" with an \"sd_log\" object, or \"kerf.noise/1\" with \"noise_pct\")",
			path);
		json_decref(root);
		return -EINVAL;
	}
	if ((json_is_object(np) &&
	     !gate_noise_numbers(path, "noise_pct", np)) ||
	    (v2 && !gate_noise_numbers(path, "sd_log", sd))) {
		json_decref(root);
		return -EINVAL;
	}
	kerf_gate_opts_free(o);
	if (json_is_object(np))
		o->noise = json_incref(np);
	if (v2)
		o->noise_sd = json_incref(sd);
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

static bool gate_ok(const json_t *res)
{
	return res && !strcmp(gate_status(res), "ok");
}

static const char *gate_reason(const json_t *res)
{
	const char *r = json_string_value(json_object_get(res, "reason"));

	return r ? r : "no reason given";
}

/*
 * Log of the median of the samples of res (round < 0: all; else those of
 * that round, from sample_rounds, or round_medians when there is none).
 * NAN when there is none or it is not above zero.
 */
static double gate_log_median(const json_t *res, int round)
{
	const json_t *js = json_object_get(res, "samples");
	const json_t *sr = json_object_get(res, "sample_rounds");
	const json_t *rm = json_object_get(res, "round_medians");
	size_t i, n = json_array_size(js), k = 0;
	double *x, med;

	if (round >= 0 && json_array_size(sr) != n) {
		const json_t *v = json_array_get(rm, (size_t)round);

		return json_is_number(v) && json_number_value(v) > 0 ?
			       log(json_number_value(v)) :
			       NAN;
	}
	x = malloc((n + 1) * sizeof(*x));
	if (!x)
		return NAN;
	for (i = 0; i < n; i++) {
		const json_t *v = json_array_get(js, i);

		if (round >= 0 &&
		    json_integer_value(json_array_get(sr, i)) != round)
			continue;
		if (json_is_number(v) && isfinite(json_number_value(v)))
			x[k++] = json_number_value(v);
	}
	med = k ? kerf_median(x, k) : NAN;
	free(x);
	return med > 0 ? log(med) : NAN;
}

/* config.rounds of a run, 1 when absent. */
static long gate_rounds(const struct kerf_gate_run *r)
{
	const json_t *v =
		json_object_get(json_object_get(r->run, "config"), "rounds");

	return json_is_integer(v) ? (long)json_integer_value(v) : 1;
}

/* One run a side from the same kerf ab, with the same rounds: pair them. */
static bool gate_is_paired(const struct kerf_gate_cmp *c)
{
	const json_t *ab, *an;
	long rb, rn;

	if (c->nb != 1 || c->nn != 1)
		return false;
	rb = gate_rounds(&c->base[0]);
	rn = gate_rounds(&c->new[0]);
	ab = json_object_get(json_object_get(c->base[0].run, "config"), "arm");
	an = json_object_get(json_object_get(c->new[0].run, "config"), "arm");
	return rb >= 2 && rb == rn && rb <= 4096 && json_is_object(ab) &&
	       json_is_object(an);
}

/*
 * Why BASE's result b and NEW's n cannot be compared (units, direction,
 * no samples), in why; false when they can.
 */
static bool gate_not_comparable(const json_t *b, const json_t *n, char *why,
				size_t len)
{
	const char *ub = json_string_value(json_object_get(b, "unit"));
	const char *un = json_string_value(json_object_get(n, "unit"));
	const char *bb = json_string_value(json_object_get(b, "better"));
	const char *bn = json_string_value(json_object_get(n, "better"));
	const char *mode;

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
	if (!json_array_size(json_object_get(b, "samples")) ||
	    !json_array_size(json_object_get(n, "samples"))) {
		/* A stressor's single headline value: nothing to test. */
		mode = json_string_value(json_object_get(b, "mode"));
		snprintf(why, len,
			 "no samples (mode %s): a single value is not compared",
			 mode ? mode : "?");
		return true;
	}
	return false;
}

/* The result's threshold: the option, BASE's noise_pct, the noise file. */
static void gate_threshold(const struct kerf_gate_cmp *c,
			   struct kerf_gate_result *r,
			   const struct kerf_gate_opts *o)
{
	const json_t *m = o->noise ? json_object_get(o->noise, r->key) : NULL;

	r->thr_pct = o->threshold;
	r->thr_from = o->threshold_set ? "option" : "default";
	/* Never NEW's: a NEW run could excuse itself. */
	for (int i = 0; i < c->nb && !o->threshold_set; i++) {
		const json_t *res = json_object_get(c->base[i].index, r->key);
		const json_t *np = json_object_get(res, "noise_pct");

		if (json_is_number(np) && json_number_value(np) > 0 &&
		    json_number_value(np) < 100) {
			r->thr_pct = json_number_value(np);
			r->thr_from = "BASE noise_pct";
			break;
		}
	}
	if (json_is_number(m) && json_number_value(m) > r->thr_pct) {
		r->thr_pct = json_number_value(m);
		r->thr_from = "noise file";
	}
}

/*
 * Classify the result key: which BASE result describes it, and whether NEW
 * has it ok in every NEW run (0), or the verdict it gets instead.
 */
static int gate_classify(const struct kerf_gate_cmp *c,
			 struct kerf_gate_result *r)
{
	const json_t *b = NULL, *n = NULL, *bad = NULL, *anyb = NULL;
	int i, seen = 0;

	for (i = 0; i < c->nb; i++) {
		const json_t *x = json_object_get(c->base[i].index, r->key);

		anyb = anyb ? anyb : x;
		if (gate_ok(x) && !b)
			b = x;
	}
	r->res = b ? b : anyb;
	for (i = 0; i < c->nn; i++) {
		const json_t *x = json_object_get(c->new[i].index, r->key);

		seen += x != NULL;
		if (x && !gate_ok(x) && !bad)
			bad = x;
		if (gate_ok(x) && !n)
			n = x;
	}
	if (!b) {
		snprintf(r->why, sizeof(r->why), "BASE %s: %s",
			 gate_status(anyb), gate_reason(anyb));
		return KERF_NOT_COMPARED;
	}
	if (seen < c->nn) {
		snprintf(r->why, sizeof(r->why),
			 "missing from %d of %d NEW runs", c->nn - seen, c->nn);
		return KERF_MISSING;
	}
	if (bad) {
		snprintf(r->why, sizeof(r->why), "NEW %s: %s", gate_status(bad),
			 gate_reason(bad));
		return KERF_FAILED;
	}
	if (gate_not_comparable(b, n, r->why, sizeof(r->why)))
		return KERF_NOT_COMPARED;
	return 0;
}

/* Add key to c->r unless there; the new entry, or NULL. */
static struct kerf_gate_result *gate_add_key(struct kerf_gate_cmp *c,
					     const char *key, json_t *seen)
{
	struct kerf_gate_result *r;

	if (json_object_get(seen, key))
		return NULL;
	json_object_set_new(seen, key, json_true());
	r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->key, sizeof(r->key), "%s", key);
	r->level = KERF_LEVEL_NONE;
	r->p = r->p_adj = r->est = r->lo = r->hi = NAN;
	r->mb = r->mn = r->sd_log = r->detectable_pct = NAN;
	return r;
}

/* Every key of BASE, in BASE's order; NEW's others into c->only_new. */
static int gate_keys(struct kerf_gate_cmp *c, const struct kerf_gate_opts *o)
{
	json_t *seen = json_object(), *k;
	size_t total = 0, j;
	const char *key;
	int i, v;

	for (i = 0; i < c->nb; i++)
		total += json_array_size(c->base[i].order);
	c->r = calloc(total + 1, sizeof(*c->r));
	c->only_new = json_array();
	if (!seen || !c->r || !c->only_new) {
		json_decref(seen);
		return -ENOMEM;
	}
	for (i = 0; i < c->nb; i++) {
		json_array_foreach(c->base[i].order, j, k)
		{
			struct kerf_gate_result *r =
				gate_add_key(c, json_string_value(k), seen);

			if (!r)
				continue;
			v = gate_classify(c, r);
			r->v = (enum kerf_verdict)v;
			r->lower_better = !strcmp(
				json_string_value(json_object_get(r->res, "better")) ?:
					"",
				"lower");
			gate_threshold(c, r, o);
		}
	}
	for (i = 0; i < c->nn; i++) {
		json_array_foreach(c->new[i].order, j, k)
		{
			key = json_string_value(k);
			if (json_object_get(seen, key))
				continue;
			json_object_set_new(seen, key, json_true());
			json_array_append(c->only_new, k);
		}
	}
	json_decref(seen);
	return 0;
}

/* The unit values of result r into row (see kerf_unit_t); its medians. */
static void gate_units(const struct kerf_gate_cmp *c, bool paired, long rounds,
		       struct kerf_gate_result *r, double *row)
{
	double sb = 0, sn = 0;
	int i, nb = 0, nn = 0;

	if (paired) {
		const json_t *b = json_object_get(c->base[0].index, r->key);
		const json_t *n = json_object_get(c->new[0].index, r->key);

		for (i = 0; i < rounds; i++) {
			double lb = gate_log_median(b, i);
			double ln = gate_log_median(n, i);

			row[i] = isnan(lb) || isnan(ln) ? NAN : ln - lb;
			if (isnan(row[i]))
				continue;
			sb += lb;
			sn += ln;
			nb++;
			nn++;
		}
	} else {
		for (i = 0; i < c->nb + c->nn; i++) {
			const struct kerf_gate_run *run =
				i < c->nb ? &c->base[i] : &c->new[i - c->nb];
			const json_t *res = json_object_get(run->index, r->key);

			row[i] = gate_ok(res) ? gate_log_median(res, -1) : NAN;
			if (isnan(row[i]))
				continue;
			if (i < c->nb) {
				sb += row[i];
				nb++;
			} else {
				sn += row[i];
				nn++;
			}
		}
	}
	r->n_base = nb;
	r->n_new = nn;
	r->mb = nb ? exp(sb / nb) : NAN;
	r->mn = nn ? exp(sn / nn) : NAN;
}

/* The two quantiles of the detectable change: alpha_each two-sided, power. */
static double gate_q(double alpha_each, double df)
{
	if (!(df > 0))
		df = 1e6;
	return kerf_t_quantile(1 - alpha_each / 2, df) +
	       kerf_t_quantile(KERF_GATE_POWER, df);
}

/* Estimate, interval and detectable change from a log estimate and its se. */
static void gate_estimate(struct kerf_gate_result *r, double est, double se,
			  double df, double alpha_each)
{
	double q = kerf_t_quantile(1 - (1 - KERF_GATE_LEVEL) / 2,
				   df > 0 ? df : 1e6);

	r->est = exp(est);
	r->lo = exp(est - q * se);
	r->hi = exp(est + q * se);
	r->detectable_pct = (exp(gate_q(alpha_each, df) * se) - 1) * 100;
}

/*
 * Units a side (rounds when paired) for a detectable change at the
 * threshold: the normal approximation, plus one for the t, and at least
 * as many as a relabelling test needs to reach alpha.
 */
static int gate_units_needed(const struct kerf_gate_result *r, bool paired,
			     double alpha_each, double alpha)
{
	double th = log1p(r->thr_pct / 100), z = gate_q(alpha_each, 0);
	double n = z * r->sd_log / th, need;
	size_t u = 2;

	need = ceil(n * n * (paired ? 1 : 2)) + 1;
	while (kerf_maxt_pmin(paired, paired ? u : 2 * u, u) > alpha && u < 64)
		u++;
	if (need < (double)u)
		need = (double)u;
	return need > 1e6 ? 1000000 : (int)need;
}

/* p and p_adj of the tested results by max-T, or Holm when it cannot. */
static int gate_family(struct kerf_gate_cmp *c, const struct kerf_gate_opts *o,
		       const struct kerf_maxt_in *in, const double *t,
		       const double *df)
{
	double *p = calloc(2 * in->m + 1, sizeof(*p)), *pa = p + in->m;
	double pmin = kerf_maxt_pmin(in->paired, in->u, in->nb);
	struct kerf_maxt_info info;
	size_t k, m = 0;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	if (pmin <= o->alpha) {
		ret = kerf_maxt(in, p, pa, &info);
		c->method = in->paired ? "max-T, sign flips of whole rounds" :
					 "max-T, permutations of whole runs";
		c->exact = info.exact;
		c->nperm = info.n;
		c->seed = info.seed;
		snprintf(c->method_why, sizeof(c->method_why),
			 "%s relabellings%s; smallest p %.3g",
			 info.exact ? "all" : "random",
			 info.exact ? "" : " (seeded)", pmin);
	} else {
		/* Too few units: a relabelling p could never reach alpha. */
		for (k = 0; k < in->m; k++)
			if (!in->skip[k])
				p[m++] = 2 * kerf_t_sf(fabs(t[k]), df[k]);
		ret = kerf_holm(p, m, pa);
		for (k = in->m; k-- > 0;)
			if (!in->skip[k]) {
				m--;
				p[k] = p[m];
				pa[k] = pa[m];
			}
		c->method = "Holm over t-tests";
		snprintf(
			c->method_why, sizeof(c->method_why),
			"too few units for a relabelling test: its smallest p, %.3g, is above alpha",
			pmin);
	}
	for (k = 0; k < in->m && !ret; k++) {
		if (in->skip[k])
			continue;
		c->r[k].p = p[k];
		c->r[k].p_adj = pa[k];
	}
	free(p);
	return ret;
}

/* The tested results' count, for the detectable change's alpha / m. */
static size_t gate_ntested(const struct kerf_gate_cmp *c)
{
	size_t m = 0;

	for (size_t k = 0; k < c->n; k++)
		m += c->r[k].v == 0;
	return m ? m : 1;
}

/* Rounds (paired) or runs (unpaired) as units: t per result, the family. */
static int gate_test_units(struct kerf_gate_cmp *c,
			   const struct kerf_gate_opts *o, bool paired,
			   long rounds)
{
	size_t u = paired ? (size_t)rounds : (size_t)(c->nb + c->nn), k;
	double *x = calloc(c->n * u + 1, sizeof(*x));
	double *tt = calloc(3 * c->n + 1, sizeof(*tt)), *df = tt + c->n;
	double *se = df + c->n, alpha_each = o->alpha / gate_ntested(c);
	signed char *lab = calloc(u + 1, 1);
	bool *skip = calloc(c->n + 1, sizeof(*skip));
	struct kerf_maxt_in in = {
		.x = x,
		.skip = skip,
		.m = c->n,
		.u = u,
		.paired = paired,
		.nb = paired ? 0 : (size_t)c->nb,
		.max_exact = KERF_GATE_EXACT,
		.reps = KERF_GATE_REPS,
		.seed = o->seed,
	};
	int ret = -ENOMEM;

	if (!x || !tt || !lab || !skip)
		goto out;
	for (k = 0; k < u; k++)
		lab[k] = paired ? 1 : (signed char)(k >= (size_t)c->nb);
	c->level = paired ? KERF_LEVEL_ROUND : KERF_LEVEL_RUN;
	for (k = 0; k < c->n; k++) {
		struct kerf_gate_result *r = &c->r[k];
		struct kerf_unit_t ut;

		skip[k] = true;
		if (r->v)
			continue;
		r->level = c->level;
		gate_units(c, paired, rounds, r, x + k * u);
		if (kerf_unit_t(x + k * u, u, lab, paired, &ut)) {
			r->v = KERF_INCONCLUSIVE;
			snprintf(r->why, sizeof(r->why),
				 "too few %s with a value: %d BASE, %d NEW",
				 paired ? "rounds" : "runs", r->n_base,
				 r->n_new);
			continue;
		}
		skip[k] = false;
		r->sd_log = ut.sd;
		tt[k] = ut.t;
		df[k] = ut.df;
		se[k] = ut.se;
		gate_estimate(r, ut.est, ut.se, ut.df, alpha_each);
	}
	ret = gate_family(c, o, &in, tt, df);
out:
	free(x);
	free(tt);
	free(lab);
	free(skip);
	return ret;
}

/* One result of one run a side at the sample level (the old gate's test). */
static int gate_sample_level(struct kerf_gate_cmp *c,
			     const struct kerf_gate_opts *o,
			     struct kerf_gate_result *r, double alpha_each)
{
	const json_t *b = json_object_get(c->base[0].index, r->key);
	const json_t *n = json_object_get(c->new[0].index, r->key);
	struct kerf_sampleset sb, sn;
	struct kerf_ratio_ci ci;
	struct kerf_mwu u;
	double z, se;
	int ret;

	ret = kerf_gate_sampleset(c->base[0].path, r->key, b, &sb);
	if (ret)
		return ret;
	ret = kerf_gate_sampleset(c->new[0].path, r->key, n, &sn);
	if (ret) {
		kerf_gate_sampleset_free(&sb);
		return ret;
	}
	r->level = KERF_LEVEL_SAMPLE;
	r->n_base = (int)sb.n;
	r->n_new = (int)sn.n;
	r->mb = kerf_median(sb.x, sb.n);
	r->mn = kerf_median(sn.x, sn.n);
	ret = kerf_boot_ratio(&sb, &sn, kerf_gate_seed(r->key), KERF_BOOT_REPS,
			      KERF_GATE_LEVEL, o->plain ? 0 : KERF_BOOT_EXPAND,
			      &ci);
	if (!ret)
		ret = kerf_mwu(sn.x, sn.n, sb.x, sb.n, false, &u);
	if (ret == -EINVAL) {
		r->v = KERF_NOT_COMPARED;
		snprintf(r->why, sizeof(r->why),
			 "a median is zero or negative (BASE %g, NEW %g)",
			 r->mb, r->mn);
		ret = 0;
	} else if (!ret) {
		z = kerf_t_quantile((1 + ci.level) / 2, 1e6);
		se = ci.lo > 0 ? (log(ci.hi) - log(ci.lo)) / (2 * z) : INFINITY;
		r->est = ci.ratio;
		r->lo = ci.lo;
		r->hi = ci.hi;
		r->p = u.p;
		r->sd_log = se / M_SQRT2;
		r->detectable_pct = (exp(gate_q(alpha_each, 0) * se) - 1) * 100;
		snprintf(
			r->why, sizeof(r->why), "%s",
			sb.proc && sn.proc ?
				"samples of one run a side: the spread between runs is unseen" :
				"no sample_procs: samples taken as independent, and the spread between runs is unseen");
	}
	kerf_gate_sampleset_free(&sb);
	kerf_gate_sampleset_free(&sn);
	return ret;
}

/* A noise file's run-level sd_log for the result, or NAN. */
static double gate_noise_sd(const struct kerf_gate_opts *o, const char *key)
{
	const json_t *v = o->noise_sd ? json_object_get(o->noise_sd, key) :
					NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* One run a side: the noise file's spread, the samples, or nothing. */
static int gate_test_single(struct kerf_gate_cmp *c,
			    const struct kerf_gate_opts *o)
{
	double *p = calloc(2 * c->n + 1, sizeof(*p)), *pa = p + c->n;
	double alpha_each = o->alpha / gate_ntested(c);
	size_t k, m = 0;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	c->insufficient = !o->noise_sd && !o->allow_single_run;
	c->level = o->noise_sd ? KERF_LEVEL_NOISE : KERF_LEVEL_SAMPLE;
	c->method = o->noise_sd ?
			    "Holm over z-tests (sd_log of the noise file)" :
			    "Holm over Mann-Whitney tests of samples";
	snprintf(c->method_why, sizeof(c->method_why),
		 "one run a side: no spread between runs of its own");
	for (k = 0; k < c->n && !ret; k++) {
		struct kerf_gate_result *r = &c->r[k];
		double sd = gate_noise_sd(o, r->key), d;

		if (r->v)
			continue;
		gate_units(c, false, 0, r, (double[2]){ 0 });
		if (sd >= 0 && r->n_base && r->n_new) {
			r->level = KERF_LEVEL_NOISE;
			r->sd_log = sd;
			d = log(r->mn / r->mb);
			r->p = 2 * kerf_norm_sf(fabs(d) / (sd * M_SQRT2));
			gate_estimate(r, d, sd * M_SQRT2, 0, alpha_each);
		} else if (o->allow_single_run) {
			ret = gate_sample_level(c, o, r, alpha_each);
		} else {
			r->v = KERF_INCONCLUSIVE;
			snprintf(
				r->why, sizeof(r->why), "%s",
				o->noise_sd ?
					"one run a side, and the noise file has no sd_log for it" :
					"insufficient replication: one run a side");
		}
		if (!r->v && !isnan(r->p))
			p[m++] = r->p;
	}
	if (!ret)
		ret = kerf_holm(p, m, pa);
	for (k = 0, m = 0; k < c->n && !ret; k++)
		if (!c->r[k].v && !isnan(c->r[k].p))
			c->r[k].p_adj = pa[m++];
	free(p);
	return ret;
}

/* Each tested result's verdict; the counts and the geometric mean. */
static void gate_judge(struct kerf_gate_cmp *c, const struct kerf_gate_opts *o,
		       bool paired)
{
	double alpha_each = o->alpha / gate_ntested(c), lsum = 0;
	size_t k, nlog = 0;

	for (k = 0; k < c->n; k++) {
		struct kerf_gate_result *r = &c->r[k];
		double th = r->thr_pct / 100;
		bool up = r->est > 1 + th, down = r->est < 1 - th;
		size_t len = strlen(r->why);

		if (r->v || isnan(r->p_adj)) {
			c->count[r->v]++;
			continue;
		}
		if (r->p_adj < o->alpha && (up || down)) {
			r->v = up == r->lower_better ? KERF_REGRESSION :
						       KERF_IMPROVEMENT;
		} else if (r->detectable_pct <= r->thr_pct) {
			r->v = KERF_SAME;
			snprintf(r->why + len, sizeof(r->why) - len, "%s%s",
				 len ? "; " : "",
				 r->p_adj < o->alpha ?
					 "significant, within the threshold" :
					 "");
		} else {
			r->v = KERF_INCONCLUSIVE;
			r->units_needed = gate_units_needed(
				r, paired, alpha_each, o->alpha);
			snprintf(
				r->why + len, sizeof(r->why) - len,
				"%sdetectable %.1f%% > threshold %g%%: about %d %s to decide",
				len ? "; " : "", r->detectable_pct, r->thr_pct,
				r->units_needed,
				paired ? "rounds" : "runs a side");
		}
		c->count[r->v]++;
		/* Cost ratio: above 1 is worse whatever the direction. */
		lsum += r->lower_better ? log(r->est) : -log(r->est);
		nlog++;
	}
	c->geomean = nlog ? exp(lsum / (double)nlog) : NAN;
}

int kerf_gate_compare(struct kerf_gate_run *base, int nb,
		      struct kerf_gate_run *new, int nn,
		      const struct kerf_gate_opts *o, struct kerf_gate_cmp *c)
{
	bool paired;
	int ret;

	memset(c, 0, sizeof(*c));
	c->base = base;
	c->new = new;
	c->nb = nb;
	c->nn = nn;
	c->geomean = NAN;
	c->level = KERF_LEVEL_NONE;
	c->method = "none";
	c->env_diff = json_array();
	if (!c->env_diff || nb < 1 || nn < 1)
		return -EINVAL;
	c->refused = kerf_gate_env(c, o);
	ret = gate_keys(c, o);
	if (ret)
		return ret;
	paired = gate_is_paired(c);
	if (paired || nb + nn >= 3)
		ret = gate_test_units(c, o, paired,
				      paired ? gate_rounds(&base[0]) : 0);
	else
		ret = gate_test_single(c, o);
	if (ret)
		return ret;
	gate_judge(c, o, paired);
	return 0;
}

void kerf_gate_cmp_free(struct kerf_gate_cmp *c)
{
	free(c->r);
	json_decref(c->env_diff);
	json_decref(c->only_new);
	memset(c, 0, sizeof(*c));
}

int kerf_gate_exit(const struct kerf_gate_cmp *c, int n,
		   const struct kerf_gate_opts *o)
{
	int fail = 0;

	for (int i = 0; i < n; i++) {
		if (c[i].refused || c[i].insufficient)
			return 2;
		fail += c[i].count[KERF_REGRESSION];
		if (!o->allow_missing)
			fail += c[i].count[KERF_MISSING] +
				c[i].count[KERF_FAILED];
	}
	return fail ? 1 : 0;
}
