/* SPDX-License-Identifier: MIT */
/* The comparison of several runs: a chart per family of the gate's estimates on a log ratio axis centred on 1, coloured by verdict, and the section that holds them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "report/report.h"

/* Geometry of a chart, in SVG pixels at the page's font (sans, 13 px). */
#define CMP_W 900
#define CMP_CHAR_PX 8.1 /* 0.62 em: wider than the mean 13 px sans glyph */
#define CMP_LABEL_MAX 46 /* characters: labels keep under half the width */

/* Marker of each verdict: triangles up and down, dots, open circles. */
static const int cmp_pt[REP_N_VERDICTS] = { 7, 9, 11, 6, 7, 7, 7 };

void rep_gp_str(FILE *gp, const char *s)
{
	kerf_put_gp(gp, s ? s : "");
}

/* A label cut to CMP_LABEL_MAX characters, on a UTF-8 boundary. */
static void cmp_cut(char *s)
{
	size_t n = strlen(s);

	if (n <= CMP_LABEL_MAX)
		return;
	n = CMP_LABEL_MAX - 3;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(s + n, "...", 4);
}

/* Rows of the family's chart: results of BASE some run was tested on. */
static int cmp_rows(const struct report *rep, const char *fam, size_t *rows)
{
	const struct rep_cmp *c0 = &rep->cmps[0];
	size_t i;
	int k, n = 0;

	for (i = 0; i < c0->n; i++) {
		bool tested = false;

		if (!rep_cmp_in_family(c0, i, fam))
			continue;
		for (k = 0; k < rep->ncmp; k++)
			tested = tested || isfinite(rep->cmps[k].r[i].est);
		if (tested)
			rows[n++] = i;
	}
	return n;
}

/*
 * One data block per verdict drawn ("y est lo hi"), runs of a row stacked
 * top to bottom; the half-width of the log axis into *m. Returns the mask
 * of the verdicts written, in block order.
 */
static unsigned cmp_data(const struct report *rep, const size_t *rows,
			 int nrows, FILE *dat, double *m)
{
	double bh = rep->ncmp > 1 ? 0.8 / rep->ncmp : 0, lm = log(1.1) / 1.1;
	unsigned mask = 0;
	int v, s, k;

	for (v = 0; v < REP_N_VERDICTS; v++) {
		bool any = false;

		for (s = 0; s < nrows; s++) {
			for (k = 0; k < rep->ncmp; k++) {
				const struct rep_verdict *x =
					&rep->cmps[k].r[rows[s]];
				double y = nrows - 1 - s +
					   (rep->ncmp - 1) * bh / 2 - k * bh;

				if ((int)x->v != v || !(x->est > 0) ||
				    !(x->lo > 0) || !(x->hi > 0))
					continue;
				if (!any)
					fprintf(dat, "# %s: y est lo hi\n",
						rep_verdict_name[v]);
				any = true;
				fprintf(dat, "%g %.17g %.17g %.17g\n", y,
					x->est, x->lo, x->hi);
				lm = fmax(lm, fabs(log(x->lo)));
				lm = fmax(lm, fabs(log(x->hi)));
			}
		}
		if (any) {
			fprintf(dat, "\n\n");
			mask |= 1u << v;
		}
	}
	*m = exp(lm * 1.1);
	return mask;
}

/* The log ratio axis, symmetric about 1: 1/M to M, tics at 1/f, 1, f. */
static void cmp_xaxis(FILE *gp, double m)
{
	static const double steps[] = { 1.02, 1.05, 1.1, 1.25, 1.5, 2,	  3,
					5,    10,   20,	 50,   100, 1000, 1e4 };
	int i, n = 0, first;

	for (i = 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++)
		n += steps[i] <= m;
	first = n > 3 ? n - 3 : 0;
	fprintf(gp, "set logscale x\nset xrange [%.17g:%.17g]\n", 1 / m, m);
	fprintf(gp, "set xtics (\"1\" 1");
	for (i = first; i < n; i++)
		fprintf(gp, ", \"%.3g\" %.17g, \"%.3g\" %.17g", 1 / steps[i],
			1 / steps[i], steps[i], steps[i]);
	fprintf(gp, ")\n");
}

/* The rows' labels as y tics, and the left margin they need. */
static void cmp_ytics(const struct report *rep, const size_t *rows, int nrows,
		      FILE *gp)
{
	size_t longest = 1;
	char label[512];
	int s;

	fprintf(gp, "set ytics nomirror (");
	for (s = 0; s < nrows; s++) {
		rep_cmp_label(rep, rep->cmps[0].r[rows[s]].base, label,
			      sizeof(label));
		cmp_cut(label);
		if (strlen(label) > longest)
			longest = strlen(label);
		fprintf(gp, "%s", s ? ", " : "");
		rep_gp_str(gp, label);
		fprintf(gp, " %d", nrows - 1 - s);
	}
	fprintf(gp,
		")\nset lmargin at screen %.3f\nset rmargin at screen "
		"0.97\n",
		fmin(0.45, (longest * CMP_CHAR_PX + 24) / CMP_W));
}

