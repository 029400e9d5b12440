/* SPDX-License-Identifier: MIT */
/* The comparison of several runs: each result's median ratio against the base run, with kerf compare's bootstrap interval. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/gate.h"
#include "kerf/result.h"
#include "kerf/stats.h"
#include "kerf/escape.h"
#include "report/report.h"

/*
 * kerf compare's interval of median(new) / median(base): the same
 * resampling, replicate count, expanded percentile interval and seed (the
 * gate's, from the base result's key), so both print the same interval.
 */
static bool cmp_interval(const json_t *base, const json_t *new, double *lo,
			 double *hi)
{
	struct kerf_sampleset sb = { 0 }, sn = { 0 };
	struct kerf_ratio_ci ci;
	char key[KERF_GATE_KEYLEN];
	int ret;

	ret = kerf_result_key(base, key, sizeof(key));
	if (!ret)
		ret = kerf_gate_sampleset("base", key, base, &sb);
	if (!ret)
		ret = kerf_gate_sampleset("new", key, new, &sn);
	if (!ret)
		ret = kerf_boot_ratio(&sb, &sn, kerf_gate_seed(key),
				      KERF_BOOT_REPS, KERF_GATE_LEVEL,
				      KERF_BOOT_EXPAND, &ci);
	if (!ret) {
		*lo = ci.lo;
		*hi = ci.hi;
	}
	kerf_gate_sampleset_free(&sb);
	kerf_gate_sampleset_free(&sn);
	return !ret && isfinite(*lo) && isfinite(*hi);
}

static bool cmp_same_unit(const json_t *a, const json_t *b)
{
	return !strcmp(ju_str(a, "unit") ? ju_str(a, "unit") : "",
		       ju_str(b, "unit") ? ju_str(b, "unit") : "");
}

