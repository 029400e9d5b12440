/* SPDX-License-Identifier: MIT */
/*
 * kerf price --report DIR: an HTML page with a gnuplot bar chart of kernel
 * time per unit of work by call, one bar per run in each call's group.
 * Every string from a profile or a run is escaped for gnuplot and HTML.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/price.h"
#include "report/util.h"

#define PRICE_PLOT_CALLS 16 /* the calls with the most kernel time */

/* A gnuplot single-quoted string: quotes doubled, control chars dropped. */
void kerf_price_gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			continue;
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

void kerf_price_html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (*s == '\n' ||
			    ((unsigned char)*s >= 0x20 && *s != 0x7f))
				fputc(*s, f);
		}
	}
}

static const struct kerf_price_line *report_find(const struct kerf_price *p,
						 const char *name)
{
	for (int i = 0; i < p->nlines; i++)
		if (!strcmp(p->lines[i].name, name))
			return &p->lines[i];
	return NULL;
}

/* price.dat: per call, per run: microseconds per unit, low, high. */
static int report_data(const char *dir, const struct kerf_price *ps, int np)
{
	struct kerf_outfile o;
	char path[PATH_MAX];
	int rc, rows = 0;

	snprintf(path, sizeof(path), "%s/price.dat", dir);
	rc = kerf_out_open(&o, path);
	if (rc)
		return rc;
	for (int i = 0; i < ps[0].nlines && rows < PRICE_PLOT_CALLS; i++) {
		const struct kerf_price_line *l0 = &ps[0].lines[i];

		if (l0->how == KERF_PRICE_NONE ||
		    l0->how == KERF_PRICE_INCLUDED)
			continue;
		/* names were checked to be [a-z0-9_] when the profile was read */
		fprintf(o.f, "%s", l0->name);
		for (int k = 0; k < np; k++) {
			const struct kerf_price_line *l =
				report_find(&ps[k], l0->name);
			double c = l ? l->count / ps[k].per : 0;

			if (!l)
				fprintf(o.f, " 0 0 0");
			else
				fprintf(o.f, " %.6g %.6g %.6g",
					l->unit_ns / 1e3, c * l->lo / 1e3,
					c * l->hi / 1e3);
		}
		fprintf(o.f, "\n");
		rows++;
	}
	return kerf_out_close(&o, true);
}

static int report_script(const char *dir, const struct kerf_price *ps, int np)
{
	struct kerf_outfile o;
	char path[PATH_MAX], title[96];
	int rc;

	snprintf(path, sizeof(path), "%s/price.gp", dir);
	rc = kerf_out_open(&o, path);
	if (rc)
		return rc;
	fprintf(o.f,
		"set terminal svg size 960,540 noenhanced background '#ffffff'\n"
		"set output 'price.svg'\n"
		"set style data histogram\n"
		"set style histogram errorbars gap 2 lw 1\n"
		"set style fill solid 0.6 border -1\n"
		"set ylabel 'kernel time per unit of work (us)'\n"
		"set xtics rotate by -40\n"
		"set key top right\n"
		"set grid ytics\n"
		"set yrange [0:*]\n"
		"plot ");
	for (int k = 0; k < np; k++) {
		snprintf(title, sizeof(title), "%c: %s", 'A' + k, ps[k].host);
		fprintf(o.f, "%s'price.dat' using %d:%d:%d%s title ",
			k ? ", " : "", 2 + 3 * k, 3 + 3 * k, 4 + 3 * k,
			k ? "" : ":xtic(1)");
		kerf_price_gp_quote(o.f, title);
	}
	fprintf(o.f, "\n");
	return kerf_out_close(&o, true);
}

static void report_row(FILE *f, const struct kerf_price_line *l0,
		       const struct kerf_price *ps, int np)
{
	fprintf(f, "<tr><td>");
	kerf_price_html_esc(f, l0->name);
	fprintf(f, "</td><td>%.4g</td>", l0->count / ps[0].per);
	for (int k = 0; k < np; k++) {
		const struct kerf_price_line *l = report_find(&ps[k], l0->name);

		if (!l || l->how == KERF_PRICE_NONE ||
		    l->how == KERF_PRICE_INCLUDED)
			fprintf(f, "<td>-</td><td></td><td></td>");
		else
			fprintf(f,
				"<td>%.4g [%.4g, %.4g]</td><td>%.4g</td><td>%.1f%%</td>",
				l->ns, l->lo, l->hi, l->unit_ns / 1e3,
				100 * l->share);
	}
	fprintf(f, "<td>");
	kerf_price_html_esc(f, l0->key);
	fprintf(f, "</td><td>");
	kerf_price_html_esc(f, l0->note);
	fprintf(f, "</td></tr>\n");
}

