/* SPDX-License-Identifier: MIT */
/* The top of a comparison report: the gate's verdict counts per run, what they rest on, and the largest changes first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/fmt.h"
#include "report/report.h"

/* Rows of "largest changes": at most this many with a verdict... */
#define SUM_MAX_DECIDED 25
/* ...and this many of the largest changes the gate did not call. */
#define SUM_MAX_OTHER 8

const char rep_cmp_css[] =
	"td.v1,span.v1{background:#fbe0cc;color:#8a3200;font-weight:bold}\n"
	"td.v2,span.v2{background:#cce3f2;color:#00466e;font-weight:bold}\n"
	"td.v0,span.v0{color:#666}td.v3,span.v3{background:#fdf0d2;"
	"color:#7a5400}\n"
	"td.v4,td.v5{background:#eee;font-weight:bold}td.v6{color:#999}\n"
	"table.cmp td:nth-child(n+2){white-space:nowrap}\n"
	"span.v0,span.v1,span.v2,span.v3{padding:0 .3em}\n";

struct sum_row {
	const struct rep_cmp *c;
	const struct rep_verdict *x;
	double size; /* |ln estimate| */
	int rank; /* regressions, then improvements, then the rest */
};

static int sum_by_size(const void *a, const void *b)
{
	const struct sum_row *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	return (x->size < y->size) - (x->size > y->size);
}

/* The counts of one run: a cell per verdict, coloured when not zero. */
static void sum_counts(FILE *f, const struct report *rep,
		       const struct rep_cmp *c)
{
	static const enum rep_v order[] = {
		REP_REGRESSION,	  REP_IMPROVEMENT, REP_SAME,
		REP_INCONCLUSIVE, REP_MISSING,	   REP_FAILED,
		REP_NOT_COMPARED,
	};
	size_t i;

	fprintf(f, "<tr><td>");
	rep_html_esc(f, rep->names[c->run]);
	fprintf(f, "</td>");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int n = c->count[order[i]];

		if (n)
			fprintf(f, "<td class=\"n v%d\">%d</td>", order[i], n);
		else
			fprintf(f, "<td class=\"n\">0</td>");
	}
	fprintf(f, "<td>%s</td></tr>\n",
		c->single ? "sample (one run a side)" : "run");
}

/* Comparisons kerf compare refuses: the environment keys that matter. */
static void sum_refusals(FILE *f, const struct report *rep)
{
	json_t *d;
	size_t j;
	int k;

	for (k = 0; k < rep->ncmp; k++) {
		const struct rep_cmp *c = &rep->cmps[k];
		bool first = true;

		if (!c->refused)
			continue;
		fprintf(f, "<p class=\"bad\"><code>kerf compare</code> refuses "
			   "to compare ");
		rep_html_esc(f, rep->names[c->run]);
		fprintf(f, " with the base: they differ in ");
		json_array_foreach(c->env_diff, j, d)
		{
			if (!json_is_true(json_object_get(d, "matters")))
				continue;
			fprintf(f, "%s<b>", first ? "" : ", ");
			rep_html_esc(f, ju_str(d, "key"));
			fprintf(f, "</b>");
			first = false;
		}
		fprintf(f, ". Its verdicts below are shown for reading, not "
			   "as a gate.</p>\n");
	}
}

/* One run a side: what the verdicts rest on, and what replication needs. */
static void sum_replication(FILE *f, const struct report *rep)
{
	int k, single = 0, incon = 0, need = 0;

	for (k = 0; k < rep->ncmp; k++) {
		const struct rep_cmp *c = &rep->cmps[k];
		size_t i;

		single += c->single;
		for (i = 0; i < c->n; i++) {
			incon += c->r[i].v == REP_INCONCLUSIVE;
			if (c->r[i].units_needed > need)
				need = c->r[i].units_needed;
		}
	}
	if (!single)
		return;
	fprintf(f, "<p class=\"warn\"><b>Verdicts need replication.</b> One "
		   "run a side: the gate tested ");
	rep_html_esc(f, rep->cmps[0].method);
	fprintf(f, ", which holds the spread inside a run, not the often "
		   "larger spread from run to run (another boot, page layout, "
		   "the host's load).");
	if (incon)
		fprintf(f,
			" %d result(s) are inconclusive: the design could not "
			"have seen a change of the threshold's size.",
			incon);
	if (need)
		fprintf(f,
			" The gate needs up to %d runs a side to decide "
			"them.",
			need);
	fprintf(f, " For verdicts that hold from run to run, give several "
		   "runs a side (<code>kerf compare BASE... -- NEW...</code>, "
		   "4 or more), a history (<code>--history DIR</code>), or "
		   "measure both in one <code>kerf ab</code>.");
	fprintf(f, "</p>\n");
}

