/* SPDX-License-Identifier: MIT */
/* The printers of kerf compare: aligned text, Markdown, kerf.compare/1 JSON. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kerf/gate.h"
#include "kerf/stats.h"

#define PRINT_SCHEMA "kerf.compare/1"

/* The key as shown: "bench" alone when there are no parameters. */
static const char *print_key(const char *key, char *buf, size_t len)
{
	size_t n = strlen(key);

	snprintf(buf, len, "%s", key);
	if (n >= 2 && !strcmp(key + n - 2, "{}"))
		buf[n - 2] = '\0';
	return buf;
}

/* A value with about four significant digits. */
static void print_val(double v, char *buf, size_t len)
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

/* Markdown cells must not hold '|'. */
static void print_md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

static void print_tab_out(struct print_table *t, FILE *f, bool md)
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
				print_md_cell(f, s);
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

static void print_tab_free(struct print_table *t)
{
	for (int i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
}

static const char *print_started(const struct kerf_gate_run *r)
{
	const char *s = json_string_value(json_object_get(r->run, "started"));

	return s ? s : "?";
}

static void print_env(FILE *f, const struct kerf_gate_column *cols, int ncol,
		      bool md)
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

/* "Only in SIDE (NEWn): key, key2": the keys one side of a pair lacks. */
static void print_only(FILE *f, const char *side, const char *tag,
		       const json_t *keys, bool md)
{
	char buf[KERF_GATE_KEYLEN];
	size_t i;
	json_t *v;

	if (!json_array_size(keys))
		return;
	fprintf(f, "\nOnly in %s%s:", side, tag);
	json_array_foreach(keys, i, v)
		fprintf(f, "%s%s%s%s", i ? "," : "", md ? " `" : " ",
			print_key(json_string_value(v), buf, sizeof(buf)),
			md ? "`" : "");
	fputc('\n', f);
}

static void print_lists(FILE *f, const struct kerf_gate_column *cols, int ncol,
			bool md)
{
	char buf[KERF_GATE_KEYLEN];

	for (int c = 0; c < ncol; c++) {
		const struct kerf_gate_column *col = &cols[c];
		char tag[32] = "";
		size_t i;
		json_t *v;

		if (ncol > 1)
			snprintf(tag, sizeof(tag), " (NEW%d)", c + 1);
		print_only(f, "BASE", tag, col->only_base, md);
		print_only(f, "NEW", tag, col->only_new, md);
		if (json_array_size(col->skipped)) {
			fprintf(f, "\nNot compared%s:\n", tag);
			json_array_foreach(col->skipped, i, v) fprintf(
				f, "%s%s%s: %s\n", md ? "- `" : "  ",
				print_key(json_string_value(
						  json_object_get(v, "key")),
					  buf, sizeof(buf)),
				md ? "`" : "",
				json_string_value(json_object_get(v, "why")));
		}
	}
}

/* A run measured on a busy machine: its numbers are the first suspects. */
static void print_busy(FILE *f, const char *tag, const struct kerf_gate_run *r,
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

static void print_header(FILE *f, const struct kerf_gate_run *base,
			 const struct kerf_gate_column *cols, int ncol,
			 const struct kerf_gate_opts *o, bool md)
{
	fprintf(f, "%sBASE%s %s (%s)\n", md ? "- **" : "", md ? "**" : " ",
		base->path, print_started(base));
	for (int c = 0; c < ncol; c++) {
		char tag[32];

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d", c + 1);
		else
			snprintf(tag, sizeof(tag), "NEW");
		fprintf(f, "%s%-*s%s %s (%s)\n", md ? "- **" : "", md ? 0 : 5,
			tag, md ? "**" : "", cols[c].run->path,
			print_started(cols[c].run));
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
		(unsigned long long)KERF_GATE_SEED);
	print_busy(f, "BASE", base, md);
	for (int c = 0; c < ncol; c++) {
		char tag[32] = "NEW";

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d", c + 1);
		print_busy(f, tag, cols[c].run, md);
	}
}

static void print_one(FILE *f, const struct kerf_gate_column *c, bool md)
{
	char k[KERF_GATE_KEYLEN], mb[32], mn[32], r[32], ci[64], p[32], ph[32],
		v[64], thr[32], lvl[32];
	struct print_table t;

	snprintf(lvl, sizeof(lvl), "%g%% CI", KERF_GATE_LEVEL * 100);
	print_tab_init(&t, 10, "llrrrrrrrl");
	print_tab_row(&t, (const char *[]){ "bench", "unit", "BASE", "NEW",
					    "NEW/BASE", lvl, "thr", "p",
					    "p Holm", "verdict" });
	for (size_t i = 0; i < c->np; i++) {
		const struct kerf_gate_pair *q = &c->pairs[i];

		print_key(q->key, k, sizeof(k));
		print_val(q->mb, mb, sizeof(mb));
		print_val(q->mn, mn, sizeof(mn));
		snprintf(r, sizeof(r), "%.3f", q->ci.ratio);
		snprintf(ci, sizeof(ci), "[%.3f, %.3f]", q->ci.lo, q->ci.hi);
		snprintf(thr, sizeof(thr), "%g%%", q->thr_pct);
		snprintf(p, sizeof(p), "%.2g", q->u.p);
		snprintf(ph, sizeof(ph), "%.2g", q->p_holm);
		snprintf(v, sizeof(v), "%s%s%s%s",
			 md && q->v != KERF_SAME ? "**" : "",
			 kerf_verdict_name[q->v],
			 md && q->v != KERF_SAME ? "**" : "",
			 q->blind ? " (1 proc)" : "");
		print_tab_row(
			&t, (const char *[]){ k,
					      json_string_value(json_object_get(
						      q->b, "unit")),
					      mb, mn, r, ci, thr, p, ph, v });
	}
	if (!isnan(c->t.geomean)) {
		snprintf(r, sizeof(r), "%.3f", c->t.geomean);
		print_tab_row(&t, (const char *[]){ "geomean (cost, >1 worse)",
						    "", "", "", r, "", "", "",
						    "", "" });
	}
	fputc('\n', f);
	print_tab_out(&t, f, md);
	print_tab_free(&t);
	for (size_t i = 0; i < c->np; i++) {
		if (c->pairs[i].blind) {
			fprintf(f,
				"\n(1 proc): all samples of a side come from one worker process, so the variance from run to run is unseen; such a result gets a verdict only when its bench declares noise_pct.\n");
			break;
		}
	}
}

/* The kernel-comparison table: a column per NEW run. */
static void print_many(FILE *f, const struct kerf_gate_run *base,
		       const struct kerf_gate_column *cols, int ncol, bool md)
{
	char align[40] = "llr", k[KERF_GATE_KEYLEN], b[32], cell[96], val[32],
	     pct[32];
	struct print_table t;
	size_t i;
	json_t *kj;
	int c, row;

	for (c = 0; c < ncol && c < 32; c++)
		strcat(align, "r");
	print_tab_init(&t, 3 + ncol, align);
	print_tab_row(&t, NULL);
	print_tab_set(&t, 0, 0, "bench");
	print_tab_set(&t, 0, 1, "unit");
	print_tab_set(&t, 0, 2, "BASE");
	for (c = 0; c < ncol; c++) {
		snprintf(cell, sizeof(cell), "NEW%d", c + 1);
		print_tab_set(&t, 0, 3 + c, cell);
	}
	json_array_foreach(base->order, i, kj)
	{
		const char *key = json_string_value(kj);
		const struct kerf_gate_pair *first = NULL;

		for (c = 0; c < ncol && !first; c++)
			for (size_t j = 0; j < cols[c].np; j++)
				if (!strcmp(cols[c].pairs[j].key, key))
					first = &cols[c].pairs[j];
		if (!first)
			continue;
		print_key(key, k, sizeof(k));
		print_val(first->mb, b, sizeof(b));
		print_tab_row(&t, NULL);
		row = t.nrow - 1;
		print_tab_set(&t, row, 0, k);
		print_tab_set(
			&t, row, 1,
			json_string_value(json_object_get(first->b, "unit")));
		print_tab_set(&t, row, 2, b);
		for (c = 0; c < ncol; c++) {
			const struct kerf_gate_pair *q = NULL;

			for (size_t j = 0; j < cols[c].np; j++)
				if (!strcmp(cols[c].pairs[j].key, key))
					q = &cols[c].pairs[j];
			if (!q) {
				print_tab_set(&t, row, 3 + c, "-");
				continue;
			}
			print_val(q->mn, val, sizeof(val));
			print_pct(q->ci.ratio, pct, sizeof(pct));
			snprintf(cell, sizeof(cell), "%s %s%s", val, pct,
				 q->v == KERF_REGRESSION ?
					 (md ? " **R**" : " R") :
				 q->v == KERF_IMPROVEMENT ?
					 (md ? " **I**" : " I") :
					 (md ? "" : "  "));
			print_tab_set(&t, row, 3 + c, cell);
		}
	}
	print_tab_row(&t, NULL);
	row = t.nrow - 1;
	print_tab_set(&t, row, 0, "geomean (cost, >1 worse)");
	for (c = 0; c < ncol; c++) {
		if (isnan(cols[c].t.geomean))
			snprintf(cell, sizeof(cell), "-");
		else
			snprintf(cell, sizeof(cell), "%.3f%s",
				 cols[c].t.geomean, md ? "" : "  ");
		print_tab_set(&t, row, 3 + c, cell);
	}
	fputc('\n', f);
	print_tab_out(&t, f, md);
	fprintf(f,
		"\nR: regression, I: improvement (Holm p < alpha and the whole %g%% interval beyond the threshold); percentages are NEW/BASE - 1.\n",
		KERF_GATE_LEVEL * 100);
	print_tab_free(&t);
}

static void print_summary(FILE *f, const struct kerf_gate_column *cols,
			  int ncol)
{
	for (int c = 0; c < ncol; c++) {
		char tag[32] = "";

		if (ncol > 1)
			snprintf(tag, sizeof(tag), "NEW%d: ", c + 1);
		fprintf(f,
			"%s%d regression%s, %d improvement%s, %zu no change\n",
			tag, cols[c].t.nreg, cols[c].t.nreg == 1 ? "" : "s",
			cols[c].t.nimp, cols[c].t.nimp == 1 ? "" : "s",
			cols[c].np - (size_t)cols[c].t.nreg -
				(size_t)cols[c].t.nimp);
	}
}

void kerf_gate_print_table(FILE *f, const struct kerf_gate_run *base,
			   const struct kerf_gate_column *cols, int ncol,
			   const struct kerf_gate_opts *o, bool md)
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
static json_t *print_jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *print_pair_json(const struct kerf_gate_pair *q)
{
	json_t *o = json_object(), *ci = json_array();
	char seed[32];

	json_object_set_new(o, "key", json_string(q->key));
	json_object_set(o, "bench", json_object_get(q->b, "bench"));
	json_object_set(o, "params", json_object_get(q->b, "params"));
	json_object_set(o, "unit", json_object_get(q->b, "unit"));
	json_object_set_new(o, "better",
			    json_string(q->lower_better ? "lower" : "higher"));
	json_object_set_new(o, "base_median", print_jreal(q->mb));
	json_object_set_new(o, "new_median", print_jreal(q->mn));
	json_object_set_new(o, "base_n",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(q->b, "samples"))));
	json_object_set_new(o, "new_n",
			    json_integer((json_int_t)json_array_size(
				    json_object_get(q->n, "samples"))));
	json_object_set_new(o, "ratio", print_jreal(q->ci.ratio));
	json_array_append_new(ci, print_jreal(q->ci.lo));
	json_array_append_new(ci, print_jreal(q->ci.hi));
	json_object_set_new(o, "ratio_ci95", ci);
	json_object_set_new(o, "boot_reps", json_integer(q->ci.reps));
	json_object_set_new(o, "ci_level", print_jreal(q->ci.level));
	json_object_set_new(o, "procs",
			    json_pack("[II]", (json_int_t)q->ci.procs_base,
				      (json_int_t)q->ci.procs_new));
	snprintf(seed, sizeof(seed), "0x%016llx",
		 (unsigned long long)q->ci.seed);
	json_object_set_new(o, "boot_seed", json_string(seed));
	json_object_set_new(o, "u", print_jreal(q->u.u1));
	json_object_set_new(o, "p", print_jreal(q->u.p));
	json_object_set_new(o, "p_exact", json_boolean(q->u.exact));
	json_object_set_new(o, "p_holm", print_jreal(q->p_holm));
	json_object_set_new(o, "threshold_pct", print_jreal(q->thr_pct));
	json_object_set_new(o, "threshold_from",
			    json_string(q->thr_measured ? "noise_file" :
					q->thr_own	? "noise_pct" :
							  "option"));
	json_object_set_new(o, "verdict", json_string(kerf_verdict_name[q->v]));
	if (q->blind)
		json_object_set_new(
			o, "verdict_note",
			json_string(
				"one worker process: run-to-run variance unseen, and the bench declares no noise_pct"));
	return o;
}

