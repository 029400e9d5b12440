/* SPDX-License-Identifier: MIT */
/* kerf compare: the regression gate between a BASE run and NEW runs. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kerf/hypo.h"
#include "kerf/parse.h"
#include "kerf/result.h"
#include "kerf/stats.h"

#define CMP_SCHEMA "kerf.compare/1"
#define CMP_DEFAULT_THRESHOLD 3.0 /* percent */
#define CMP_DEFAULT_ALPHA 0.05
#define CMP_SEED 0x6b6572662d676174ull /* "kerf-gat" */
#define CMP_KEYLEN 1024

/* The environment keys the gate looks at; the first ones refuse. */
const struct kerf_env_key kerf_env_keys[KERF_N_ENV_KEYS] = {
	{ "kernel", true },	   { "cpu_model", true },
	{ "microcode", true },	   { "mitigations", true },
	{ "thp", true },	   { "clocksource", true },
	{ "smt", true },	   { "governor", true },
	{ "boost", false },	   { "virt", false },
	{ "kerf_version", false },
};
#define N_ENV_KEYS KERF_N_ENV_KEYS
#define env_keys kerf_env_keys

enum fmt { FMT_TEXT, FMT_MD, FMT_JSON };
enum verdict { V_SAME, V_REGRESSION, V_IMPROVEMENT };
static const char *const verdict_name[] = { "no change", "regression",
					    "improvement" };

struct run_in {
	const char *path;
	json_t *run;
	json_t *index; /* key -> result (first of each key) */
	json_t *order; /* keys in run order */
};

/* One bench + params compared between BASE and one NEW run. */
struct pair {
	char key[CMP_KEYLEN];
	const json_t *b, *n;
	bool lower_better;
	double mb, mn; /* medians */
	struct kerf_ratio_ci ci;
	struct kerf_mwu u;
	double p_holm;
	double thr_pct;
	bool thr_own; /* threshold from noise_pct or the --noise file */
	bool thr_measured; /* from the --noise file */
	bool blind; /* one process a side, no noise floor: no verdict */
	enum verdict v;
};

/* BASE against one NEW run. */
struct column {
	struct run_in *run;
	struct pair *pairs;
	size_t np;
	json_t *only_base, *only_new, *skipped; /* arrays */
	json_t *env_diff; /* array of objects */
	double geomean; /* of cost ratios; NAN: none */
	int nreg, nimp;
};

struct opts {
	double threshold;
	bool threshold_set;
	double alpha;
	enum fmt fmt;
	bool plain; /* --interval percentile */
	json_t *noise; /* --noise FILE: key -> measured noise floor, percent */
	bool allow[N_ENV_KEYS];
};

static void cmp_usage(FILE *f)
{
	fprintf(f,
		"usage: kerf compare BASE NEW... [--threshold PCT] [--alpha A]\n"
		"                    [--format text|md|json] [--allow-env-diff KEYS]\n"
		"                    [--interval expanded|percentile] [--noise FILE]\n"
		"\n"
		"Pairs the results of each NEW run with BASE by bench and parameters.\n"
		"A pair is a regression or an improvement when its Holm-corrected\n"
		"Mann-Whitney p-value is under alpha AND the whole bootstrap 95%%\n"
		"interval of the ratio of medians lies beyond the threshold.\n"
		"\n"
		"  --threshold PCT   smallest change that counts, percent, for every\n"
		"                    bench (default %g, or the bench's noise_pct)\n"
		"  --alpha A         significance level, 0 < A < 1 (default %g)\n"
		"  --format F        text (default), md (GitHub Markdown) or json\n"
		"  --interval I      expanded (default): the bootstrap interval widened\n"
		"                    for few worker processes; percentile: plain\n"
		"  --noise FILE      raise each bench's threshold to the run-to-run\n"
		"                    noise measured on this machine (kerf.noise/1)\n"
		"  --allow-env-diff KEYS\n"
		"                    comma list of environment keys allowed to differ\n"
		"                    (",
		CMP_DEFAULT_THRESHOLD, CMP_DEFAULT_ALPHA);
	for (size_t i = 0; i < N_ENV_KEYS; i++)
		fprintf(f, "%s%s", i ? "," : "", env_keys[i].key);
	fprintf(f, ")\n\nExit: 0 no regression, 1 regression, 2 bad input, "
		   "usage or refused environment.\n");
}

static int env_key_index(const char *k)
{
	for (size_t i = 0; i < N_ENV_KEYS; i++)
		if (!strcmp(env_keys[i].key, k))
			return (int)i;
	return -1;
}

static int parse_allow(const char *arg, struct opts *o)
{
	char *dup = strdup(arg), *save = NULL, *tok, known[256] = "";
	int ret = 0, n = 0;

	if (!dup)
		return -ENOMEM;
	for (size_t i = 0; i < N_ENV_KEYS; i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? "," : "", env_keys[i].key);
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), n++) {
		int i = env_key_index(tok);

		if (i < 0) {
			kerf_usage_error(
				"compare",
				"--allow-env-diff: unknown key '%s' (known: %s)",
				tok, known);
			ret = -EINVAL;
			break;
		}
		o->allow[i] = true;
	}
	if (!ret && !n) {
		kerf_usage_error(
			"compare",
			"--allow-env-diff '%s': expected a comma list of keys (known: %s)",
			arg, known);
		ret = -EINVAL;
	}
	free(dup);
	return ret;
}

