/* SPDX-License-Identifier: MIT */
/* The page, index.html: its head and navigation, the runs, the warnings, and a section per family with its plots and table. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "report/report.h"

void rep_html_esc(FILE *f, const char *s)
{
	kerf_put_html(f, s);
}

void rep_html_printf(FILE *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rep_html_esc(f, buf);
}

/* ---- plots ---- */
static const char page_css[] =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:1250px;"
	"padding:0 1em;color:#222;line-height:1.35}\n"
	"h1{margin-bottom:.2em}h2{border-bottom:2px solid #4e79a7;"
	"padding-bottom:.15em;margin-top:1.8em}\n"
	"table{border-collapse:collapse;margin:.6em 0;font-size:.88em}\n"
	"th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#eef2f7}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"tr.diff td{background:#fff3cd}tr.diff td:first-child{"
	"font-weight:bold}\n"
	".ok{color:#1b7a1b}.skip{color:#8a6d00}.error{color:#b00000;"
	"font-weight:bold}\n"
	".warn{background:#fff3cd;border-left:4px solid #e0a800;"
	"padding:.4em .8em;margin:.5em 0}\n"
	".bad{background:#fde2e2;border-left:4px solid #c00000;"
	"padding:.4em .8em;margin:.5em 0}\n"
	"figure{margin:1em 0}figure img{max-width:100%;height:auto;"
	"border:1px solid #ddd}\n"
	"figcaption{font-size:.85em;color:#555}\n"
	"nav a{margin-right:.8em}code{font-size:.92em}\n"
	"td.note{font-size:.92em;color:#444;max-width:32em}\n";

void rep_html_figure(FILE *f, const struct report *rep, int id)
{
	const struct plot *p = &rep->plots[id];

	if (p->made) {
		fprintf(f,
			"<figure><a href=\"plots/%s.png\"><img src=\"plots/"
			"%s.svg\" alt=\"",
			p->stem, p->stem);
		rep_html_esc(f, p->title);
		fprintf(f, "\"></a><figcaption>");
		rep_html_esc(f, p->title);
		fprintf(f,
			" (<a href=\"plots/%s.png\">PNG</a>, "
			"<a href=\"plots/%s.gp\">gnuplot script</a>, "
			"<a href=\"plots/%s.dat\">data</a>)"
			"</figcaption></figure>\n",
			p->stem, p->stem, p->stem);
	} else {
		fprintf(f, "<p class=\"warn\">Plot not drawn: ");
		rep_html_esc(f, p->title);
		fprintf(f,
			". Its <a href=\"plots/%s.gp\">gnuplot script</a> and "
			"<a href=\"plots/%s.dat\">data</a> are there: run "
			"<code>gnuplot %s.gp</code> in <code>plots/</code>."
			"</p>\n",
			p->stem, p->stem, p->stem);
	}
}

static void html_runs(FILE *f, const struct report *rep)
{
	int i;

	fprintf(f, "<section id=\"runs\"><h2>Runs</h2>\n<table><tr><th>run"
		   "</th><th>started</th><th>finished</th><th>profile</th>"
		   "<th>kerf</th><th>results</th><th>command</th></tr>\n");
	for (i = 0; i < rep->nruns; i++) {
		const json_t *run = rep->runs[i], *tool;
		json_t *res = json_object_get(run, "results"), *r, *a;
		int ok = 0, skip = 0, err = 0;
		size_t j;

		json_array_foreach(res, j, r)
		{
			const char *st = ju_str(r, "status");

			ok += st && !strcmp(st, "ok");
			skip += st && !strcmp(st, "skip");
			err += !st || !strcmp(st, "error");
		}
		tool = json_object_get(run, "tool");
		fprintf(f, "<tr><td>%s",
			i == 0 && rep->nruns > 1 ? "base: " : "");
		rep_html_esc(f, rep->names[i]);
		fprintf(f, "</td><td>");
		rep_html_esc(f, ju_str(run, "started"));
		fprintf(f, "</td><td>");
		rep_html_esc(f, ju_str(run, "finished") ?
					ju_str(run, "finished") :
					"(unfinished)");
		fprintf(f, "</td><td>");
		rep_html_esc(f,
			     ju_str(json_object_get(run, "config"), "profile"));
		fprintf(f, "</td><td>");
		rep_html_printf(f, "%s %s", ju_str(tool, "version") ?: "",
				ju_str(tool, "git") ?: "");
		fprintf(f,
			"</td><td>%d ok, %d skipped, "
			"<span class=\"%s\">%d failed</span></td><td><code>",
			ok, skip, err ? "error" : "", err);
		json_array_foreach(json_object_get(run, "command"), j, a)
		{
			if (j)
				fputc(' ', f);
			rep_html_esc(f, json_string_value(a));
		}
		fprintf(f, "</code></td></tr>\n");
	}
	fprintf(f, "</table></section>\n");
}

static void html_warnings(FILE *f, const struct report *rep)
{
	int i, n = 0;
	size_t j;
	json_t *w;

	fprintf(f, "<section id=\"warnings\"><h2>Warnings</h2>\n");
	if (!rep->gnuplot[0])
		fprintf(f, "<p class=\"bad\">gnuplot was not found on PATH, so "
			   "this report has no plots. The scripts and data are "
			   "in <code>plots/</code>; install gnuplot "
			   "(<code>apt-get install gnuplot-nox</code>) and run "
			   "<code>kerf report</code> again.</p>\n");
	else if (rep->plot_failures)
		fprintf(f,
			"<p class=\"bad\">%d plot(s) could not be drawn; "
			"first failure: ",
			rep->plot_failures),
			rep_html_esc(f, rep->plot_err), fprintf(f, "</p>\n");
	for (i = 0; i < rep->nruns; i++) {
		json_array_foreach(json_object_get(rep->runs[i], "warnings"), j,
				   w)
		{
			fprintf(f, "<p class=\"warn\">");
			if (rep->nruns > 1) {
				rep_html_esc(f, rep->names[i]);
				fprintf(f, ": ");
			}
			rep_html_esc(f, json_string_value(w));
			fprintf(f, "</p>\n");
			n++;
		}
	}
	if (!n)
		fprintf(f, "<p>The runs recorded no warnings about the "
			   "environment.</p>\n");
	fprintf(f, "</section>\n");
}

/* "<tr><td>bench</td><td>params</td>", and the run's cell when several. */
void rep_html_row_head(FILE *f, const struct report *rep, const char *bench,
		       const char *params, int run)
{
	fprintf(f, "<tr><td>");
	rep_html_esc(f, bench);
	fprintf(f, "</td><td>");
	rep_html_esc(f, params);
	fprintf(f, "</td>");
	if (rep->nruns > 1) {
		fprintf(f, "<td>");
		rep_html_esc(f, rep->names[run]);
		fprintf(f, "</td>");
	}
}

/* Whether s ends in suf: "usage_us" does, "peak_usage" does not. */
static bool html_ends(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && !strcmp(s + n - m, suf);
}

/*
 * A stressor figure in bytes: its unit in figure_units says so ("B"); runs
 * written before figure_units guess from the name (peak_usage, limit...).
 */
static bool html_figure_is_bytes(const json_t *r, const char *key)
{
	const char *unit = ju_str(json_object_get(r, "figure_units"), key);

	if (unit)
		return !strcmp(unit, "B");
	return (strstr(key, "usage") || strstr(key, "limit") ||
		strstr(key, "bytes") || strstr(key, "rss")) &&
	       !strstr(key, "ratio") && !html_ends(key, "_s") &&
	       !html_ends(key, "_ms") && !html_ends(key, "_us");
}

/* The unit of a stressor figure that is not in bytes, or "". */
static const char *html_figure_unit(const json_t *r, const char *key)
{
	const char *unit = ju_str(json_object_get(r, "figure_units"), key);

	return unit ? unit : "";
}

/* A stressor's outcome: as expected or not, and what was seen. */
static bool html_outcome(FILE *f, const json_t *outcome, bool sep)
{
	bool as = json_is_true(json_object_get(outcome, "as_expected"));

	if (!outcome ||
	    (!ju_str(outcome, "observed") && !ju_str(outcome, "expected")))
		return sep;
	fprintf(f, "%s<span class=\"%s\">%s</span>", sep ? "<br>" : "",
		as ? "ok" : "error", as ? "as expected" : "NOT as expected");
	if (ju_str(outcome, "expected")) {
		fprintf(f, "; expected: ");
		rep_html_esc(f, ju_str(outcome, "expected"));
	}
	if (ju_str(outcome, "observed")) {
		fprintf(f, "; observed: ");
		rep_html_esc(f, ju_str(outcome, "observed"));
	}
	return true;
}

/* The result's warnings, and a batch that did not scale linearly. */
static bool html_warnings_of(FILE *f, const json_t *r, bool sep)
{
	json_t *w, *lin = json_object_get(r, "linearity");
	bool warned_linear = false;
	size_t i;
	double v;

	json_array_foreach(json_object_get(r, "warnings"), i, w)
	{
		if (json_string_value(w) &&
		    strstr(json_string_value(w), "linear"))
			warned_linear = true;
		fprintf(f, "%s&#9888; ", sep ? "<br>" : "");
		rep_html_esc(f, json_string_value(w));
		sep = true;
	}
	if (json_is_false(json_object_get(lin, "ok")) &&
	    ju_num(lin, "ratio", &v) && !warned_linear) {
		fprintf(f,
			"%s&#9888; doubling the batch took %.2fx the time "
			"(2 is linear)",
			sep ? "<br>" : "", v);
		sep = true;
	}
	return sep;
}

/* Derived metrics ("p99 = 12 us") and a stressor's figures. */
static bool html_figures(FILE *f, const json_t *r, bool sep)
{
	const char *k;
	char num[64];
	json_t *w;
	double v;

	json_object_foreach(json_object_get(r, "metrics"), k, w)
	{
		if (!ju_num(w, "value", &v))
			continue;
		rep_fmt_num(v, num, sizeof(num));
		fprintf(f, "%s", sep ? "<br>" : "");
		rep_html_printf(f, "%s = %s %s", k, num,
				ju_str(w, "unit") ? ju_str(w, "unit") : "");
		sep = true;
	}
	json_object_foreach(json_object_get(r, "figures"), k, w)
	{
		fprintf(f, "%s", sep ? "<br>" : "");
		if (json_is_number(w) && html_figure_is_bytes(r, k) &&
		    fabs(json_number_value(w)) >= 1024) {
			rep_human_bytes(json_number_value(w), num, sizeof(num));
			rep_html_printf(f, "%s = %s", k, num);
		} else if (json_is_number(w)) {
			rep_fmt_num(json_number_value(w), num, sizeof(num));
			rep_html_printf(f, "%s = %s%s%s", k, num,
					*html_figure_unit(r, k) ? " " : "",
					html_figure_unit(r, k));
		} else if (json_is_string(w)) {
			rep_html_printf(f, "%s = %s", k, json_string_value(w));
		} else {
			char *s = json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY);

			rep_html_printf(f, "%s = %s", k, s ? s : "");
			free(s);
		}
		sep = true;
	}
	return sep;
}