void kerf_gate_print_json(FILE *f, const struct kerf_gate_run *base,
			  const struct kerf_gate_column *cols, int ncol,
			  const struct kerf_gate_opts *o, bool regress)
{
	json_t *root = json_object(), *arr = json_array(), *b = json_object();
	char seed[32];

	json_object_set_new(root, "schema", json_string(PRINT_SCHEMA));
	json_object_set_new(root, "threshold_pct", json_real(o->threshold));
	json_object_set_new(root, "threshold_forced",
			    json_boolean(o->threshold_set));
	json_object_set_new(root, "alpha", json_real(o->alpha));
	json_object_set_new(root, "boot_reps", json_integer(KERF_BOOT_REPS));
	json_object_set_new(root, "interval",
			    json_string(o->plain ? "percentile" : "expanded"));
	snprintf(seed, sizeof(seed), "0x%016llx",
		 (unsigned long long)KERF_GATE_SEED);
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
			json_array_append_new(
				pairs, print_pair_json(&cols[c].pairs[i]));
		json_object_set_new(co, "pairs", pairs);
		json_object_set(co, "only_base", cols[c].only_base);
		json_object_set(co, "only_new", cols[c].only_new);
		json_object_set(co, "not_compared", cols[c].skipped);
		json_object_set_new(co, "geomean_cost_ratio",
				    print_jreal(cols[c].t.geomean));
		json_object_set_new(co, "regressions",
				    json_integer(cols[c].t.nreg));
		json_object_set_new(co, "improvements",
				    json_integer(cols[c].t.nimp));
		json_array_append_new(arr, co);
	}
	json_object_set_new(root, "new", arr);
	json_object_set_new(root, "regression", json_boolean(regress));
	json_object_set_new(root, "exit",
			    json_integer(regress ? KERF_EXIT_FAIL :
						   KERF_EXIT_OK));
	json_dumpf(root, f, JSON_INDENT(2));
	fputc('\n', f);
	json_decref(root);
}

void kerf_gate_print_refusal(const struct kerf_gate_column *cols, int ncol)
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