/*
 * --noise FILE: {"schema": "kerf.noise/1", "noise_pct": {"bench{k=v}": pct}}
 * the run-to-run noise floors measured on this machine (from A/A runs, see
 * docs/gate-validation.sh); a pair's threshold is raised to its floor.
 */
static int load_noise(const char *path, struct opts *o)
{
	const char *schema, *k;
	json_error_t je;
	json_t *root, *np, *v;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line > 0)
			fprintf(stderr, "kerf compare: %s:%d:%d: %s\n", path,
				je.line, je.column, je.text);
		else
			fprintf(stderr, "kerf compare: %s: %s\n", path,
				je.text);
		return -EINVAL;
	}
	schema = json_string_value(json_object_get(root, "schema"));
	np = json_object_get(root, "noise_pct");
	if (!schema || strcmp(schema, "kerf.noise/1") || !json_is_object(np)) {
		fprintf(stderr,
			"kerf compare: %s: not a noise file (expected schema \"kerf.noise/1\" and a \"noise_pct\" object)\n",
			path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(np, k, v)
	{
		if (!json_is_number(v) || !(json_number_value(v) >= 0)) {
			fprintf(stderr,
				"kerf compare: %s: noise_pct of %s is not a number >= 0\n",
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

static int parse_opts(int argc, char **argv, struct opts *o, int *first)
{
	static const struct option lo[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "allow-env-diff", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "noise", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->threshold = CMP_DEFAULT_THRESHOLD;
	o->alpha = CMP_DEFAULT_ALPHA;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		char buf[64];
		double d;

		switch (c) {
		case 't':
			snprintf(buf, sizeof(buf), "%s", optarg);
			if (buf[0] && buf[strlen(buf) - 1] == '%')
				buf[strlen(buf) - 1] = '\0';
			if (kerf_parse_double(buf, &d) || d < 0 || d >= 100)
				return kerf_usage_error(
					"compare",
					"--threshold '%s': expected a percentage, 0 <= PCT < 100 (\"3\" or \"2.5%%\")",
					optarg);
			o->threshold = d;
			o->threshold_set = true;
			break;
		case 'a':
			if (kerf_parse_double(optarg, &d) || d <= 0 || d >= 1)
				return kerf_usage_error(
					"compare",
					"--alpha '%s': expected a number with 0 < A < 1 (\"0.05\")",
					optarg);
			o->alpha = d;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o->fmt = FMT_TEXT;
			else if (!strcmp(optarg, "md"))
				o->fmt = FMT_MD;
			else if (!strcmp(optarg, "json"))
				o->fmt = FMT_JSON;
			else
				return kerf_usage_error(
					"compare",
					"--format '%s': expected text, md or json",
					optarg);
			break;
		case 'i':
			if (!strcmp(optarg, "expanded"))
				o->plain = false;
			else if (!strcmp(optarg, "percentile"))
				o->plain = true;
			else
				return kerf_usage_error(
					"compare",
					"--interval '%s': expected expanded or percentile",
					optarg);
			break;
		case 'n':
			if (load_noise(optarg, o))
				return KERF_EXIT_USAGE;
			break;
		case 'e':
			if (parse_allow(optarg, o))
				return KERF_EXIT_USAGE;
			break;
		case 'h':
			cmp_usage(stdout);
			return -1;
		case ':':
			return kerf_usage_error("compare", "%s needs a value",
						argv[optind - 1]);
		default:
			return kerf_usage_error("compare",
						"unknown option '%s'",
						argv[optind - 1]);
		}
	}
	if (argc - optind < 2)
		return kerf_usage_error(
			"compare",
			"expected BASE and at least one NEW run (run.json files or their directories)");
	*first = optind;
	return 0;
}

static void bad_input(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void bad_input(const char *fmt, ...)
{
	va_list ap;

	fputs("kerf compare: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int load_run(const char *path, struct run_in *r)
{
	char err[4096], key[CMP_KEYLEN];
	json_t *res;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->run = kerf_run_load(path, err, sizeof(err));
	if (!r->run) {
		bad_input("%s", err);
		return -EINVAL;
	}
	r->index = json_object();
	r->order = json_array();
	json_array_foreach(json_object_get(r->run, "results"), i, res)
	{
		if (kerf_result_key(res, key, sizeof(key))) {
			bad_input(
				"%s: results[%zu]: no bench name, or a key too long",
				path, i);
			json_decref(r->run);
			json_decref(r->index);
			json_decref(r->order);
			return -EINVAL;
		}
		if (json_object_get(r->index, key)) {
			fprintf(stderr,
				"kerf compare: %s: %s appears twice; the first is compared\n",
				path, key);
			continue;
		}
		json_object_set(r->index, key, res);
		json_array_append_new(r->order, json_string(key));
	}
	return 0;
}

static void run_free(struct run_in *r)
{
	json_decref(r->run);
	json_decref(r->index);
	json_decref(r->order);
}

/* The key as shown: "bench" alone when there are no parameters. */
static const char *show_key(const char *key, char *buf, size_t len)
{
	size_t n = strlen(key);

	snprintf(buf, len, "%s", key);
	if (n >= 2 && !strcmp(key + n - 2, "{}"))
		buf[n - 2] = '\0';
	return buf;
}

static const char *status_of(const json_t *res)
{
	const char *s = json_string_value(json_object_get(res, "status"));

	return s ? s : "?";
}

/*
 * The samples of a result and the worker process of each; sample_procs is
 * ignored (one process) when missing or of another length.
 */
static int get_samples(const char *path, const char *key, const json_t *res,
		       double **x, int **g, size_t *n)
{
	const json_t *s = json_object_get(res, "samples");
	const json_t *sp = json_object_get(res, "sample_procs");
	size_t i, len = json_array_size(s);

	*x = NULL;
	*g = NULL;
	*n = 0;
	if (!json_is_array(s) || !len) {
		bad_input("%s: %s: status ok but \"samples\" is empty", path,
			  key);
		return -EINVAL;
	}
	*x = malloc(len * sizeof(**x));
	if (!*x)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		const json_t *v = json_array_get(s, i);

		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			bad_input("%s: %s: samples[%zu] is not a number", path,
				  key, i);
			free(*x);
			*x = NULL;
			return -EINVAL;
		}
		(*x)[i] = json_number_value(v);
	}
	if (json_is_array(sp) && json_array_size(sp) == len) {
		*g = malloc(len * sizeof(**g));
		if (!*g) {
			free(*x);
			*x = NULL;
			return -ENOMEM;
		}
		for (i = 0; i < len; i++)
			(*g)[i] =
				(int)json_integer_value(json_array_get(sp, i));
	}
	*n = len;
	return 0;
}

static uint64_t key_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void add_skipped(struct column *c, const char *key, const char *why)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", json_string(key));
	json_object_set_new(o, "why", json_string(why));
	json_array_append_new(c->skipped, o);
}

static const char *reason_of(const json_t *res)
{
	const char *r = json_string_value(json_object_get(res, "reason"));

	return r ? r : "no reason given";
}

/* Everything of one pair but the Holm correction and the verdict. */
static int compare_pair(struct column *c, const char *bpath, const char *key,
			const json_t *b, const json_t *n, const struct opts *o)
{
	const char *ub = json_string_value(json_object_get(b, "unit"));
	const char *un = json_string_value(json_object_get(n, "unit"));
	const char *bb = json_string_value(json_object_get(b, "better"));
	const char *bn = json_string_value(json_object_get(n, "better"));
	struct kerf_sampleset sb, sn;
	double *xb = NULL, *xn = NULL, own = 0;
	int *gb = NULL, *gn = NULL, ret;
	struct pair *p;
	char why[1024];

	if (strcmp(status_of(b), "ok") || strcmp(status_of(n), "ok")) {
		snprintf(why, sizeof(why), "BASE %s%s%s, NEW %s%s%s",
			 status_of(b), strcmp(status_of(b), "ok") ? ": " : "",
			 strcmp(status_of(b), "ok") ? reason_of(b) : "",
			 status_of(n), strcmp(status_of(n), "ok") ? ": " : "",
			 strcmp(status_of(n), "ok") ? reason_of(n) : "");
		add_skipped(c, key, why);
		return 0;
	}
	if (!ub || !un || strcmp(ub, un)) {
		snprintf(why, sizeof(why), "units differ: %s vs %s",
			 ub ? ub : "?", un ? un : "?");
		add_skipped(c, key, why);
		return 0;
	}
	if (!bb || (strcmp(bb, "lower") && strcmp(bb, "higher")) || !bn ||
	    strcmp(bb, bn)) {
		snprintf(why, sizeof(why),
			 "direction unknown or differs: better %s vs %s",
			 bb ? bb : "?", bn ? bn : "?");
		add_skipped(c, key, why);
		return 0;
	}
	if (!json_is_array(json_object_get(b, "samples")) ||
	    !json_is_array(json_object_get(n, "samples"))) {
		/* A stressor's single headline value: nothing to test. */
		snprintf(why, sizeof(why),
			 "no samples (mode %s): a single value is not compared",
			 json_string_value(json_object_get(b, "mode")) ?
				 json_string_value(json_object_get(b, "mode")) :
				 "?");
		add_skipped(c, key, why);
		return 0;
	}
	ret = get_samples(bpath, key, b, &xb, &gb, &sb.n);
	if (!ret)
		ret = get_samples(c->run->path, key, n, &xn, &gn, &sn.n);
	if (ret)
		goto out;
	sb.x = xb;
	sb.proc = gb;
	sn.x = xn;
	sn.proc = gn;

	p = &c->pairs[c->np];
	memset(p, 0, sizeof(*p));
	snprintf(p->key, sizeof(p->key), "%s", key);
	p->b = b;
	p->n = n;
	p->lower_better = !strcmp(bb, "lower");
	p->mb = kerf_median(xb, sb.n);
	p->mn = kerf_median(xn, sn.n);
	ret = kerf_boot_ratio(&sb, &sn, CMP_SEED ^ key_hash(key),
			      KERF_BOOT_REPS, 0.95,
			      o->plain ? 0 : KERF_BOOT_EXPAND, &p->ci);
	if (ret == -EINVAL) {
		snprintf(
			why, sizeof(why),
			"a median is zero or negative (BASE %g, NEW %g): no ratio",
			p->mb, p->mn);
		add_skipped(c, key, why);
		ret = 0;
		goto out;
	}
	if (!ret)
		ret = kerf_mwu(xn, sn.n, xb, sb.n, false, &p->u);
	if (ret)
		goto out;
	if (json_is_number(json_object_get(n, "noise_pct")))
		own = json_number_value(json_object_get(n, "noise_pct"));
	else if (json_is_number(json_object_get(b, "noise_pct")))
		own = json_number_value(json_object_get(b, "noise_pct"));
	p->thr_pct = o->threshold;
	if (own > 0 && !o->threshold_set) {
		p->thr_pct = own;
		p->thr_own = true;
	}
	if (o->noise && json_is_number(json_object_get(o->noise, key))) {
		double m = json_number_value(json_object_get(o->noise, key));

		if (m > p->thr_pct)
			p->thr_pct = m;
		p->thr_own = true;
		p->thr_measured = true;
	}
	c->np++;
out:
	free(xb);
	free(xn);
	free(gb);
	free(gn);
	return ret;
}

static void verdicts(struct column *c, const struct opts *o)
{
	double *p = malloc((c->np + 1) * sizeof(*p)), lsum = 0;
	size_t i, nlog = 0;

	if (!p)
		return;
	for (i = 0; i < c->np; i++)
		p[i] = c->pairs[i].u.p;
	kerf_holm(p, c->np, p);
	c->geomean = NAN;
	for (i = 0; i < c->np; i++) {
		struct pair *q = &c->pairs[i];
		double t = q->thr_pct / 100;
		bool up = q->ci.lo > 1 + t, down = q->ci.hi < 1 - t;

		q->p_holm = p[i];
		q->v = V_SAME;
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
				q->v = V_REGRESSION;
			else
				q->v = V_IMPROVEMENT;
		}
		c->nreg += q->v == V_REGRESSION;
		c->nimp += q->v == V_IMPROVEMENT;
		if (q->ci.ratio > 0) {
			/* Cost ratio: above 1 is worse whatever the direction. */
			lsum += q->lower_better ? log(q->ci.ratio) :
						  -log(q->ci.ratio);
			nlog++;
		}
	}
	if (nlog)
		c->geomean = exp(lsum / (double)nlog);
	free(p);
}

/* Compact text of an environment value (strings as they are). */
static char *env_text(const json_t *v)
{
	if (!v)
		return strdup("(absent)");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

/* "k=v; k2=v2" for the members of a whose value differs in b. */
static char *env_obj_diff(const json_t *a, const json_t *b)
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
		v = env_text(x);
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

/*
 * Lists the environment differences of BASE and one NEW run. Returns the
 * number of differing keys that matter and are not allowed.
 */
static int env_compare(const json_t *be, const json_t *ne, struct column *c,
		       const struct opts *o)
{
	int refused = 0;

	for (size_t i = 0; i < N_ENV_KEYS; i++) {
		const json_t *a = json_object_get(be, env_keys[i].key);
		const json_t *b = json_object_get(ne, env_keys[i].key);
		char *ta, *tb;
		json_t *d;
		bool refuse;

		if (!a && !b)
			continue;
		if (a && b && json_equal(a, b))
			continue;
		/* A key one run lacks is listed, not refused: older runs. */
		refuse = env_keys[i].matters && a && b && !o->allow[i];
		refused += refuse;
		if (json_is_object(a) && json_is_object(b)) {
			/* Only the members that differ (mitigations...). */
			ta = env_obj_diff(a, b);
			tb = env_obj_diff(b, a);
		} else {
			ta = env_text(a);
			tb = env_text(b);
		}
		d = json_object();
		json_object_set_new(d, "key", json_string(env_keys[i].key));
		json_object_set_new(d, "base", json_string(ta ? ta : "?"));
		json_object_set_new(d, "new", json_string(tb ? tb : "?"));
		json_object_set_new(d, "matters",
				    json_boolean(env_keys[i].matters));
		json_object_set_new(d, "allowed", json_boolean(o->allow[i]));
		json_object_set_new(d, "refused", json_boolean(refuse));
		json_array_append_new(c->env_diff, d);
		free(ta);
		free(tb);
	}
	return refused;
}

static int build_column(struct run_in *base, struct column *c,
			const struct opts *o)
{
	size_t i, nb = json_array_size(base->order);
	const char *key;
	json_t *k, *res;
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
		ret = compare_pair(c, base->path, key,
				   json_object_get(base->index, key), nres, o);
		if (ret)
			return ret;
	}
	json_object_foreach(c->run->index, key, res)
	{
		if (!json_object_get(base->index, key))
			json_array_append_new(c->only_new, json_string(key));
	}
	verdicts(c, o);
	return 0;
}

/* --- output ------------------------------------------------------------- */

/* A value with about four significant digits. */
static void fmt_val(double v, char *buf, size_t len)
{
	double a = fabs(v);
	int dec;

	if (v == 0) {
		snprintf(buf, len, "0");
		return;
	}
	if (a >= 1e6 || a < 1e-3) {
		snprintf(buf, len, "%.3e", v);
		return;
	}
	dec = 3 - (int)floor(log10(a));
	if (dec < 0)
		dec = 0;
	snprintf(buf, len, "%.*f", dec, v);
}

static void fmt_pct(double ratio, char *buf, size_t len)
{
	snprintf(buf, len, "%+.1f%%", (ratio - 1) * 100);
}

/* A table of strings, rendered aligned or as Markdown. */
struct table {
	int ncol, nrow, cap;
	char **cell; /* nrow * ncol */
	const char *align; /* 'l' or 'r' per column */
};

static void tab_init(struct table *t, int ncol, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	t->align = align;
}

/* Append a row of ncol strings (copied; NULL: empty). */
static void tab_row(struct table *t, const char *const *cells)
{
	int i;

	if (t->nrow == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cell = realloc(t->cell, (size_t)t->cap * (size_t)t->ncol *
						   sizeof(*t->cell));
		if (!t->cell)
			abort();
	}
	for (i = 0; i < t->ncol; i++) {
		const char *s = cells ? cells[i] : NULL;

		t->cell[t->nrow * t->ncol + i] = strdup(s ? s : "");
	}
	t->nrow++;
}

static void tab_set(struct table *t, int row, int col, const char *s)
{
	free(t->cell[row * t->ncol + col]);
	t->cell[row * t->ncol + col] = strdup(s ? s : "");
}

/* Markdown cells must not hold '|'. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

static void tab_print(struct table *t, FILE *f, bool md)
{
	int w[32] = { 0 }, r, c;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol && c < 32; c++) {
			int l = (int)strlen(t->cell[r * t->ncol + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];

			if (md) {
				fputs(c ? " | " : "| ", f);
				md_cell(f, s);
			} else if (t->align[c] == 'r') {
				fprintf(f, "%s%*s", c ? "  " : "", w[c], s);
			} else if (c == t->ncol - 1) {
				fprintf(f, "%s%s", c ? "  " : "", s);
			} else {
				fprintf(f, "%s%-*s", c ? "  " : "", w[c], s);
			}
		}
		fputs(md ? " |\n" : "\n", f);
		if (md && r == 0) {
			for (c = 0; c < t->ncol; c++)
				fputs(t->align[c] == 'r' ? "|---:" : "|---", f);
			fputs("|\n", f);
		}
	}
}

static void tab_free(struct table *t)
{
	for (int i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
}

static const char *run_started(const struct run_in *r)
{
	const char *s = json_string_value(json_object_get(r->run, "started"));

	return s ? s : "?";
}

static void print_env(FILE *f, struct column *cols, int ncol, bool md)
{
	bool any = false;

	for (int c = 0; c < ncol; c++) {
		char tag[32] = "NEW";
		size_t i;
		json_t *d;

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d", c + 1);
		json_array_foreach(cols[c].env_diff, i, d)
		{
			if (!any)
				fprintf(f, "%sEnvironment differences:%s\n",
					md ? "\n**" : "\n", md ? "**\n" : "");
			any = true;
			fprintf(f, "%s%s%s: BASE %s vs %s %s%s\n",
				md ? "- `" : "  ",
				json_string_value(json_object_get(d, "key")),
				md ? "`" : "",
				json_string_value(json_object_get(d, "base")),
				tag,
				json_string_value(json_object_get(d, "new")),
				json_is_true(json_object_get(d, "allowed")) ?
					" (allowed)" :
				json_is_true(json_object_get(d, "matters")) ?
					"" :
					" (informational)");
		}
	}
	if (!any)
		fprintf(f, "\nEnvironment: same on every compared key.\n");
}

static void print_lists(FILE *f, struct column *cols, int ncol, bool md)
{
	char buf[CMP_KEYLEN];

	for (int c = 0; c < ncol; c++) {
		struct column *col = &cols[c];
		char tag[32] = "";
		size_t i;
		json_t *v;

		if (ncol > 1)
			snprintf(tag, sizeof(tag), " (NEW%d)", c + 1);
		if (json_array_size(col->only_base)) {
			fprintf(f, "\nOnly in BASE%s:", tag);
			json_array_foreach(col->only_base, i, v)
				fprintf(f, "%s%s%s%s", i ? "," : "",
					md ? " `" : " ",
					show_key(json_string_value(v), buf,
						 sizeof(buf)),
					md ? "`" : "");
			fputc('\n', f);
		}
		if (json_array_size(col->only_new)) {
			fprintf(f, "\nOnly in NEW%s:", tag);
			json_array_foreach(col->only_new, i, v)
				fprintf(f, "%s%s%s%s", i ? "," : "",
					md ? " `" : " ",
					show_key(json_string_value(v), buf,
						 sizeof(buf)),
					md ? "`" : "");
			fputc('\n', f);
		}
		if (json_array_size(col->skipped)) {
			fprintf(f, "\nNot compared%s:\n", tag);
			json_array_foreach(col->skipped, i, v) fprintf(
				f, "%s%s%s: %s\n", md ? "- `" : "  ",
				show_key(json_string_value(
						 json_object_get(v, "key")),
					 buf, sizeof(buf)),
				md ? "`" : "",
				json_string_value(json_object_get(v, "why")));
		}
	}
}

/* A run measured on a busy machine: its numbers are the first suspects. */
static void print_busy(FILE *f, const char *tag, const struct run_in *r,
		       bool md)
{
	const json_t *w;
	size_t i;

	json_array_foreach(json_object_get(r->run, "warnings"), i, w)
	{
		const char *s = json_string_value(w);

		if (s && !strncmp(s, "busy machine", 12))
			fprintf(f, "%s%s: %s\n",
				md ? "\n> **warning** " : "  warning ", tag, s);
	}
}

static void print_header(FILE *f, struct run_in *base, struct column *cols,
			 int ncol, const struct opts *o, bool md)
{
	fprintf(f, "%sBASE%s %s (%s)\n", md ? "- **" : "", md ? "**" : " ",
		base->path, run_started(base));
	for (int c = 0; c < ncol; c++) {
		char tag[32];

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d", c + 1);
		else
			snprintf(tag, sizeof(tag), "NEW");
		fprintf(f, "%s%-*s%s %s (%s)\n", md ? "- **" : "", md ? 0 : 5,
			tag, md ? "**" : "", cols[c].run->path,
			run_started(cols[c].run));
	}
	if (o->threshold_set)
		fprintf(f, "%sthreshold %g%% for every bench", md ? "\n" : "",
			o->threshold);
	else
		fprintf(f, "%sthreshold %g%% (a bench's noise_pct overrides)",
			md ? "\n" : "", o->threshold);
	fprintf(f,
		", alpha %g, Holm over the pairs of each NEW run, bootstrap %d reps by process (%s interval), seed 0x%llx\n",
		o->alpha, KERF_BOOT_REPS, o->plain ? "percentile" : "expanded",
		(unsigned long long)CMP_SEED);
	print_busy(f, "BASE", base, md);
	for (int c = 0; c < ncol; c++) {
		char tag[32] = "NEW";

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d", c + 1);
		print_busy(f, tag, cols[c].run, md);
	}
}

static void print_one(FILE *f, struct column *c, bool md)
{
	char k[CMP_KEYLEN], mb[32], mn[32], r[32], ci[64], p[32], ph[32], v[64],
		thr[32];
	struct table t;

	tab_init(&t, 10, "llrrrrrrrl");
	tab_row(&t,
		(const char *[]){ "bench", "unit", "BASE", "NEW", "NEW/BASE",
				  "95% CI", "thr", "p", "p Holm", "verdict" });
	for (size_t i = 0; i < c->np; i++) {
		struct pair *q = &c->pairs[i];

		show_key(q->key, k, sizeof(k));
		fmt_val(q->mb, mb, sizeof(mb));
		fmt_val(q->mn, mn, sizeof(mn));
		snprintf(r, sizeof(r), "%.3f", q->ci.ratio);
		snprintf(ci, sizeof(ci), "[%.3f, %.3f]", q->ci.lo, q->ci.hi);
		snprintf(thr, sizeof(thr), "%g%%", q->thr_pct);
		snprintf(p, sizeof(p), "%.2g", q->u.p);
		snprintf(ph, sizeof(ph), "%.2g", q->p_holm);
		snprintf(v, sizeof(v), "%s%s%s%s",
			 md && q->v != V_SAME ? "**" : "", verdict_name[q->v],
			 md && q->v != V_SAME ? "**" : "",
			 q->blind ? " (1 proc)" : "");
		tab_row(&t, (const char *[]){ k,
					      json_string_value(json_object_get(
						      q->b, "unit")),
					      mb, mn, r, ci, thr, p, ph, v });
	}
	if (!isnan(c->geomean)) {
		snprintf(r, sizeof(r), "%.3f", c->geomean);
		tab_row(&t, (const char *[]){ "geomean (cost, >1 worse)", "",
					      "", "", r, "", "", "", "", "" });
	}
	fputc('\n', f);
	tab_print(&t, f, md);
	tab_free(&t);
	for (size_t i = 0; i < c->np; i++) {
		if (c->pairs[i].blind) {
			fprintf(f,
				"\n(1 proc): all samples of a side come from one worker process, so the variance from run to run is unseen; such a result gets a verdict only when its bench declares noise_pct.\n");
			break;
		}
	}
}

/* The kernel-comparison table: a column per NEW run. */
static void print_many(FILE *f, struct run_in *base, struct column *cols,
		       int ncol, bool md)
{
	char align[40] = "llr", k[CMP_KEYLEN], b[32], cell[96], val[32],
	     pct[32];
	struct table t;
	size_t i;
	json_t *kj;
	int c, row;

	for (c = 0; c < ncol && c < 32; c++)
		strcat(align, "r");
	tab_init(&t, 3 + ncol, align);
	tab_row(&t, NULL);
	tab_set(&t, 0, 0, "bench");
	tab_set(&t, 0, 1, "unit");
	tab_set(&t, 0, 2, "BASE");
	for (c = 0; c < ncol; c++) {
		snprintf(cell, sizeof(cell), "NEW%d", c + 1);
		tab_set(&t, 0, 3 + c, cell);
	}
	json_array_foreach(base->order, i, kj)
	{
		const char *key = json_string_value(kj);
		const struct pair *first = NULL;

		for (c = 0; c < ncol && !first; c++)
			for (size_t j = 0; j < cols[c].np; j++)
				if (!strcmp(cols[c].pairs[j].key, key))
					first = &cols[c].pairs[j];
		if (!first)
			continue;
		show_key(key, k, sizeof(k));
		fmt_val(first->mb, b, sizeof(b));
		tab_row(&t, NULL);
		row = t.nrow - 1;
		tab_set(&t, row, 0, k);
		tab_set(&t, row, 1,
			json_string_value(json_object_get(first->b, "unit")));
		tab_set(&t, row, 2, b);
		for (c = 0; c < ncol; c++) {
			const struct pair *q = NULL;

			for (size_t j = 0; j < cols[c].np; j++)
				if (!strcmp(cols[c].pairs[j].key, key))
					q = &cols[c].pairs[j];
			if (!q) {
				tab_set(&t, row, 3 + c, "-");
				continue;
			}
			fmt_val(q->mn, val, sizeof(val));
			fmt_pct(q->ci.ratio, pct, sizeof(pct));
			snprintf(cell, sizeof(cell), "%s %s%s", val, pct,
				 q->v == V_REGRESSION ? (md ? " **R**" : " R") :
				 q->v == V_IMPROVEMENT ?
							(md ? " **I**" : " I") :
							(md ? "" : "  "));
			tab_set(&t, row, 3 + c, cell);
		}
	}
	tab_row(&t, NULL);
	row = t.nrow - 1;
	tab_set(&t, row, 0, "geomean (cost, >1 worse)");
	for (c = 0; c < ncol; c++) {
		if (isnan(cols[c].geomean))
			snprintf(cell, sizeof(cell), "-");
		else
			snprintf(cell, sizeof(cell), "%.3f%s", cols[c].geomean,
				 md ? "" : "  ");
		tab_set(&t, row, 3 + c, cell);
	}
	fputc('\n', f);
	tab_print(&t, f, md);
	fprintf(f,
		"\nR: regression, I: improvement (Holm p < alpha and the whole 95%% interval beyond the threshold); percentages are NEW/BASE - 1.\n");
	tab_free(&t);
}

static void print_summary(FILE *f, struct column *cols, int ncol)
{
	for (int c = 0; c < ncol; c++) {
		char tag[32] = "";

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d: ", c + 1);
		fprintf(f,
			"%s%d regression%s, %d improvement%s, %zu no change\n",
			tag, cols[c].nreg, cols[c].nreg == 1 ? "" : "s",
			cols[c].nimp, cols[c].nimp == 1 ? "" : "s",
			cols[c].np - (size_t)cols[c].nreg -
				(size_t)cols[c].nimp);
	}
}

static void print_table(FILE *f, struct run_in *base, struct column *cols,
			int ncol, const struct opts *o, bool md)
{
	if (md)
		fprintf(f, "### kerf compare\n\n");
	print_header(f, base, cols, ncol, o, md);
	print_env(f, cols, ncol, md);
	if (ncol == 1)
		print_one(f, &cols[0], md);
	else
		print_many(f, base, cols, ncol, md);
	print_lists(f, cols, ncol, md);
	fputc('\n', f);
	print_summary(f, cols, ncol);
}

/* A real, or null for what JSON cannot hold. */
static json_t *jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *pair_json(const struct pair *q)
{
	json_t *o = json_object(), *ci = json_array();
	char seed[32];

	json_object_set_new(o, "key", json_string(q->key));
	json_object_set(o, "bench", json_object_get(q->b, "bench"));
	json_object_set(o, "params", json_object_get(q->b, "params"));
	json_object_set(o, "unit", json_object_get(q->b, "unit"));
	json_object_set_new(o, "better",
			    json_string(q->lower_better ? "lower" : "higher"));
	json_object_set_new(o, "base_median", jreal(q->mb));
	json_object_set_new(o, "new_median", jreal(q->mn));
	json_object_set_new(o, "base_n",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(q->b, "samples"))));
	json_object_set_new(o, "new_n",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(q->n, "samples"))));
	json_object_set_new(o, "ratio", jreal(q->ci.ratio));
	json_array_append_new(ci, jreal(q->ci.lo));
	json_array_append_new(ci, jreal(q->ci.hi));
	json_object_set_new(o, "ratio_ci95", ci);
	json_object_set_new(o, "boot_reps", json_integer(q->ci.reps));
	json_object_set_new(o, "ci_level", jreal(q->ci.level));
	json_object_set_new(o, "procs",
			    json_pack("[II]", (json_int_t)q->ci.procs_base,
				      (json_int_t)q->ci.procs_new));
	snprintf(seed, sizeof(seed), "0x%016llx",
		 (unsigned long long)q->ci.seed);
	json_object_set_new(o, "boot_seed", json_string(seed));
	json_object_set_new(o, "u", jreal(q->u.u1));
	json_object_set_new(o, "p", jreal(q->u.p));
	json_object_set_new(o, "p_exact", json_boolean(q->u.exact));
	json_object_set_new(o, "p_holm", jreal(q->p_holm));
	json_object_set_new(o, "threshold_pct", jreal(q->thr_pct));
	json_object_set_new(o, "threshold_from",
			    json_string(q->thr_measured ? "noise_file" :
					q->thr_own	? "noise_pct" :
							  "option"));
	json_object_set_new(o, "verdict", json_string(verdict_name[q->v]));
	if (q->blind)
		json_object_set_new(
			o, "verdict_note",
			json_string(
				"one worker process: run-to-run variance unseen, and the bench declares no noise_pct"));
	return o;
}