/* Skip reasons, errors, warnings and derived metrics of one result. */
static void html_notes(FILE *f, const json_t *r)
{
	const char *reason = ju_str(r, "reason");
	bool sep = false;

	if (reason && !ju_result_ok(r)) {
		rep_html_esc(f, reason);
		sep = true;
	}
	sep = html_outcome(f, json_object_get(r, "outcome"), sep);
	sep = html_warnings_of(f, r, sep);
	html_figures(f, r, sep);
}

static void html_result_row(FILE *f, const struct report *rep, const json_t *r,
			    int run)
{
	json_t *st = json_object_get(r, "stats");
	const char *status = ju_str(r, "status") ?: "error";
	char p[400], a[64], b[64];
	double m, lo, hi, v;

	rep_params_label(r, NULL, " ", p, sizeof(p));
	rep_html_row_head(f, rep, ju_str(r, "bench"), p, run);
	fprintf(f, "<td class=\"%s\">",
		!strcmp(status, "ok")	? "ok" :
		!strcmp(status, "skip") ? "skip" :
					  "error");
	rep_html_esc(f, status);
	fprintf(f, "</td>");
	if (rep_median(r, &m, &lo, &hi)) {
		rep_fmt_num(m, a, sizeof(a));
		fprintf(f, "<td class=\"n\">%s</td>", a);
		rep_fmt_num(lo, a, sizeof(a));
		rep_fmt_num(hi, b, sizeof(b));
		fprintf(f, "<td class=\"n\">%s &ndash; %s</td>", a, b);
		if (ju_num(st, "cv", &v))
			fprintf(f, "<td class=\"n\">%.1f%%</td>", v * 100);
		else
			fprintf(f, "<td class=\"n\">-</td>");
		fprintf(f, "<td>");
		rep_html_esc(f, ju_str(r, "unit"));
		fprintf(f, "</td><td class=\"n\">");
		if (ju_num(st, "n", &v))
			fprintf(f, "%.0f", v);
		if (ju_num(r, "procs", &v))
			fprintf(f, " / %.0f", v);
		fprintf(f, "</td>");
	} else if (ju_result_ok(r) && ju_num(r, "value", &v)) {
		/* a stressor: its headline figure, no distribution */
		rep_fmt_num(v, a, sizeof(a));
		fprintf(f,
			"<td class=\"n\">%s</td><td class=\"n\">-</td>"
			"<td class=\"n\">-</td><td>",
			a);
		rep_html_esc(f, ju_str(r, "unit"));
		fprintf(f, "</td><td class=\"n\">-</td>");
	} else {
		fprintf(f, "<td class=\"n\">-</td><td class=\"n\">-</td>"
			   "<td class=\"n\">-</td><td>");
		rep_html_esc(f, ju_str(r, "unit"));
		fprintf(f, "</td><td class=\"n\">-</td>");
	}
	fprintf(f, "<td class=\"note\">");
	html_notes(f, r);
	fprintf(f, "</td></tr>\n");
}