static void cmp_plot(const struct report *rep, int id, unsigned mask, FILE *gp)
{
	bool first = true;
	int v;

	fprintf(gp, "set xlabel ");
	rep_gp_str(gp, rep->ncmp > 1 ? "ratio run / base (log scale)" :
				       "ratio new / base (log scale)");
	fprintf(gp, "\nset grid xtics noytics\n"
		    "set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "
		    "\"#222222\" lw 1.5\n"
		    "set key outside bottom center horizontal\nplot ");
	for (v = 0; v < REP_N_VERDICTS; v++) {
		if (!(mask & (1u << v)))
			continue;
		fprintf(gp,
			"%s\"%s.dat\" index %d using 2:1:3:4 with xerrorbars "
			"lc rgb \"%s\" pt %d ps 1.1 lw 1.5 title \"%s\"",
			first ? "" : ", \\\n  ", rep->plots[id].stem,
			__builtin_popcount(mask & ((1u << v) - 1)),
			rep_verdict_colour[v], cmp_pt[v], rep_verdict_name[v]);
		first = false;
	}
	fprintf(gp, "\n");
}

/* The chart of one family; *id -1 when no result of it was tested. */
static int cmp_family(struct report *rep, const char *fam, size_t *rows,
		      int *id)
{
	int nrows = cmp_rows(rep, fam, rows), h, ret;
	char title[256], f[56], b[40];
	double m;
	unsigned mask;
	FILE *gp, *dat;

	*id = -1;
	if (!nrows)
		return 0;
	snprintf(f, sizeof(f), "%s", fam);
	snprintf(b, sizeof(b), "%s", rep->names[0]);
	cmp_cut(f);
	snprintf(title, sizeof(title), "%s: change against %s", f, b);
	snprintf(f, sizeof(f), "compare-%s", fam);
	*id = rep_plot_new(rep, f, title);
	if (*id < 0)
		return *id;
	h = 130 + nrows * (rep->ncmp > 1 ? 12 * rep->ncmp + 8 : 22);
	ret = rep_plot_open(rep, *id, CMP_W, h, &gp, &dat);
	if (ret)
		return ret;
	mask = cmp_data(rep, rows, nrows, dat, &m);
	fprintf(gp, "set yrange [-0.6:%g]\n", nrows - 0.4);
	cmp_xaxis(gp, m);
	cmp_ytics(rep, rows, nrows, gp);
	cmp_plot(rep, *id, mask, gp);
	return rep_plot_close(rep, *id, CMP_W, h, gp, dat);
}

int rep_plot_compare(struct report *rep)
{
	size_t j, nf = json_array_size(rep->fams);
	size_t *rows;
	int ret = 0;

	rep->cmpplot = calloc(nf + 1, sizeof(*rep->cmpplot));
	rows = calloc(rep->cmps[0].n + 1, sizeof(*rows));
	if (!rep->cmpplot || !rows) {
		free(rows);
		return -ENOMEM;
	}
	for (j = 0; !ret && j < nf; j++)
		ret = cmp_family(
			rep, json_string_value(json_array_get(rep->fams, j)),
			rows, &rep->cmpplot[j]);
	free(rows);
	return ret;
}

void rep_html_compare(FILE *f, const struct report *rep)
{
	size_t j;
	int k;

	fprintf(f, "<section id=\"compare\"><h2>Comparison per family</h2>\n"
		   "<p>A row per result of the base, in the suite's order; "
		   "per run its median, the gate's estimate of the change "
		   "(hover it for the interval, threshold and p) and the "
		   "gate's mark: <span class=\"v1\">worse</span> "
		   "<span class=\"v2\">better</span> <span class=\"v0\">= "
		   "no change</span> <span class=\"v3\">? inconclusive</span>."
		   " Charts: the estimate on a log ratio axis centred on 1 "
		   "(equal distances are equal factors), its 95%% interval as "
		   "a bar, coloured by verdict");
	if (rep->ncmp > 1) {
		fprintf(f, "; in each row the runs top to bottom: ");
		for (k = 0; k < rep->ncmp; k++) {
			fprintf(f, "%s", k ? ", " : "");
			rep_html_esc(f, rep->names[rep->cmps[k].run]);
		}
	}
	fprintf(f, ".</p>\n");
	for (j = 0; j < json_array_size(rep->fams); j++)
		rep_html_cmptable(
			f, rep, json_string_value(json_array_get(rep->fams, j)),
			rep->cmpplot ? rep->cmpplot[j] : -1);
	fprintf(f, "</section>\n");
}