static void print_json(FILE *f, struct run_in *base, struct column *cols,
		       int ncol, const struct opts *o, int regress)
{
	json_t *root = json_object(), *arr = json_array(), *b = json_object();
	char seed[32];

	json_object_set_new(root, "schema", json_string(CMP_SCHEMA));
	json_object_set_new(root, "threshold_pct", json_real(o->threshold));
	json_object_set_new(root, "threshold_forced",
			    json_boolean(o->threshold_set));
	json_object_set_new(root, "alpha", json_real(o->alpha));
	json_object_set_new(root, "boot_reps", json_integer(KERF_BOOT_REPS));
	json_object_set_new(root, "interval",
			    json_string(o->plain ? "percentile" : "expanded"));
	snprintf(seed, sizeof(seed), "0x%016llx", (unsigned long long)CMP_SEED);
	json_object_set_new(root, "seed", json_string(seed));
	json_object_set_new(b, "path", json_string(base->path));
	json_object_set(b, "started", json_object_get(base->run, "started"));
	json_object_set(b, "warnings", json_object_get(base->run, "warnings"));
	json_object_set_new(root, "base", b);
	for (int c = 0; c < ncol; c++) {
		json_t *co = json_object(), *pairs = json_array();

		json_object_set_new(co, "path", json_string(cols[c].run->path));
		json_object_set(co, "started",
				json_object_get(cols[c].run->run, "started"));
		json_object_set(co, "warnings",
				json_object_get(cols[c].run->run, "warnings"));
		json_object_set(co, "env_diff", cols[c].env_diff);
		for (size_t i = 0; i < cols[c].np; i++)
			json_array_append_new(pairs,
					      pair_json(&cols[c].pairs[i]));
		json_object_set_new(co, "pairs", pairs);
		json_object_set(co, "only_base", cols[c].only_base);
		json_object_set(co, "only_new", cols[c].only_new);
		json_object_set(co, "not_compared", cols[c].skipped);
		json_object_set_new(co, "geomean_cost_ratio",
				    jreal(cols[c].geomean));
		json_object_set_new(co, "regressions",
				    json_integer(cols[c].nreg));
		json_object_set_new(co, "improvements",
				    json_integer(cols[c].nimp));
		json_array_append_new(arr, co);
	}
	json_object_set_new(root, "new", arr);
	json_object_set_new(root, "regression", json_boolean(regress));
	json_object_set_new(root, "exit", json_integer(regress ? 1 : 0));
	json_dumpf(root, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(root);
}

static void refuse_msg(struct column *cols, int ncol)
{
	fprintf(stderr,
		"kerf compare: the environments differ on keys that matter:");
	for (int c = 0; c < ncol; c++) {
		size_t i;
		json_t *d;

		json_array_foreach(cols[c].env_diff, i, d)
		{
			if (!json_is_true(json_object_get(d, "refused")))
				continue;
			fprintf(stderr, "\n  %s: BASE %s vs NEW %s (%s)",
				json_string_value(json_object_get(d, "key")),
				json_string_value(json_object_get(d, "base")),
				json_string_value(json_object_get(d, "new")),
				cols[c].run->path);
		}
	}
	fprintf(stderr,
		"\nkerf compare: refusing to compare; if that difference "
		"is the point of the comparison, name the keys in "
		"--allow-env-diff (for example --allow-env-diff kernel)\n");
}

int cmd_compare(int argc, char **argv)
{
	struct run_in base, *runs = NULL;
	struct column *cols = NULL;
	int ret, first = 0, nnew, c, refused = 0, regress = 0, loaded = 0;
	struct opts o;

	ret = parse_opts(argc, argv, &o, &first);
	if (ret) {
		json_decref(o.noise);
		return ret < 0 ? KERF_EXIT_OK : ret;
	}
	nnew = argc - first - 1;
	if (nnew > 26) {
		json_decref(o.noise);
		return kerf_usage_error("compare",
					"%d NEW runs: at most 26 fit one table",
					nnew);
	}
	runs = calloc((size_t)nnew, sizeof(*runs));
	cols = calloc((size_t)nnew, sizeof(*cols));
	if (!runs || !cols) {
		ret = KERF_EXIT_USAGE;
		goto out;
	}
	ret = KERF_EXIT_USAGE;
	if (load_run(argv[first], &base))
		goto out_free;
	for (loaded = 0; loaded < nnew; loaded++)
		if (load_run(argv[first + 1 + loaded], &runs[loaded]))
			goto out_runs;
	for (c = 0; c < nnew; c++) {
		cols[c].run = &runs[c];
		cols[c].only_base = json_array();
		cols[c].only_new = json_array();
		cols[c].skipped = json_array();
		cols[c].env_diff = json_array();
		refused += env_compare(json_object_get(base.run, "env"),
				       json_object_get(runs[c].run, "env"),
				       &cols[c], &o);
	}
	if (refused) {
		refuse_msg(cols, nnew);
		goto out_cols;
	}
	for (c = 0; c < nnew; c++) {
		if (build_column(&base, &cols[c], &o))
			goto out_cols;
		regress += cols[c].nreg;
	}
	if (o.fmt == FMT_JSON)
		print_json(stdout, &base, cols, nnew, &o, regress);
	else
		print_table(stdout, &base, cols, nnew, &o, o.fmt == FMT_MD);
	fflush(stdout);
	ret = regress ? KERF_EXIT_FAIL : KERF_EXIT_OK;
out_cols:
	for (c = 0; c < nnew; c++) {
		free(cols[c].pairs);
		json_decref(cols[c].only_base);
		json_decref(cols[c].only_new);
		json_decref(cols[c].skipped);
		json_decref(cols[c].env_diff);
	}
out_runs:
	for (c = 0; c < loaded; c++)
		run_free(&runs[c]);
	run_free(&base);
out_free:
out:
	free(runs);
	free(cols);
	json_decref(o.noise);
	return ret;
}