/* A family's section: its plots, its vdso pairs, a row per result. */
static void html_family(FILE *f, const struct report *rep, size_t n)
{
	const char *fam = json_string_value(json_array_get(rep->fams, n));
	const struct famplots *fp = &rep->fps[n];
	const struct rlist *fr = &rep->frs[n];
	json_t *done = json_object();
	int i, j;

	fprintf(f, "<section id=\"f-");
	rep_html_esc(f, fam);
	fprintf(f, "\"><h2>");
	rep_html_esc(f, fam);
	fprintf(f, "</h2>\n");
	for (i = fp->first; i < fp->first + fp->count; i++)
		rep_html_figure(f, rep, i);
	rep_html_vdso(f, rep, fr, json_array_get(rep->pairs, n));
	fprintf(f,
		"<table><tr><th>bench</th><th>params</th>%s<th>status</th>"
		"<th>median</th><th>95%% CI of the median</th><th>CV</th>"
		"<th>unit</th><th>n / procs</th><th>notes</th></tr>\n",
		rep->nruns > 1 ? "<th>run</th>" : "");
	/* several runs: the rows of one bench and params together */
	for (i = 0; i < fr->n; i++) {
		char k[600];

		rep_key(fr->v[i].r, k, sizeof(k));
		if (json_object_get(done, k))
			continue;
		json_object_set_new(done, k, json_true());
		for (j = i; j < fr->n; j++) {
			char k2[600];

			rep_key(fr->v[j].r, k2, sizeof(k2));
			if (!strcmp(k, k2))
				html_result_row(f, rep, fr->v[j].r,
						fr->v[j].run);
		}
	}
	fprintf(f, "</table></section>\n");
	json_decref(done);
}