/* One row of the largest changes: verdict, result, run, change, interval. */
static void sum_row(FILE *f, const struct report *rep, const struct sum_row *r)
{
	const struct rep_verdict *x = r->x;
	char label[512], ch[48], lo[48], hi[48];

	rep_cmp_label(rep, x->base, label, sizeof(label));
	fprintf(f, "<tr><td class=\"v%d\">%s", x->v, rep_verdict_name[x->v]);
	if (x->units_needed > 0)
		fprintf(f, " (%d runs a side decide)", x->units_needed);
	fprintf(f, "</td><td>");
	rep_html_esc(f, label);
	fprintf(f, "</td><td>");
	rep_html_esc(f, rep->names[r->c->run]);
	fprintf(f,
		"</td><td class=\"n\"><b>%s</b></td><td class=\"n\">%s to "
		"%s</td><td class=\"n\">&plusmn;%.3g%% (%s)",
		kerf_fmt_change(x->est, ch, sizeof(ch)),
		kerf_fmt_change(x->lo, lo, sizeof(lo)),
		kerf_fmt_change(x->hi, hi, sizeof(hi)), x->thr_pct,
		x->thr_from);
	/* the gate's detectable change, where it gives one (gate v2) */
	if (isfinite(x->detectable_pct))
		fprintf(f, "<br>detects &plusmn;%.3g%%", x->detectable_pct);
	fprintf(f, "</td><td class=\"n\">%.2g</td><td>%s</td>", x->p_adj,
		x->level);
	fprintf(f, "<td>%s</td></tr>\n",
		ju_str(x->base, "better") ?
			(strcmp(ju_str(x->base, "better"), "lower") ? "higher" :
								      "lower") :
			"?");
}

/* Rows of the tested results: regressions, improvements, by size. */
static size_t sum_collect(const struct report *rep, struct sum_row *v,
			  bool decided)
{
	size_t i, n = 0;
	int k;

	for (k = 0; k < rep->ncmp; k++) {
		const struct rep_cmp *c = &rep->cmps[k];

		for (i = 0; i < c->n; i++) {
			const struct rep_verdict *x = &c->r[i];
			bool d = x->v == REP_REGRESSION ||
				 x->v == REP_IMPROVEMENT;

			if (d != decided || !(x->est > 0))
				continue;
			v[n].c = c;
			v[n].x = x;
			v[n].rank = x->v == REP_REGRESSION  ? 0 :
				    x->v == REP_IMPROVEMENT ? 1 :
							      2;
			v[n++].size = fabs(log(x->est));
		}
	}
	qsort(v, n, sizeof(*v), sum_by_size);
	return n;
}

static void sum_largest(FILE *f, const struct report *rep)
{
	size_t i, nd, no, cap = 0;
	struct sum_row *d, *o;
	int k;

	for (k = 0; k < rep->ncmp; k++)
		cap += rep->cmps[k].n;
	d = calloc(cap + 1, sizeof(*d));
	o = calloc(cap + 1, sizeof(*o));
	if (!d || !o)
		goto out;
	nd = sum_collect(rep, d, true);
	no = sum_collect(rep, o, false);
	fprintf(f, "<h3>Largest changes first</h3>\n");
	if (!nd)
		fprintf(f, "<p>The gate found no regression and no "
			   "improvement. The largest changes it did not "
			   "call:</p>\n");
	fprintf(f, "<table class=\"cmp\"><tr><th>gate</th><th>result</th>"
		   "<th>run</th><th>change</th><th>95%% interval</th>"
		   "<th>threshold</th><th>p (Holm)</th><th>tested at</th>"
		   "<th>better</th></tr>\n");
	for (i = 0; i < nd && i < SUM_MAX_DECIDED; i++)
		sum_row(f, rep, &d[i]);
	if (nd > SUM_MAX_DECIDED)
		fprintf(f,
			"<tr><td colspan=\"9\">and %zu more with a "
			"verdict: see the tables below</td></tr>\n",
			nd - SUM_MAX_DECIDED);
	if (nd && no)
		fprintf(f, "<tr><th colspan=\"9\">the largest changes "
			   "without a verdict</th></tr>\n");
	for (i = 0; i < no && i < SUM_MAX_OTHER; i++)
		sum_row(f, rep, &o[i]);
	fprintf(f, "</table>\n");
out:
	free(d);
	free(o);
}

void rep_html_summary(FILE *f, const struct report *rep)
{
	int k;

	fprintf(f, "<section id=\"summary\"><h2>Comparison at a glance: "
		   "against ");
	rep_html_esc(f, rep->names[0]);
	fprintf(f, "</h2>\n");
	sum_refusals(f, rep);
	fprintf(f, "<table class=\"cmp\"><tr><th>run</th><th>regressed</th>"
		   "<th>improved</th><th>no change</th><th>inconclusive</th>"
		   "<th>missing</th><th>failed</th><th>not compared</th>"
		   "<th>tested at</th></tr>\n");
	for (k = 0; k < rep->ncmp; k++)
		sum_counts(f, rep, &rep->cmps[k]);
	fprintf(f,
		"</table>\n<p>Verdicts are <code>kerf compare</code>'s, "
		"from the same engine: a regression or an improvement when "
		"the change is significant after Holm's correction and its "
		"whole interval lies beyond the threshold.%s</p>\n",
		rep->cmps[0].single ? " <b>One run a side: the verdicts need "
				      "replication</b> (below)." :
				      "");
	sum_largest(f, rep);
	sum_replication(f, rep);
	fprintf(f, "</section>\n");
}
