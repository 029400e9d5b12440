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

bool rep_cmp_in_family(const struct rep_cmp *c, size_t i, const char *fam)
{
	const char *b = ju_str(c->r[i].base, "bench");

	return b && strlen(fam) == strcspn(b, "/") &&
	       !strncmp(b, fam, strlen(fam));
}

/* "tlb/chase size=4K pages=2M": the bench and its parameters that vary
 * among the results of that bench (the rest say nothing about the row). */
void rep_cmp_label(const struct report *rep, const json_t *r, char *buf,
		   size_t len)
{
	const char *bench = ju_str(r, "bench");
	char p[400] = "";
	size_t j, n = bench ? strcspn(bench, "/") : 0;

	for (j = 0; bench && j < json_array_size(rep->fams); j++) {
		const char *fam =
			json_string_value(json_array_get(rep->fams, j));

		if (strlen(fam) == n && !strncmp(fam, bench, n))
			rep_vary_label(&rep->frs[j], r, NULL, true, p,
				       sizeof(p));
	}
	snprintf(buf, len, "%s%s%s", bench ? bench : "?", p[0] ? " " : "", p);
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
		rep_cmp_label(rep, c0->r[i].base, label, sizeof(label));
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