static int cmp_add(struct rep_ratio **v, int *cnt, int *cap)
{
	struct rep_ratio *nv;

	if (*cnt < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 32;
	nv = realloc(*v, *cap * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	return 0;
}

/* Pairs of base (run 0) and each other run, by bench and params. */
int rep_compute_ratios(const struct report *rep, struct rep_ratio **out)
{
	json_t *base = json_object_get(rep->runs[0], "results"), *b, *n;
	struct rep_ratio *v = NULL, *x;
	int cnt = 0, cap = 0, run;
	size_t i, j;

	json_array_foreach(base, i, b)
	{
		char kb[600], kn[600];
		double mb, mn, lo, hi;

		if (!rep_median(b, &mb, &lo, &hi) || mb == 0)
			continue;
		rep_key(b, kb, sizeof(kb));
		for (run = 1; run < rep->nruns; run++) {
			json_array_foreach(json_object_get(rep->runs[run],
							   "results"),
					   j, n)
			{
				rep_key(n, kn, sizeof(kn));
				if (strcmp(kb, kn) || !cmp_same_unit(b, n) ||
				    !rep_median(n, &mn, &lo, &hi))
					continue;
				if (cmp_add(&v, &cnt, &cap)) {
					free(v);
					return -ENOMEM;
				}
				x = &v[cnt++];
				x->base = b;
				x->new = n;
				x->run = run;
				x->r = mn / mb;
				x->ci = cmp_interval(b, n, &x->lo, &x->hi);
				if (!x->ci)
					x->lo = x->hi = x->r;
				break;
			}
		}
	}
	*out = v;
	return cnt;
}

/* One block of the data file per run other than the base: y ratio lo hi. */
static void cmp_data(const struct report *rep, const struct rep_ratio *v, int n,
		     json_t *slots, char (*labels)[160], double *pos, FILE *dat)
{
	double bh = 0.8 / (rep->nruns - 1);
	int i, run, nslots = json_object_size(slots);

	for (run = 1; run < rep->nruns; run++) {
		fprintf(dat, "# %s / %s: y ratio lo hi\n", rep->names[run],
			rep->names[0]);
		for (i = 0; i < n; i++) {
			char k[600], p[400];
			int s;
			double y;

			if (v[i].run != run)
				continue;
			rep_key(v[i].base, k, sizeof(k));
			s = json_integer_value(json_object_get(slots, k));
			pos[s] = nslots - 1 - s;
			rep_params_label(v[i].base, NULL, " ", p, sizeof(p));
			snprintf(labels[s], sizeof(labels[s]), "%.60s%s%.98s",
				 ju_str(v[i].base, "bench"), p[0] ? " " : "",
				 p);
			rep_gp_clean(labels[s]);
			y = pos[s] + (rep->nruns - 2) * bh / 2 - (run - 1) * bh;
			fprintf(dat, "%g %.17g %.17g %.17g\n", y, v[i].r,
				v[i].lo, v[i].hi);
		}
		fprintf(dat, "\n\n");
	}
}

/* The ratio axis: log when wide (0.25 and 4 are the same size of change). */
static void cmp_xaxis(const struct rep_ratio *v, int n, FILE *gp, double *lo,
		      double *hi)
{
	int i;

	*lo = *hi = 1;
	for (i = 0; i < n; i++) {
		*lo = fmin(*lo, fmin(v[i].lo, v[i].r));
		*hi = fmax(*hi, fmax(v[i].hi, v[i].r));
	}
	if (*lo > 0 && *hi / *lo >= 4) {
		fprintf(gp, "set logscale x\nset xtics (\"0.01\" 0.01, "
			    "\"0.02\" 0.02, \"0.05\" 0.05, \"0.1\" 0.1, "
			    "\"0.2\" 0.2, \"0.5\" 0.5, \"1\" 1, \"2\" 2, "
			    "\"5\" 5, \"10\" 10, \"20\" 20, \"50\" 50, "
			    "\"100\" 100)\n");
		*lo /= pow(*hi / *lo, 0.04);
		*hi *= pow(*hi / *lo, 0.04);
	} else {
		double pad = (*hi - *lo) * 0.05;

		*lo -= pad;
		*hi += pad;
	}
}

static void cmp_script(const struct report *rep, int id, int nslots, double lo,
		       double hi, FILE *gp)
{
	double bh = 0.8 / (rep->nruns - 1);
	char xl[300], q[700];
	int run;

	snprintf(xl, sizeof(xl),
		 "median of the run / median of %s (1: no change)",
		 rep->names[0]);
	fprintf(gp,
		"set yrange [-0.6:%g]\n"
		"set xrange [%g:%g]\n"
		"set xlabel %s\n"
		"set grid xtics noytics\n"
		"set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "
		"\"#222222\" lw 1.5\n"
		"set style fill solid 0.75 border rgb \"#333333\"\n"
		"set key outside top horizontal\n"
		"plot ",
		nslots - 0.4, lo, hi, kerf_esc_gp(q, sizeof(q), xl));
	for (run = 1; run < rep->nruns; run++)
		rep_gp_hbars(gp, rep->plots[id].stem, run - 1, 1, bh * 0.45,
			     rep_colours[run % REP_NCOLOURS], rep->names[run],
			     run == 1);
	fprintf(gp, "\n");
}

int rep_plot_ratios(struct report *rep, const struct rep_ratio *v, int n)
{
	char title[256], (*labels)[160];
	json_t *slots = json_object();
	int id, i, nslots = 0, ret, w = 900, h;
	double *pos, lo, hi;
	FILE *gp, *dat;

	for (i = 0; i < n; i++) {
		char k[600];

		rep_key(v[i].base, k, sizeof(k));
		if (!json_object_get(slots, k))
			json_object_set_new(slots, k, json_integer(nslots++));
	}
	snprintf(title, sizeof(title),
		 "median ratio against %s, with bootstrap 95%% interval",
		 rep->names[0]);
	id = rep_plot_new(rep, "compare-ratios", title);
	h = 110 + nslots * (rep->nruns > 2 ? 16 * (rep->nruns - 1) + 8 : 22);
	h = h < 220 ? 220 : h;
	if (id < 0 || (ret = rep_plot_open(rep, id, w, h, &gp, &dat))) {
		json_decref(slots);
		return id < 0 ? id : ret;
	}
	labels = calloc(nslots, sizeof(*labels));
	pos = calloc(nslots, sizeof(*pos));
	cmp_data(rep, v, n, slots, labels, pos, dat);
	cmp_xaxis(v, n, gp, &lo, &hi);
	rep_gp_tics(gp, "ytics", labels, pos, nslots, "nomirror");
	cmp_script(rep, id, nslots, lo, hi, gp);
	ret = rep_plot_close(rep, id, w, h, gp, dat);
	free(labels);
	free(pos);
	json_decref(slots);
	return ret;
}

/* One row of the comparison table. */
static void cmp_row(FILE *f, const struct report *rep,
		    const struct rep_ratio *x)
{
	const char *better = ju_str(x->base, "better");
	bool higher = better && !strcmp(better, "higher");
	const char *verdict = "no clear change", *cls = "";
	char p[400], a[64], b[64];
	double mb, mn, lo, hi;

	rep_median(x->base, &mb, &lo, &hi);
	rep_median(x->new, &mn, &lo, &hi);
	if (x->ci && (x->lo > 1 || x->hi < 1)) {
		bool up = x->lo > 1;

		verdict = up != higher ? "worse" : "better";
		cls = up != higher ? "error" : "ok";
	}
	rep_params_label(x->base, NULL, " ", p, sizeof(p));
	fprintf(f, "<tr><td>");
	rep_html_esc(f, ju_str(x->base, "bench"));
	fprintf(f, "</td><td>");
	rep_html_esc(f, p);
	fprintf(f, "</td><td>");
	rep_html_esc(f, rep->names[x->run]);
	fprintf(f, "</td><td>");
	rep_html_esc(f, ju_str(x->base, "unit"));
	rep_fmt_num(mb, a, sizeof(a));
	rep_fmt_num(mn, b, sizeof(b));
	fprintf(f,
		"</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
		"<td class=\"n\">%.3f</td>",
		a, b, x->r);
	if (x->ci)
		fprintf(f, "<td class=\"n\">%.3f &ndash; %.3f</td>", x->lo,
			x->hi);
	else
		fprintf(f, "<td class=\"n\">-</td>");
	fprintf(f, "<td class=\"%s\">%s</td></tr>\n", cls, verdict);
}

void rep_html_compare(FILE *f, const struct report *rep)
{
	int i;

	fprintf(f, "<section id=\"compare\"><h2>Comparison against ");
	rep_html_esc(f, rep->names[0]);
	fprintf(f,
		"</h2>\n<p>Ratio of medians (run / base). The interval "
		"is <code>kerf compare</code>'s: a bootstrap 95%% interval "
		"of the ratio from %d resamples of each run, worker "
		"processes first, then samples within them, widened for few "
		"processes (expanded percentile; seed 0x%016llx xor a hash "
		"of the result's key). &ldquo;Changed&rdquo; only says the "
		"interval excludes 1; <code>kerf compare</code> is the gate."
		"</p>\n",
		KERF_BOOT_REPS, (unsigned long long)KERF_GATE_SEED);
	if (rep->cplot >= 0)
		rep_html_figure(f, rep, rep->cplot);
	if (!rep->nratios) {
		fprintf(f, "<p>No result appears in both the base and another "
			   "run.</p></section>\n");
		return;
	}
	fprintf(f, "<table><tr><th>bench</th><th>params</th><th>run</th>"
		   "<th>unit</th><th>base median</th><th>run median</th>"
		   "<th>ratio</th><th>95%% interval</th><th>verdict</th>"
		   "</tr>\n");
	for (i = 0; i < rep->nratios; i++)
		cmp_row(f, rep, &rep->ratios[i]);
	fprintf(f, "</table></section>\n");
}
