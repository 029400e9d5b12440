/* SPDX-License-Identifier: MIT */
/* The printers of kerf compare: aligned text, Markdown, kerf.compare/2 JSON. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kerf/escape.h"
#include "kerf/fmt.h"
#include "kerf/gate.h"
#include "kerf/stats.h"

#define PRINT_SCHEMA "kerf.compare/2"

/* The key as shown: "bench" alone when there are no parameters. */
static const char *print_key(const char *key, char *buf, size_t len)
{
	size_t n = strlen(key);

	snprintf(buf, len, "%s", key);
	if (n >= 2 && !strcmp(key + n - 2, "{}"))
		buf[n - 2] = '\0';
	return buf;
}

/* A value for people (kerf/fmt.h): 3 significant digits, thousands. */
static void print_val(double v, char *buf, size_t len)
{
	kerf_fmt_num(v, buf, len);
}

static void print_pct(double ratio, char *buf, size_t len)
{
	snprintf(buf, len, "%+.1f%%", (ratio - 1) * 100);
}

/* A table of strings, rendered aligned or as Markdown. */
struct print_table {
	int ncol, nrow, cap;
	char **cell; /* nrow * ncol */
	const char *align; /* 'l' or 'r' per column */
};

static void print_tab_init(struct print_table *t, int ncol, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncol = ncol;
	t->align = align;
}

/* Append a row of ncol strings (copied; NULL: empty). */
static void print_tab_row(struct print_table *t, const char *const *cells)
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

static void print_tab_set(struct print_table *t, int row, int col,
			  const char *s)
{
	free(t->cell[row * t->ncol + col]);
	t->cell[row * t->ncol + col] = strdup(s ? s : "");
}

size_t kerf_gate_put_str(FILE *f, enum kerf_gate_fmt fmt, const char *str)
{
	char *buf = NULL;
	size_t len = 0, n = 0, i;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return 0;
	/* escape.h's rules, the one home of them for every output. */
	if (fmt == KERF_GATE_MD)
		kerf_put_md(m, str ? str : "");
	else
		kerf_put_term(m, str ? str : "");
	if (fclose(m) || !buf) {
		free(buf);
		return 0;
	}
	if (f)
		fputs(buf, f);
	/* Count characters, not the continuation bytes of UTF-8. */
	for (i = 0; i < len; i++)
		n += ((unsigned char)buf[i] & 0xc0) != 0x80;
	free(buf);
	return n;
}

static void print_tab_out(struct print_table *t, FILE *f, bool md)
{
	enum kerf_gate_fmt fmt = md ? KERF_GATE_MD : KERF_GATE_TEXT;
	int w[64] = { 0 }, r, c;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol && c < 64; c++) {
			int l = (int)kerf_gate_put_str(
				NULL, fmt, t->cell[r * t->ncol + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];
			int pad = c < 64 ? w[c] - (int)kerf_gate_put_str(
							  NULL, fmt, s) :
					   0;

			fputs(md ? (c ? " | " : "| ") : (c ? "  " : ""), f);
			if (!md && t->align[c] == 'r')
				fprintf(f, "%*s", pad, "");
			kerf_gate_put_str(f, fmt, s);
			if (!md && t->align[c] != 'r' && c < t->ncol - 1)
				fprintf(f, "%*s", pad, "");
		}
		fputs(md ? " |\n" : "\n", f);
		if (md && r == 0) {
			for (c = 0; c < t->ncol; c++)
				fputs(t->align[c] == 'r' ? "|---:" : "|---", f);
			fputs("|\n", f);
		}
	}
}