/* The text table, escaped for the page's <pre>. */
static void report_text(FILE *f, const struct kerf_profile *pr,
			const struct kerf_price *ps, int np)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return;
	kerf_price_print(m, "text", pr, ps, np);
	fclose(m);
	kerf_price_html_esc(f, text);
	free(text);
}

static int report_html(const char *dir, const struct kerf_profile *pr,
		       const struct kerf_price *ps, int np,
		       const char *plot_err)
{
	struct kerf_outfile o;
	char path[PATH_MAX];
	int rc;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	rc = kerf_out_open(&o, path);
	if (rc)
		return rc;
	fprintf(o.f,
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		"<title>kerf price</title></head><body>\n<h1>kerf price: ");
	kerf_price_html_esc(o.f, pr->path);
	fprintf(o.f, "</h1>\n<p>%.0f calls (", pr->total);
	kerf_price_html_esc(o.f, pr->format);
	fprintf(o.f, "), %.6g units of work</p>\n<ul>\n", ps[0].per);
	for (int k = 0; k < np; k++) {
		fprintf(o.f, "<li>%c: ", 'A' + k);
		kerf_price_html_esc(o.f, ps[k].run_path);
		fprintf(o.f, " (host ");
		kerf_price_html_esc(o.f, ps[k].host);
		fprintf(o.f,
			"): %.4g us per unit [%.4g, %.4g], ceiling %.4g units/s per core, %.2f%% of the calls unpriced</li>\n",
			ps[k].unit_ns / 1e3, ps[k].unit_lo / 1e3,
			ps[k].unit_hi / 1e3, ps[k].ceiling,
			100 * ps[k].unpriced_share);
	}
	fprintf(o.f, "</ul>\n");
	if (plot_err) {
		fprintf(o.f, "<p>No plot: ");
		kerf_price_html_esc(o.f, plot_err);
		fprintf(o.f, "</p>\n");
	} else {
		fprintf(o.f,
			"<img src=\"price.svg\" alt=\"kernel time per unit of work by call\">\n");
	}
	fprintf(o.f,
		"<table border=\"1\"><tr><th>call</th><th>calls/unit</th>");
	for (int k = 0; k < np; k++)
		fprintf(o.f,
			"<th>%c ns/call [ci95]</th><th>%c us/unit</th><th>%c share</th>",
			'A' + k, 'A' + k, 'A' + k);
	fprintf(o.f, "<th>priced with</th><th>note</th></tr>\n");
	for (int i = 0; i < ps[0].nlines; i++)
		report_row(o.f, &ps[0].lines[i], ps, np);
	fprintf(o.f, "</table>\n<pre>\n");
	report_text(o.f, pr, ps, np);
	fprintf(o.f, "</pre>\n</body></html>\n");
	return kerf_out_close(&o, true);
}

int kerf_price_report(const char *dir, const struct kerf_profile *pr,
		      const struct kerf_price *ps, int np, char *err,
		      size_t errlen)
{
	char gnuplot[PATH_MAX], perr[256] = "";
	int rc = kerf_out_mkdirs(dir, err, errlen), plotted = 0;

	if (rc)
		return rc;
	rc = report_data(dir, ps, np);
	if (!rc)
		rc = report_script(dir, ps, np);
	if (rc) {
		snprintf(err, errlen, "cannot write into %s: %s", dir,
			 strerror(-rc));
		return rc;
	}
	if (kerf_gnuplot_find(gnuplot, sizeof(gnuplot)))
		snprintf(perr, sizeof(perr), "gnuplot is not on PATH");
	else if (!kerf_gnuplot_run(gnuplot, dir, "price.gp", perr,
				   sizeof(perr)))
		plotted = 1;
	rc = report_html(dir, pr, ps, np, plotted ? NULL : perr);
	if (rc) {
		snprintf(err, errlen, "cannot write %s/index.html: %s", dir,
			 strerror(-rc));
		return rc;
	}
	if (!plotted)
		snprintf(err, errlen, "%s", perr);
	return plotted ? 0 : 1;
}
