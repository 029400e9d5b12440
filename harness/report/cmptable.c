/* SPDX-License-Identifier: MIT */
/* A family's comparison table, mmtests' way: a row per result in suite order, a column per run with its value, its change against the base and the gate's mark. */
#include <math.h>
#include <string.h>

#include "kerf/fmt.h"
#include "report/report.h"

/* The mark of a verdict in a table cell. */
static const char *const cmpt_mark[REP_N_VERDICTS] = {
	"=", "worse", "better", "?", "missing", "failed", "-",
};

static bool cmpt_same_family(const char *a, const char *b)
{
	size_t la = strcspn(a, "/"), lb = strcspn(b, "/");

	return la == lb && !strncmp(a, b, la);
}

bool rep_cmp_in_family(const struct rep_cmp *c, size_t i, const char *fam)
{
	const char *b = ju_str(c->r[i].base, "bench");

	return b && strlen(fam) == strcspn(b, "/") &&
	       !strncmp(b, fam, strlen(fam));
}

/* Whether parameter k of result i takes another value somewhere in its family. */
static bool cmpt_varies(const struct rep_cmp *c, size_t i, const char *k)
{
	const char *bench = ju_str(c->r[i].base, "bench");
	char n1[64], n2[64];
	const char *v = rep_param_text(c->r[i].base, k, n1, sizeof(n1));
	size_t j;

	for (j = 0; j < c->n; j++) {
		const char *bj = ju_str(c->r[j].base, "bench"), *w;

		if (j == i || !bj || !cmpt_same_family(bench, bj))
			continue;
		w = rep_param_text(c->r[j].base, k, n2, sizeof(n2));
		if (!w || strcmp(v, w))
			return true;
	}
	return false;
}

/* "tlb/chase size=4K pages=2M": the bench and its parameters that vary. */
void rep_cmp_label(const struct rep_cmp *c, size_t i, char *buf, size_t len)
{
	const char *keys[32];
	const char *bench = ju_str(c->r[i].base, "bench");
	size_t off;
	int k, n;

	off = snprintf(buf, len, "%s", bench ? bench : "?");
	n = ju_param_keys(c->r[i].base, keys, 32);
	for (k = 0; k < n && off < len; k++) {
		char num[64];
		const char *v;

		if (!cmpt_varies(c, i, keys[k]))
			continue;
		v = rep_param_text(c->r[i].base, keys[k], num, sizeof(num));
		off += snprintf(buf + off, len - off, " %s=%s", keys[k],
				v ? v : "");
	}
}

/* A result's value for people: its median, or a stressor's headline. */
static void cmpt_value(FILE *f, const json_t *r)
{
	char num[64];
	double m, lo, hi;

	if (!r) {
		fprintf(f, "<td class=\"n\">-</td>");
		return;
	}
	if (!rep_median(r, &m, &lo, &hi) &&
	    !(ju_result_ok(r) && ju_num(r, "value", &m))) {
		fprintf(f, "<td>");
		rep_html_esc(f, ju_str(r, "status") ?: "?");
		fprintf(f, "</td>");
		return;
	}
	kerf_fmt_value(m, ju_str(r, "unit"), num, sizeof(num));
	fprintf(f, "<td class=\"n\">%s</td>", num);
}

/* Change and mark of one result in one run; the details in a tooltip. */
static void cmpt_cells(FILE *f, const struct rep_verdict *x)
{
	char ch[48], lo[48], hi[48];

	fprintf(f, "<td class=\"n\"");
	if (isfinite(x->lo) && isfinite(x->hi)) {
		fprintf(f,
			" title=\"95%% interval %s to %s; threshold %.3g%% "
			"(%s); p (Holm) %.3g; %s\"",
			kerf_fmt_change(x->lo, lo, sizeof(lo)),
			kerf_fmt_change(x->hi, hi, sizeof(hi)), x->thr_pct,
			x->thr_from, x->p_adj, x->level);
	}
	fprintf(f, ">%s</td><td class=\"v%d\"",
		kerf_fmt_change(x->est, ch, sizeof(ch)), x->v);
	if (x->why[0]) {
		fprintf(f, " title=\"");
		rep_html_esc(f, x->why);
		fprintf(f, "\"");
	}
	fprintf(f, ">%s</td>", cmpt_mark[x->v]);
}

static void cmpt_head(FILE *f, const struct report *rep)
{
	int k;

	fprintf(f, "<table class=\"cmp\"><tr><th rowspan=\"2\">result</th>"
		   "<th rowspan=\"2\">unit</th><th>");
	rep_html_esc(f, rep->names[0]);
	fprintf(f, " (base)</th>");
	for (k = 0; k < rep->ncmp; k++) {
		fprintf(f, "<th colspan=\"3\">");
		rep_html_esc(f, rep->names[rep->cmps[k].run]);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n<tr><th>median</th>");
	for (k = 0; k < rep->ncmp; k++)
		fprintf(f, "<th>median</th><th>change</th><th>gate</th>");
	fprintf(f, "</tr>\n");
}

void rep_html_cmptable(FILE *f, const struct report *rep, const char *fam,
		       int plot)
{
	const struct rep_cmp *c0 = &rep->cmps[0];
	char label[512];
	size_t i, n = 0;
	int k;

	for (i = 0; i < c0->n; i++)
		n += rep_cmp_in_family(c0, i, fam);
	if (!n)
		return;
	fprintf(f, "<h3>");
	rep_html_esc(f, fam);
	fprintf(f, "</h3>\n");
	if (plot >= 0)
		rep_html_figure(f, rep, plot);
	cmpt_head(f, rep);
	for (i = 0; i < c0->n; i++) {
		if (!rep_cmp_in_family(c0, i, fam))
			continue;
		rep_cmp_label(c0, i, label, sizeof(label));
		fprintf(f, "<tr><td>");
		rep_html_esc(f, label);
		fprintf(f, "</td><td>");
		rep_html_esc(f, ju_str(c0->r[i].base, "unit"));
		fprintf(f, "</td>");
		cmpt_value(f, c0->r[i].base);
		for (k = 0; k < rep->ncmp; k++) {
			cmpt_value(f, rep->cmps[k].r[i].new);
			cmpt_cells(f, &rep->cmps[k].r[i]);
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
}