static void print_tab_free(struct print_table *t)
{
	for (int i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
}

/* A string from a file, through the one escaping function. */
#define PUT(f, fmt, s) kerf_gate_put_str((f), (fmt), (s))

static const char *print_started(const struct kerf_gate_run *r)
{
	const char *s = json_string_value(json_object_get(r->run, "started"));

	return s ? s : "?";
}

static const char *const print_level_short[] = { "round", "run", "run/noise",
						 "sample", "-" };

/* "SIDE path (started)" for each run of a side; many runs: count, ends. */
static void print_side(FILE *f, enum kerf_gate_fmt fmt, const char *side,
		       const struct kerf_gate_run *r, int n)
{
	for (int i = 0; i < n; i++) {
		if (n > 4 && i == 2) {
			fprintf(f, "  %s ... (%d runs in all)\n", side, n);
			i = n - 2;
		}
		fprintf(f, "%s%s%s ", fmt == KERF_GATE_MD ? "- **" : "", side,
			fmt == KERF_GATE_MD ? "**" : "");
		PUT(f, fmt, r[i].path);
		fputs(" (", f);
		PUT(f, fmt, print_started(&r[i]));
		fputs(")\n", f);
	}
}

/* A run measured on a busy machine: its numbers are the first suspects. */
static void print_busy(FILE *f, enum kerf_gate_fmt fmt,
		       const struct kerf_gate_run *r, int n)
{
	for (int i = 0; i < n; i++) {
		const json_t *w;
		size_t j;

		json_array_foreach(json_object_get(r[i].run, "warnings"), j, w)
		{
			const char *s = json_string_value(w);

			if (!s || strncmp(s, "busy machine", 12))
				continue;
			fputs(fmt == KERF_GATE_MD ? "\n> **warning** " :
						    "  warning ",
			      f);
			PUT(f, fmt, r[i].path);
			fputs(": ", f);
			PUT(f, fmt, s);
			fputc('\n', f);
		}
	}
}

static void print_design(FILE *f, enum kerf_gate_fmt fmt,
			 const struct kerf_gate_cmp *c,
			 const struct kerf_gate_opts *o)
{
	const json_t *rd = json_object_get(
		json_object_get(c->base[0].run, "config"), "rounds");

	if (c->level == KERF_LEVEL_ROUND)
		fprintf(f, "design: round-paired, %lld rounds of one kerf ab",
			(long long)json_integer_value(rd));
	else
		fprintf(f, "design: %s, %d BASE vs %d NEW run%s",
			kerf_gate_level_name[c->level], c->nb, c->nn,
			c->nn == 1 ? "" : "s");
	fprintf(f, "; %s (%s", c->method, c->method_why);
	if (c->nperm)
		fprintf(f, ", %ld relabellings, seed 0x%llx", c->nperm,
			(unsigned long long)c->seed);
	fprintf(f,
		"); alpha %g over the suite; detectable change at %g%% power\n",
		o->alpha, KERF_GATE_POWER * 100);
	(void)fmt;
}

static void print_env(FILE *f, enum kerf_gate_fmt fmt,
		      const struct kerf_gate_cmp *c)
{
	bool md = fmt == KERF_GATE_MD;
	size_t i;
	json_t *d;

	if (!json_array_size(c->env_diff)) {
		fprintf(f, "Environment: same on every compared key.\n");
		return;
	}
	fprintf(f, "%sEnvironment differences:%s\n", md ? "**" : "",
		md ? "**" : "");
	json_array_foreach(c->env_diff, i, d)
	{
		fputs(md ? "- " : "  ", f);
		PUT(f, fmt, json_string_value(json_object_get(d, "key")));
		fputs(": BASE ", f);
		PUT(f, fmt, json_string_value(json_object_get(d, "base")));
		fputs(" vs ", f);
		PUT(f, fmt, json_string_value(json_object_get(d, "new")));
		fputs(" in ", f);
		PUT(f, fmt, json_string_value(json_object_get(d, "run")));
		fputs(json_is_true(json_object_get(d, "allowed")) ?
			      " (allowed)" :
		      json_is_true(json_object_get(d, "refused")) ?
			      " (refused)" :
			      " (informational)",
		      f);
		fputc('\n', f);
	}
}

/* The verdict cell: the verdict, and the rounds to decide if any. */
static void print_verdict(const struct kerf_gate_result *r, char *buf,
			  size_t len)
{
	if (r->v == KERF_INCONCLUSIVE && r->units_needed)
		snprintf(buf, len, "inconclusive (~%d %s)", r->units_needed,
			 r->level == KERF_LEVEL_ROUND ? "rounds" : "runs");
	else
		snprintf(buf, len, "%s", kerf_verdict_name[r->v]);
}

static void print_one_row(struct print_table *t,
			  const struct kerf_gate_result *r)
{
	char k[KERF_GATE_KEYLEN], mb[32], mn[32], ra[32], ci[64], p[32], pa[32],
		det[32], thr[32], v[64], n[32];
	bool tested = !isnan(r->est);

	print_key(r->key, k, sizeof(k));
	snprintf(n, sizeof(n), "%d/%d", r->n_base, r->n_new);
	print_val(r->mb, mb, sizeof(mb));
	print_val(r->mn, mn, sizeof(mn));
	snprintf(ra, sizeof(ra), tested ? "%.3f" : "-", r->est);
	snprintf(ci, sizeof(ci), tested ? "[%.3f, %.3f]" : "-", r->lo, r->hi);
	snprintf(p, sizeof(p), isnan(r->p) ? "-" : "%.2g", r->p);
	snprintf(pa, sizeof(pa), isnan(r->p_adj) ? "-" : "%.2g", r->p_adj);
	snprintf(det, sizeof(det), isnan(r->detectable_pct) ? "-" : "%.1f%%",
		 r->detectable_pct);
	snprintf(thr, sizeof(thr), "%g%%", r->thr_pct);
	print_verdict(r, v, sizeof(v));
	if (r->level == KERF_LEVEL_NONE) {
		snprintf(n, sizeof(n), "-");
		snprintf(mb, sizeof(mb), "-");
		snprintf(mn, sizeof(mn), "-");
	}
	print_tab_row(t, (const char *[]){ k,
					   json_string_value(json_object_get(
						   r->res, "unit")),
					   print_level_short[r->level], n, mb,
					   mn, ra, ci, p, pa, det, thr, v });
}

static void print_one(FILE *f, enum kerf_gate_fmt fmt,
		      const struct kerf_gate_cmp *c)
{
	char lvl[32], r[32];
	struct print_table t;

	snprintf(lvl, sizeof(lvl), "%g%% CI", KERF_GATE_LEVEL * 100);
	print_tab_init(&t, 13, "lllrrrrrrrrrl");
	print_tab_row(&t,
		      (const char *[]){ "bench", "unit", "level", "n", "BASE",
					"NEW", "NEW/BASE", lvl, "p", "p adj",
					"detectable", "thr", "verdict" });
	for (size_t i = 0; i < c->n; i++)
		print_one_row(&t, &c->r[i]);
	if (!isnan(c->geomean)) {
		snprintf(r, sizeof(r), "%.3f", c->geomean);
		print_tab_row(&t, (const char *[]){ "geomean (cost, >1 worse)",
						    "", "", "", "", "", r, "",
						    "", "", "", "", "" });
	}
	fputc('\n', f);
	print_tab_out(&t, f, fmt == KERF_GATE_MD);
	print_tab_free(&t);
}

/* One NEW column's cell for a result: value, change, verdict letter. */
static void print_cell(const struct kerf_gate_result *r, char *buf, size_t len)
{
	static const char *const letter[] = { "",   " R", " I", " ?",
					      " M", " F", " -" };
	char val[32], pct[32];

	if (isnan(r->est)) {
		snprintf(buf, len, "%s", letter[r->v] + 1);
		return;
	}
	print_val(r->mn, val, sizeof(val));
	print_pct(r->est, pct, sizeof(pct));
	snprintf(buf, len, "%s %s (d %.1f%%)%s", val, pct, r->detectable_pct,
		 letter[r->v]);
}

/* A column per NEW run, all against the same BASE. */
static void print_many(FILE *f, enum kerf_gate_fmt fmt,
		       const struct kerf_gate_cmp *c, int ncol)
{
	char align[64] = "llr", k[KERF_GATE_KEYLEN], b[32], cell[128];
	struct print_table t;
	int col, row;

	for (col = 0; col < ncol && col < 60; col++)
		strcat(align, "r");
	print_tab_init(&t, 3 + ncol, align);
	print_tab_row(&t, NULL);
	print_tab_set(&t, 0, 0, "bench");
	print_tab_set(&t, 0, 1, "unit");
	print_tab_set(&t, 0, 2, "BASE");
	for (col = 0; col < ncol; col++) {
		snprintf(cell, sizeof(cell), "NEW%d", col + 1);
		print_tab_set(&t, 0, 3 + col, cell);
	}
	/* Every column has BASE's keys in BASE's order. */
	for (size_t i = 0; i < c[0].n; i++) {
		print_tab_row(&t, NULL);
		row = t.nrow - 1;
		print_tab_set(&t, row, 0,
			      print_key(c[0].r[i].key, k, sizeof(k)));
		print_tab_set(&t, row, 1,
			      json_string_value(
				      json_object_get(c[0].r[i].res, "unit")));
		print_val(c[0].r[i].mb, b, sizeof(b));
		print_tab_set(&t, row, 2, b);
		for (col = 0; col < ncol; col++) {
			print_cell(&c[col].r[i], cell, sizeof(cell));
			print_tab_set(&t, row, 3 + col, cell);
		}
	}
	fputc('\n', f);
	print_tab_out(&t, f, fmt == KERF_GATE_MD);
	print_tab_free(&t);
	fprintf(f,
		"\nPercentages are NEW/BASE - 1; d: the change this design detects at %g%% power. R regression, I improvement, ? inconclusive, M missing, F failed, - not compared.\n",
		KERF_GATE_POWER * 100);
}

/* The reasons: why a result was not compared, failed, is inconclusive. */
static void print_notes(FILE *f, enum kerf_gate_fmt fmt,
			const struct kerf_gate_cmp *c, int ncol)
{
	char k[KERF_GATE_KEYLEN], tag[32] = "";
	bool any = false;

	for (int col = 0; col < ncol; col++) {
		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d ", col + 1);
		for (size_t i = 0; i < c[col].n; i++) {
			const struct kerf_gate_result *r = &c[col].r[i];

			/* The table says what an inconclusive one needs. */
			if (!r->why[0] ||
			    (r->v == KERF_INCONCLUSIVE && r->units_needed))
				continue;
			if (!any)
				fprintf(f, "\n%sNotes:%s\n",
					fmt == KERF_GATE_MD ? "**" : "",
					fmt == KERF_GATE_MD ? "**" : "");
			any = true;
			fprintf(f, "%s%s", fmt == KERF_GATE_MD ? "- " : "  ",
				tag);
			PUT(f, fmt, print_key(r->key, k, sizeof(k)));
			fprintf(f, ": %s: ", kerf_verdict_name[r->v]);
			PUT(f, fmt, r->why);
			fputc('\n', f);
		}
		if (json_array_size(c[col].only_new)) {
			size_t j;
			json_t *v;

			fprintf(f, "%sOnly in NEW%s:", ncol > 1 ? tag : "", "");
			json_array_foreach(c[col].only_new, j, v)
			{
				fputs(j ? ", " : " ", f);
				PUT(f, fmt,
				    print_key(json_string_value(v), k,
					      sizeof(k)));
			}
			fputc('\n', f);
		}
	}
}

static void print_summary(FILE *f, const struct kerf_gate_cmp *c, int ncol,
			  const struct kerf_gate_opts *o)
{
	for (int col = 0; col < ncol; col++) {
		const int *n = c[col].count;

		if (ncol > 1)
			fprintf(f, "NEW%d: ", col + 1);
		fprintf(f,
			"%d regression%s, %d improvement%s, %d no change, %d inconclusive, %d missing, %d failed%s, %d not compared\n",
			n[KERF_REGRESSION], n[KERF_REGRESSION] == 1 ? "" : "s",
			n[KERF_IMPROVEMENT],
			n[KERF_IMPROVEMENT] == 1 ? "" : "s", n[KERF_SAME],
			n[KERF_INCONCLUSIVE], n[KERF_MISSING], n[KERF_FAILED],
			o->allow_missing ? " (allowed)" : "",
			n[KERF_NOT_COMPARED]);
		if (c[col].insufficient)
			fprintf(f,
				"insufficient replication: one run a side shows nothing of the spread between runs; give several runs a side, --history DIR, a kerf.noise/2 file (--noise), or --allow-single-run for a sample-level verdict\n");
	}
}

static void print_table(FILE *f, enum kerf_gate_fmt fmt,
			const struct kerf_gate_cmp *c, int ncol,
			const struct kerf_gate_opts *o)
{
	if (fmt == KERF_GATE_MD)
		fprintf(f, "### kerf compare\n\n");
	print_side(f, fmt, "BASE", c[0].base, c[0].nb);
	for (int col = 0; col < ncol; col++) {
		char tag[32] = "NEW";

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d", col + 1);
		print_side(f, fmt, tag, c[col].new, c[col].nn);
	}
	fputc('\n', f);
	print_design(f, fmt, &c[0], o);
	print_busy(f, fmt, c[0].base, c[0].nb);
	for (int col = 0; col < ncol; col++)
		print_busy(f, fmt, c[col].new, c[col].nn);
	for (int col = 0; col < ncol; col++)
		print_env(f, fmt, &c[col]);
	if (ncol == 1)
		print_one(f, fmt, &c[0]);
	else
		print_many(f, fmt, c, ncol);
	print_notes(f, fmt, c, ncol);
	fputc('\n', f);
	print_summary(f, c, ncol, o);
}

/* A real, or null for what JSON cannot hold. */
static json_t *print_jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *print_result_json(const struct kerf_gate_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", json_string(r->key));
	json_object_set(o, "bench", json_object_get(r->res, "bench"));
	json_object_set(o, "params", json_object_get(r->res, "params"));
	json_object_set(o, "unit", json_object_get(r->res, "unit"));
	json_object_set_new(o, "better",
			    json_string(r->lower_better ? "lower" : "higher"));
	json_object_set_new(o, "level",
			    json_string(kerf_gate_level_name[r->level]));
	json_object_set_new(o, "n_base", json_integer(r->n_base));
	json_object_set_new(o, "n_new", json_integer(r->n_new));
	json_object_set_new(o, "base", print_jreal(r->mb));
	json_object_set_new(o, "new", print_jreal(r->mn));
	json_object_set_new(o, "estimate", print_jreal(r->est));
	json_object_set_new(o, "ci",
			    json_pack("[oo]", print_jreal(r->lo),
				      print_jreal(r->hi)));
	json_object_set_new(o, "sd_log", print_jreal(r->sd_log));
	json_object_set_new(o, "p", print_jreal(r->p));
	json_object_set_new(o, "p_adj", print_jreal(r->p_adj));
	json_object_set_new(o, "detectable_pct",
			    print_jreal(r->detectable_pct));
	json_object_set_new(o, "threshold_pct", print_jreal(r->thr_pct));
	json_object_set_new(o, "threshold_from", json_string(r->thr_from));
	json_object_set_new(o, "verdict", json_string(kerf_verdict_name[r->v]));
	json_object_set_new(o, "why", json_string(r->why));
	json_object_set_new(o, "rounds_needed",
			    r->units_needed ? json_integer(r->units_needed) :
					      json_null());
	return o;
}

static json_t *print_runs_json(const struct kerf_gate_run *r, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "path", json_string(r[i].path));
		json_object_set(o, "started",
				json_object_get(r[i].run, "started"));
		json_object_set(o, "warnings",
				json_object_get(r[i].run, "warnings"));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *print_cmp_json(const struct kerf_gate_cmp *c)
{
	json_t *o = json_object(), *res = json_array(), *sum = json_object();
	char seed[32];

	json_object_set_new(o, "base", print_runs_json(c->base, c->nb));
	json_object_set_new(o, "new", print_runs_json(c->new, c->nn));
	json_object_set_new(o, "design",
			    json_pack("{s:s, s:b, s:i, s:i}", "level",
				      kerf_gate_level_name[c->level], "paired",
				      c->level == KERF_LEVEL_ROUND, "base_runs",
				      c->nb, "new_runs", c->nn));
	json_object_set_new(o, "method", json_string(c->method));
	json_object_set_new(o, "method_why", json_string(c->method_why));
	json_object_set_new(o, "exact", json_boolean(c->exact));
	json_object_set_new(o, "relabellings", json_integer(c->nperm));
	snprintf(seed, sizeof(seed), "0x%016llx", (unsigned long long)c->seed);
	json_object_set_new(o, "seed", json_string(seed));
	json_object_set_new(o, "insufficient", json_boolean(c->insufficient));
	json_object_set_new(o, "refused", json_integer(c->refused));
	json_object_set(o, "env_diff", c->env_diff);
	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(res, print_result_json(&c->r[i]));
	json_object_set_new(o, "results", res);
	json_object_set(o, "only_new", c->only_new);
	for (int v = 0; v < KERF_N_VERDICTS; v++)
		json_object_set_new(sum, kerf_verdict_name[v],
				    json_integer(c->count[v]));
	json_object_set_new(sum, "geomean_cost_ratio", print_jreal(c->geomean));
	json_object_set_new(o, "summary", sum);
	return o;
}

void kerf_gate_print(FILE *f, enum kerf_gate_fmt fmt,
		     const struct kerf_gate_cmp *c, int n,
		     const struct kerf_gate_opts *o)
{
	json_t *root, *cols;
	int ex = kerf_gate_exit(c, n, o);

	if (fmt != KERF_GATE_JSON) {
		print_table(f, fmt, c, n, o);
		return;
	}
	root = json_object();
	cols = json_array();
	json_object_set_new(root, "schema", json_string(PRINT_SCHEMA));
	json_object_set_new(root, "alpha", json_real(o->alpha));
	json_object_set_new(root, "power", json_real(KERF_GATE_POWER));
	json_object_set_new(root, "level", json_real(KERF_GATE_LEVEL));
	json_object_set_new(root, "threshold_pct", json_real(o->threshold));
	json_object_set_new(root, "threshold_forced",
			    json_boolean(o->threshold_set));
	json_object_set_new(root, "allow_missing",
			    json_boolean(o->allow_missing));
	json_object_set_new(root, "allow_single_run",
			    json_boolean(o->allow_single_run));
	for (int i = 0; i < n; i++)
		json_array_append_new(cols, print_cmp_json(&c[i]));
	json_object_set_new(root, "columns", cols);
	json_object_set_new(root, "regression", json_boolean(ex == 1));
	json_object_set_new(root, "exit", json_integer(ex));
	json_dumpf(root, f, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', f);
	json_decref(root);
}

void kerf_gate_print_refusal(const struct kerf_gate_cmp *c, int n)
{
	fprintf(stderr,
		"kerf compare: the environments differ on keys that matter:");
	for (int i = 0; i < n; i++) {
		size_t j;
		json_t *d;

		json_array_foreach(c[i].env_diff, j, d)
		{
			if (!json_is_true(json_object_get(d, "refused")))
				continue;
			fputs("\n  ", stderr);
			PUT(stderr, KERF_GATE_TEXT,
			    json_string_value(json_object_get(d, "key")));
			fputs(": BASE ", stderr);
			PUT(stderr, KERF_GATE_TEXT,
			    json_string_value(json_object_get(d, "base")));
			fputs(" vs ", stderr);
			PUT(stderr, KERF_GATE_TEXT,
			    json_string_value(json_object_get(d, "new")));
			fputs(" (", stderr);
			PUT(stderr, KERF_GATE_TEXT,
			    json_string_value(json_object_get(d, "run")));
			fputc(')', stderr);
		}
	}
	fprintf(stderr,
		"\nkerf compare: refusing to compare; if that difference "
		"is the point of the comparison, name the keys in "
		"--allow-env-diff (for example --allow-env-diff kernel)\n");
}