/* The head of the page: title, style and the links to every section. */
static void html_head(FILE *f, const struct report *rep)
{
	size_t j;
	int i;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		   "charset=\"utf-8\">\n<title>kerf report: ");
	for (i = 0; i < rep->nruns; i++) {
		fprintf(f, "%s", i ? " vs " : "");
		rep_html_esc(f, rep->names[i]);
	}
	fprintf(f,
		"</title>\n<style>\n%s%s</style></head><body>\n<h1>kerf "
		"report</h1>\n<nav>%s<a href=\"#runs\">runs</a><a "
		"href=\"#env\">environment</a><a href=\"#warnings\">"
		"warnings</a>%s",
		page_css, rep->ncmp ? rep_cmp_css : "",
		rep->ncmp ? "<a href=\"#summary\">summary</a>" : "",
		rep->ncmp ? "<a href=\"#compare\">comparison</a>" : "");
	for (j = 0; j < json_array_size(rep->fams); j++) {
		const char *fam =
			json_string_value(json_array_get(rep->fams, j));

		fprintf(f, "<a href=\"#f-");
		rep_html_esc(f, fam);
		fprintf(f, "\">");
		rep_html_esc(f, fam);
		fprintf(f, "</a>");
	}
	fprintf(f, "</nav>\n");
}

int rep_html_page(struct report *rep, char *err, size_t errlen)
{
	struct kerf_outfile out;
	char path[PATH_MAX];
	size_t j;
	int ret;

	snprintf(path, sizeof(path), "%s/index.html", rep->dir);
	ret = kerf_out_open(&out, path);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	html_head(out.f, rep);
	if (rep->ncmp)
		rep_html_summary(out.f, rep);
	html_runs(out.f, rep);
	html_warnings(out.f, rep);
	rep_html_env(out.f, rep);
	if (rep->ncmp)
		rep_html_compare(out.f, rep);
	for (j = 0; j < json_array_size(rep->fams); j++)
		html_family(out.f, rep, j);
	fprintf(out.f, "<p style=\"color:#777;font-size:.8em\">Written by kerf "
		       "report. Plots: <code>plots/*.gp</code> with their "
		       "data beside them.</p>\n</body></html>\n");
	ret = kerf_out_close(&out, true);
	if (ret)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}
