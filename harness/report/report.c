/* SPDX-License-Identifier: MIT */
/* `kerf report`: gnuplot plots and an offline index.html for one or more runs. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "kerf/derive.h"
#include "kerf/hypo.h"
#include "kerf/parse.h"
#include "kerf/report.h"
#include "kerf/result.h"
#include "kerf/stats.h"
#include "report/util.h"

#define MAX_PARAMS 32
#define BOOT_SEED 0x6b657266ull /* "kerf" */
/* Below this syscall/vDSO ratio the call did not stay in user space. */

/* Tableau 10: distinct, readable, kind to colour-blind readers. */
static const char *const colours[] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};
#define NCOLOURS (int)(sizeof(colours) / sizeof(colours[0]))

/* One result of one run. */
struct rref {
	const json_t *r;
	int run;
};

struct plot {
	char stem[128]; /* plots/STEM.{gp,dat,svg,png} */
	char title[256];
	bool made; /* gnuplot wrote both images */
};

struct report {
	json_t *const *runs;
	char (*names)[128];
	int nruns;
	const char *dir;
	char plotdir[PATH_MAX];
	char gnuplot[PATH_MAX]; /* empty when not found */
	char plot_err[512]; /* the first failure, for the page */
	int plot_failures;
	struct plot *plots;
	int nplots, cap;
	json_t *stems; /* stems in use */
};

/* ---- small helpers ---- */

static void family_of(const char *bench, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(bench, "/"), bench);
}

static const char *variant_of(const char *bench)
{
	const char *s = strchr(bench, '/');

	return s ? s + 1 : bench;
}

static bool is_ok(const json_t *r)
{
	const char *st = ju_str(r, "status");

	return st && !strcmp(st, "ok");
}

/* Median and its interval; lo and hi fall back to the median. */
static bool res_median(const json_t *r, double *med, double *lo, double *hi)
{
	json_t *st = json_object_get(r, "stats");
	json_t *ci = json_object_get(st, "ci95");

	if (!is_ok(r) || !ju_num(st, "median", med))
		return false;
	*lo = *hi = *med;
	if (json_array_size(ci) == 2 && json_is_number(json_array_get(ci, 0)) &&
	    json_is_number(json_array_get(ci, 1))) {
		*lo = json_number_value(json_array_get(ci, 0));
		*hi = json_number_value(json_array_get(ci, 1));
	}
	return true;
}

/* A parameter's value as text (numbers formatted), NULL when absent. */
static const char *param_text(const json_t *r, const char *key, char *buf,
			      size_t len)
{
	json_t *v = json_object_get(json_object_get(r, "params"), key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_number(v)) {
		kerf_fmt_double(json_number_value(v), buf, len);
		return buf;
	}
	return NULL;
}

/* "4K" 4096, "10ms" 1e7, "12" 12: a parameter value as a number. */
static bool value_num(const char *s, double *x)
{
	uint64_t u;
	int64_t i;

	if (!s)
		return false;
	if (!kerf_parse_int(s, &i)) {
		*x = (double)i;
		return true;
	}
	if (!kerf_parse_size(s, &u) || !kerf_parse_time(s, &u)) {
		*x = (double)u;
		return true;
	}
	return !kerf_parse_double(s, x);
}

/* "k=v k2=v2" of a result's params, leaving out skip (may be NULL). */
static void params_label(const json_t *r, const char *skip, const char *sep,
			 char *buf, size_t len)
{
	const char *keys[MAX_PARAMS];
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	n = ju_param_keys(r, keys, MAX_PARAMS);
	for (i = 0; i < n && off < len; i++) {
		char num[64];
		const char *v;

		if (skip && !strcmp(keys[i], skip))
			continue;
		v = param_text(r, keys[i], num, sizeof(num));
		off += snprintf(buf + off, len - off, "%s%s=%s", off ? sep : "",
				keys[i], v ? v : "");
	}
}

/* Labels go into gnuplot strings and data files: no quotes there. */
static void gp_clean(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || *s == '\r')
			*s = '\'';
}

static void fmt_num(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (v != 0 && (fabs(v) >= 1e6 || fabs(v) < 1e-3))
		snprintf(buf, len, "%.3e", v);
	else
		snprintf(buf, len, "%.4g", v);
}

/* ---- HTML output ---- */

static void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void html_printf(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void html_printf(FILE *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	html_esc(f, buf);
}

/* ---- plots ---- */

static int plot_new(struct report *rep, const char *hint, const char *title)
{
	struct plot *p;
	char stem[128], base[100];
	int n = 1;

	kerf_slug(hint, base, sizeof(base));
	snprintf(stem, sizeof(stem), "%s", base);
	while (json_object_get(rep->stems, stem))
		snprintf(stem, sizeof(stem), "%s-%d", base, ++n);
	json_object_set_new(rep->stems, stem, json_true());
	if (rep->nplots == rep->cap) {
		int cap = rep->cap ? rep->cap * 2 : 16;
		struct plot *np = realloc(rep->plots, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		rep->plots = np;
		rep->cap = cap;
	}
	p = &rep->plots[rep->nplots];
	memset(p, 0, sizeof(*p));
	snprintf(p->stem, sizeof(p->stem), "%s", stem);
	snprintf(p->title, sizeof(p->title), "%s", title);
	return rep->nplots++;
}

/* Open STEM.gp and STEM.dat, write the SVG half of the script's header. */
static int plot_open(struct report *rep, int id, int w, int h, FILE **gp,
		     FILE **dat)
{
	struct plot *p = &rep->plots[id];
	char path[PATH_MAX + 160], title[256];

	snprintf(path, sizeof(path), "%s/%s.gp", rep->plotdir, p->stem);
	*gp = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/%s.dat", rep->plotdir, p->stem);
	*dat = fopen(path, "w");
	if (!*gp || !*dat) {
		int e = -errno;

		if (*gp)
			fclose(*gp);
		if (*dat)
			fclose(*dat);
		return e;
	}
	snprintf(title, sizeof(title), "%s", p->title);
	gp_clean(title);
	fprintf(*gp,
		"# kerf report plot: %s\n"
		"# Data in %s.dat; run `gnuplot %s.gp` here to redraw.\n"
		"set terminal svg size %d,%d fixed noenhanced "
		"font \"sans,13\" background rgb \"white\"\n"
		"set output \"%s.svg\"\n"
		"set title \"%s\"\n"
		"set border lc rgb \"#555555\"\n"
		"set grid lc rgb \"#dddddd\"\n"
		"set key noenhanced\n",
		title, p->stem, p->stem, w, h, p->stem, title);
	fprintf(*dat, "# kerf report data for %s.gp\n", p->stem);
	return 0;
}

/* The PNG half: the same plot again on pngcairo (png where it lacks). */
static int plot_close(struct report *rep, int id, int w, int h, FILE *gp,
		      FILE *dat)
{
	struct plot *p = &rep->plots[id];
	int ret = 0;

	fprintf(gp,
		"set output\n"
		"if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		"\tset terminal pngcairo size %d,%d noenhanced "
		"font \"sans,10\" background rgb \"white\"\n"
		"} else {\n"
		"\tset terminal png size %d,%d noenhanced\n"
		"}\n"
		"set output \"%s.png\"\n"
		"replot\n"
		"set output\n",
		w, h, w, h, p->stem);
	if (ferror(gp) || ferror(dat))
		ret = -EIO;
	if (fclose(gp) && !ret)
		ret = -errno;
	if (fclose(dat) && !ret)
		ret = -errno;
	return ret;
}

/* Explicit tics: ("label" pos, ...). */
static void gp_tics(FILE *gp, const char *axis, char (*labels)[160],
		    const double *pos, int n, const char *extra)
{
	int i;

	fprintf(gp, "set %s (", axis);
	for (i = 0; i < n; i++) {
		const char *c;

		fprintf(gp, "%s\"", i ? ", " : "");
		for (c = labels[i]; *c; c++)
			fputs(*c == '\n' ? "\\n" : (char[2]){ *c, 0 }, gp);
		fprintf(gp, "\" %g", pos[i]);
	}
	fprintf(gp, ") %s\n", extra ? extra : "");
}

/* ---- result collections ---- */

struct rlist {
	struct rref *v;
	int n, cap;
};

static int rlist_add(struct rlist *l, const json_t *r, int run)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 32;
		struct rref *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].r = r;
	l->v[l->n].run = run;
	l->n++;
	return 0;
}

/* Results of one family, in the order they first appear across the runs. */
static int family_results(const struct report *rep, const char *fam,
			  struct rlist *out)
{
	int i, ret;
	size_t j;
	json_t *r;

	for (i = 0; i < rep->nruns; i++) {
		json_array_foreach(json_object_get(rep->runs[i], "results"), j,
				   r)
		{
			const char *b = ju_str(r, "bench");
			char f[128];

			if (!b)
				continue;
			family_of(b, f, sizeof(f));
			if (strcmp(f, fam))
				continue;
			ret = rlist_add(out, r, i);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* A key that pairs results across runs: "bench{k=v,...}". */
static void rkey(const json_t *r, char *buf, size_t len)
{
	char p[400];

	params_label(r, NULL, ",", p, sizeof(p));
	snprintf(buf, len, "%s{%s}",
		 ju_str(r, "bench") ? ju_str(r, "bench") : "?", p);
}

/*
 * How a bench's results are drawn: swept over xkey (numbers, 2 values or
 * more), grouped bars by "via", or plain bars.
 */
enum shape { SHAPE_BARS, SHAPE_SWEEP, SHAPE_VIA };

static enum shape bench_shape(const struct rlist *fr, const char *bench,
			      char *xkey, size_t xlen)
{
	json_t *vals = json_object(); /* key -> {value: true} */
	json_t *numeric = json_object();
	const char *k;
	json_t *v;
	enum shape sh = SHAPE_BARS;
	size_t best = 1;
	int i;

	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		double med, lo, hi, x;

		if (strcmp(ju_str(r, "bench"), bench) ||
		    !res_median(r, &med, &lo, &hi))
			continue;
		json_object_foreach(json_object_get(r, "params"), k, v)
		{
			char num[64];
			const char *t = param_text(r, k, num, sizeof(num));
			json_t *set = json_object_get(vals, k);

			if (!set) {
				set = json_object();
				json_object_set_new(vals, k, set);
				json_object_set_new(numeric, k, json_true());
			}
			json_object_set_new(set, t ? t : "", json_true());
			if (!value_num(t, &x))
				json_object_set_new(numeric, k, json_false());
		}
	}
	if (json_object_size(json_object_get(vals, "via")) >= 2) {
		sh = SHAPE_VIA;
		goto out;
	}
	json_object_foreach(vals, k, v)
	{
		if (json_is_true(json_object_get(numeric, k)) &&
		    json_object_size(v) > best) {
			best = json_object_size(v);
			snprintf(xkey, xlen, "%s", k);
			sh = SHAPE_SWEEP;
		}
	}
out:
	json_decref(vals);
	json_decref(numeric);
	return sh;
}

/* ---- horizontal bars: a family's unswept results ---- */

static int plot_bars(struct report *rep, const char *fam, const char *unit,
		     const struct rlist *fr, const json_t *barbench)
{
	char title[256], hint[160], (*labels)[160] = NULL;
	double *pos = NULL;
	json_t *slots = json_object(); /* rkey -> slot */
	int nslots = 0, id, i, run, w = 900, h, ret = 0;
	double bh;
	FILE *gp, *dat;

	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		char key[512];
		double m, lo, hi;

		if (!json_object_get(barbench, ju_str(r, "bench")) ||
		    strcmp(ju_str(r, "unit") ? ju_str(r, "unit") : "", unit) ||
		    !res_median(r, &m, &lo, &hi))
			continue;
		rkey(r, key, sizeof(key));
		if (!json_object_get(slots, key))
			json_object_set_new(slots, key, json_integer(nslots++));
	}
	if (!nslots)
		goto out;
	snprintf(title, sizeof(title), "%s: median with 95%% interval (%s)",
		 fam, unit);
	snprintf(hint, sizeof(hint), "%s-bars-%s", fam, unit);
	id = plot_new(rep, hint, title);
	h = 110 + nslots * (rep->nruns > 1 ? 16 * rep->nruns + 8 : 26);
	h = h < 220 ? 220 : h;
	if (id < 0 || (ret = plot_open(rep, id, w, h, &gp, &dat))) {
		ret = id < 0 ? id : ret;
		goto out;
	}
	labels = calloc(nslots, sizeof(*labels));
	pos = calloc(nslots, sizeof(*pos));
	bh = 0.8 / rep->nruns;
	for (run = 0; run < rep->nruns; run++) {
		fprintf(dat, "# run %s: y median ci_lo ci_hi\n",
			rep->names[run]);
		for (i = 0; i < fr->n; i++) {
			const json_t *r = fr->v[i].r;
			char key[512], p[400];
			json_t *slot;
			double m, lo, hi, y;
			int s;

			if (fr->v[i].run != run)
				continue;
			rkey(r, key, sizeof(key));
			slot = json_object_get(slots, key);
			if (!slot || !res_median(r, &m, &lo, &hi) ||
			    strcmp(ju_str(r, "unit") ? ju_str(r, "unit") : "",
				   unit))
				continue;
			s = json_integer_value(slot);
			/* first result on top */
			pos[s] = nslots - 1 - s;
			params_label(r, NULL, " ", p, sizeof(p));
			snprintf(labels[s], sizeof(labels[s]), "%.60s%s%.98s",
				 variant_of(ju_str(r, "bench")),
				 p[0] ? " " : "", p);
			gp_clean(labels[s]);
			y = pos[s] + (rep->nruns - 1) * bh / 2 - run * bh;
			fprintf(dat, "%g %.17g %.17g %.17g\n", y, m, lo, hi);
		}
		fprintf(dat, "\n\n");
	}
	gp_tics(gp, "ytics", labels, pos, nslots, "nomirror");
	fprintf(gp,
		"set yrange [-0.6:%g]\n"
		"set xrange [0:*]\n"
		"set xlabel \"%s (bar: median; whiskers: its 95%% interval)\"\n"
		"set grid xtics noytics\n"
		"set style fill solid 0.75 border rgb \"#333333\"\n"
		"set key %s\n",
		nslots - 0.4, unit,
		rep->nruns > 1 ? "outside top horizontal" : "off");
	fprintf(gp, "plot ");
	for (run = 0; run < rep->nruns; run++) {
		fprintf(gp,
			"%s\"%s.dat\" index %d using (0):1:(0):2:($1-%g):($1+%g) "
			"with boxxyerror lc rgb \"%s\" title \"%s\", \\\n"
			"  \"%s.dat\" index %d using 2:1:3:4 with xerrorbars "
			"lc rgb \"#222222\" pt 7 ps 0.35 lw 1.5 notitle",
			run ? ", \\\n  " : "", rep->plots[id].stem, run,
			bh * 0.45, bh * 0.45, colours[run % NCOLOURS],
			rep->names[run], rep->plots[id].stem, run);
	}
	fprintf(gp, "\n");
	ret = plot_close(rep, id, w, h, gp, dat);
out:
	free(labels);
	free(pos);
	json_decref(slots);
	return ret;
}

/* ---- sweeps: lines with a confidence band ---- */

struct pt {
	double x, m, lo, hi;
	char xs[64];
};

static int cmp_pt(const void *a, const void *b)
{
	const struct pt *p = a, *q = b;

	return (p->x > q->x) - (p->x < q->x);
}

/*
 * A point of a sweep: the median with its interval, or a derived metric
 * (the median over worker processes) with the range of the processes.
 */
static bool sweep_point(const json_t *r, const char *metric, double *m,
			double *lo, double *hi)
{
	json_t *mv, *pp, *v;
	size_t i;

	if (!metric)
		return res_median(r, m, lo, hi);
	mv = json_object_get(json_object_get(r, "metrics"), metric);
	if (!is_ok(r) || !ju_num(mv, "value", m))
		return false;
	*lo = *hi = *m;
	pp = json_object_get(mv, "per_proc");
	json_array_foreach(pp, i, v)
	{
		if (!json_is_number(v))
			continue;
		*lo = fmin(*lo, json_number_value(v));
		*hi = fmax(*hi, json_number_value(v));
	}
	return true;
}

static int plot_sweep(struct report *rep, const char *bench, const char *xkey,
		      const struct rlist *fr, const char *metric)
{
	json_t *lines = json_object(); /* "run\tlabel" -> [indexes] */
	json_t *xt = json_object(); /* x label -> x */
	json_t *combos = json_object(); /* other params -> dash type */
	char title[256], hint[200], (*labels)[160] = NULL;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = 0;
	double *pos = NULL;
	const char *unit = NULL, *lk;
	struct pt *pts = NULL;
	int id, i, ret = 0, w = 900, h = 520, li = 0, nt;
	json_t *lv;
	FILE *gp, *dat;

	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		char lab[400], key[520];
		double m, lo, hi;
		json_t *arr;

		if (strcmp(ju_str(r, "bench"), bench) ||
		    !sweep_point(r, metric, &m, &lo, &hi))
			continue;
		if (!unit)
			unit = metric ? ju_str(json_object_get(
						       json_object_get(
							       r, "metrics"),
						       metric),
					       "unit") :
					ju_str(r, "unit");
		params_label(r, xkey, " ", lab, sizeof(lab));
		snprintf(key, sizeof(key), "%d\t%s", fr->v[i].run, lab);
		arr = json_object_get(lines, key);
		if (!arr) {
			arr = json_array();
			json_object_set_new(lines, key, arr);
		}
		json_array_append_new(arr, json_integer(i));
	}
	if (!json_object_size(lines))
		goto out;
	if (metric) {
		snprintf(title, sizeof(title),
			 "%s %s against %s (median of the processes, band: "
			 "their range)",
			 bench, metric, xkey);
		snprintf(hint, sizeof(hint), "%s-sweep-%s-%s", bench, xkey,
			 metric);
	} else {
		snprintf(title, sizeof(title),
			 "%s against %s (median, 95%% band)", bench, xkey);
		snprintf(hint, sizeof(hint), "%s-sweep-%s", bench, xkey);
	}
	id = plot_new(rep, hint, title);
	if (id < 0 || (ret = plot_open(rep, id, w, h, &gp, &dat))) {
		ret = id < 0 ? id : ret;
		goto out;
	}
	pts = calloc(fr->n, sizeof(*pts));
	json_object_foreach(lines, lk, lv)
	{
		size_t j, n = 0;
		json_t *ix;

		json_array_foreach(lv, j, ix)
		{
			const json_t *r = fr->v[json_integer_value(ix)].r;
			struct pt *p = &pts[n];
			const char *t;

			t = param_text(r, xkey, p->xs, sizeof(p->xs));
			if (t != p->xs)
				snprintf(p->xs, sizeof(p->xs), "%s", t);
			if (!value_num(p->xs, &p->x) ||
			    !sweep_point(r, metric, &p->m, &p->lo, &p->hi))
				continue;
			gp_clean(p->xs);
			json_object_set_new(xt, p->xs, json_real(p->x));
			xmin = fmin(xmin, p->x);
			xmax = fmax(xmax, p->x);
			ymin = fmin(ymin, fmin(p->lo, p->m));
			ymax = fmax(ymax, fmax(p->hi, p->m));
			n++;
		}
		qsort(pts, n, sizeof(*pts), cmp_pt);
		fprintf(dat, "# line %d: %s\n# x median ci_lo ci_hi label\n",
			li, lk);
		for (j = 0; j < n; j++)
			fprintf(dat, "%.17g %.17g %.17g %.17g \"%s\"\n",
				pts[j].x, pts[j].m, pts[j].lo, pts[j].hi,
				pts[j].xs);
		fprintf(dat, "\n\n");
		li++;
	}
	nt = json_object_size(xt);
	if (nt <= 16) {
		const char *tk;
		json_t *tv;
		int k = 0;

		labels = calloc(nt, sizeof(*labels));
		pos = calloc(nt, sizeof(*pos));
		json_object_foreach(xt, tk, tv)
		{
			snprintf(labels[k], sizeof(labels[k]), "%s", tk);
			pos[k++] = json_real_value(tv);
		}
		gp_tics(gp, "xtics", labels, pos, nt,
			nt > 8 ? "nomirror rotate by -35" : "nomirror");
	}
	/* a margin on both sides, so the end points and tics stay inside */
	if (xmin > 0 && xmax / xmin >= 100)
		fprintf(gp, "set logscale x 2\nset xrange [%g:%g]\n",
			xmin / pow(xmax / xmin, 0.03),
			xmax * pow(xmax / xmin, 0.03));
	else if (xmax > xmin)
		fprintf(gp, "set xrange [%g:%g]\n", xmin - (xmax - xmin) * 0.03,
			xmax + (xmax - xmin) * 0.03);
	if (ymin > 0 && ymax / ymin >= 100)
		fprintf(gp, "set logscale y\n");
	else
		fprintf(gp, "set yrange [0:*]\n");
	fprintf(gp,
		"set xlabel \"%s\"\n"
		"set ylabel \"%s%s%s%s\"\n"
		"set key outside right top vertical\n"
		"set style fill transparent solid 0.18 noborder\n"
		"plot ",
		xkey, metric ? metric : "", metric ? " (" : "",
		unit ? unit : "", metric ? ")" : "");
	li = 0;
	json_object_foreach(lines, lk, lv)
	{
		int run = atoi(lk);
		const char *lab = strchr(lk, '\t') + 1;
		const char *c;
		char t[300];
		int dt = 1;

		if (rep->nruns > 1) {
			/* colour: the run; dash: the other params */
			if (!json_object_get(combos, lab))
				json_object_set_new(
					combos, lab,
					json_integer(json_object_size(combos)));
			c = colours[run % NCOLOURS];
			dt = 1 +
			     json_integer_value(json_object_get(combos, lab)) %
				     5;
			snprintf(t, sizeof(t), "%s%s%s", rep->names[run],
				 lab[0] ? " " : "", lab);
		} else {
			c = colours[li % NCOLOURS];
			snprintf(t, sizeof(t), "%s", lab[0] ? lab : bench);
		}
		gp_clean(t);
		fprintf(gp,
			"%s\"%s.dat\" index %d using 1:3:4 with filledcurves "
			"lc rgb \"%s\" notitle, \\\n"
			"  \"%s.dat\" index %d using 1:2 with linespoints "
			"lc rgb \"%s\" dt %d lw 2 pt 7 ps 0.7 title \"%s\"",
			li ? ", \\\n  " : "", rep->plots[id].stem, li, c,
			rep->plots[id].stem, li, c, dt, t);
		li++;
	}
	fprintf(gp, "\n");
	ret = plot_close(rep, id, w, h, gp, dat);
out:
	free(pts);
	free(labels);
	free(pos);
	json_decref(lines);
	json_decref(xt);
	json_decref(combos);
	return ret;
}

/* ---- grouped bars: via=vdso against via=syscall ---- */

static int plot_via(struct report *rep, const char *fam, const char *unit,
		    const struct rlist *fr, const json_t *viabench)
{
	json_t *clusters = json_object(); /* label -> index */
	json_t *series = json_object(); /* "run\tvia" -> index */
	char title[256], hint[160], (*labels)[160] = NULL;
	double *pos = NULL, bw, ymin = INFINITY, ymax = 0;
	int nc, ns, id, i, ret = 0, w = 900, h = 480, s;
	const char *sk;
	json_t *sv;
	FILE *gp, *dat;

	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		char lab[400], key[300], num[64];
		const char *via = param_text(r, "via", num, sizeof(num));
		double m, lo, hi;

		if (!json_object_get(viabench, ju_str(r, "bench")) ||
		    strcmp(ju_str(r, "unit") ? ju_str(r, "unit") : "", unit) ||
		    !res_median(r, &m, &lo, &hi))
			continue;
		params_label(r, "via", " ", key, sizeof(key));
		snprintf(lab, sizeof(lab), "%s%s%s",
			 variant_of(ju_str(r, "bench")), key[0] ? "\n" : "",
			 key);
		if (!json_object_get(clusters, lab))
			json_object_set_new(
				clusters, lab,
				json_integer(json_object_size(clusters)));
		snprintf(key, sizeof(key), "%d\t%s", fr->v[i].run,
			 via ? via : "");
		if (!json_object_get(series, key))
			json_object_set_new(
				series, key,
				json_integer(json_object_size(series)));
	}
	nc = json_object_size(clusters);
	ns = json_object_size(series);
	if (!nc)
		goto out;
	snprintf(title, sizeof(title),
		 "%s: by the vDSO or by a real system call (%s)", fam, unit);
	snprintf(hint, sizeof(hint), "%s-via-%s", fam, unit);
	id = plot_new(rep, hint, title);
	w = 400 + nc * (40 + 28 * ns);
	w = w < 700 ? 700 : w > 1400 ? 1400 : w;
	if (id < 0 || (ret = plot_open(rep, id, w, h, &gp, &dat))) {
		ret = id < 0 ? id : ret;
		goto out;
	}
	labels = calloc(nc, sizeof(*labels));
	pos = calloc(nc, sizeof(*pos));
	bw = 0.8 / ns;
	json_object_foreach(series, sk, sv)
	{
		int run = atoi(sk);
		const char *via = strchr(sk, '\t') + 1;

		s = json_integer_value(sv);
		fprintf(dat, "# series %d: run %s via=%s: x median lo hi\n", s,
			rep->names[run], via);
		for (i = 0; i < fr->n; i++) {
			const json_t *r = fr->v[i].r;
			char lab[400], key[300], num[64];
			const char *v = param_text(r, "via", num, sizeof(num));
			double m, lo, hi, x;
			int c;

			if (fr->v[i].run != run || !v || strcmp(v, via) ||
			    !json_object_get(viabench, ju_str(r, "bench")) ||
			    strcmp(ju_str(r, "unit") ? ju_str(r, "unit") : "",
				   unit) ||
			    !res_median(r, &m, &lo, &hi))
				continue;
			params_label(r, "via", " ", key, sizeof(key));
			snprintf(lab, sizeof(lab), "%s%s%s",
				 variant_of(ju_str(r, "bench")),
				 key[0] ? "\n" : "", key);
			c = json_integer_value(json_object_get(clusters, lab));
			pos[c] = c;
			snprintf(labels[c], sizeof(labels[c]), "%.159s", lab);
			gp_clean(labels[c]);
			x = c - 0.4 + bw * (s + 0.5);
			ymin = fmin(ymin, fmin(lo, m));
			ymax = fmax(ymax, fmax(hi, m));
			fprintf(dat, "%g %.17g %.17g %.17g\n", x, m, lo, hi);
		}
		fprintf(dat, "\n\n");
	}
	gp_tics(gp, "xtics", labels, pos, nc,
		nc > 6 ? "nomirror rotate by -25" : "nomirror");
	/* a vDSO call can be 100 times cheaper: log y, or its bar vanishes */
	if (ymin > 0 && ymax / ymin >= 30)
		fprintf(gp, "set logscale y\nset autoscale yfix\n");
	else
		fprintf(gp, "set yrange [0:*]\n");
	fprintf(gp,
		"set xrange [-0.6:%g]\n"
		"set ylabel \"%s\"\n"
		"set grid ytics noxtics\n"
		"set boxwidth %g absolute\n"
		"set style fill solid 0.8 border rgb \"#333333\"\n"
		"set key outside right top vertical\n"
		"set offsets 0, 0, graph 0.08, 0\n"
		"set bmargin %d\n"
		"plot ",
		nc - 0.4, unit, bw * 0.9, nc > 6 ? 9 : 5);
	json_object_foreach(series, sk, sv)
	{
		int run = atoi(sk);
		char t[300];

		const char *via = strchr(sk, '\t') + 1, *c, *fs;

		s = json_integer_value(sv);
		if (rep->nruns > 1) {
			/* colour: the run; hatched: the system call */
			snprintf(t, sizeof(t), "%s via=%s", rep->names[run],
				 via);
			c = colours[run % NCOLOURS];
			fs = strcmp(via, "vdso") ? "fs pattern 4 border" :
						   "fs solid 0.8 border";
		} else {
			snprintf(t, sizeof(t), "via=%s", via);
			c = colours[s % NCOLOURS];
			fs = "fs solid 0.8 border";
		}
		gp_clean(t);
		fprintf(gp,
			"%s\"%s.dat\" index %d using 1:2 with boxes "
			"lc rgb \"%s\" %s title \"%s\", \\\n"
			"  \"%s.dat\" index %d using 1:2:3:4 with yerrorbars "
			"lc rgb \"#222222\" pt 7 ps 0.35 lw 1.5 notitle, \\\n"
			"  \"%s.dat\" index %d using 1:4:($2 >= 1000 ? "
			"sprintf(\"%%.0f\", $2) : sprintf(\"%%.3g\", $2)) "
			"with labels offset 0,0.7 font \",9\" notitle",
			s ? ", \\\n  " : "", rep->plots[id].stem, s, c, fs, t,
			rep->plots[id].stem, s, rep->plots[id].stem, s);
	}
	fprintf(gp, "\n");
	ret = plot_close(rep, id, w, h, gp, dat);
out:
	free(labels);
	free(pos);
	json_decref(clusters);
	json_decref(series);
	return ret;
}

/* ---- stressor timelines ---- */

/* A numeric column of the timeline, or NULL (short ones read as NaN). */
static json_t *tl_col(const json_t *tl, const char *key, size_t n)
{
	json_t *c = json_object_get(tl, key);

	return json_is_array(c) && json_array_size(c) > 0 &&
			       json_array_size(c) <= n ?
		       c :
		       NULL;
}

static double col_at(const json_t *c, size_t i)
{
	json_t *v = json_array_get(c, i);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The limit in bytes: a timeline column, a number, a figure or a param. */
static double tl_limit(const json_t *r, const json_t *tl)
{
	static const char *const fig[] = { "limit_bytes", "limit", "max_bytes",
					   NULL };
	json_t *figs = json_object_get(r, "figures");
	const char *const *f;
	double v;
	char num[64];

	if (ju_num(tl, "limit", &v))
		return v;
	for (f = fig; *f; f++)
		if (ju_num(figs, *f, &v))
			return v;
	if (value_num(param_text(r, "limit", num, sizeof(num)), &v))
		return v;
	return NAN;
}

static bool is_kill_event(const char *s)
{
	return s && (strstr(s, "oom_kill") || strstr(s, "kill"));
}

/* Times (s) when something was killed: events, then figures. */
static int tl_kills(const json_t *r, const json_t *tl, const json_t *t,
		    double *out, int max)
{
	json_t *ev = json_object_get(tl, "events");
	json_t *figs = json_object_get(r, "figures"), *e;
	size_t n = json_array_size(t), i;
	const char *key;
	int k = 0;
	double v;

	/* kerf stress's own figure first: the table shows the same number */
	if (ju_num(figs, "time_to_kill_s", &v)) {
		out[0] = v;
		return 1;
	}
	if (ju_num(figs, "time_to_kill_ms", &v)) {
		out[0] = v / 1000;
		return 1;
	}
	if (json_is_array(ev)) {
		json_array_foreach(ev, i, e)
		{
			double when = NAN;
			const char *what = NULL;

			if (json_is_string(e)) {
				what = json_string_value(e);
				if (json_array_size(ev) == n)
					when = col_at(t, i) / 1000;
			} else if (json_is_object(e)) {
				what = ju_str(e, "kind")  ? ju_str(e, "kind") :
				       ju_str(e, "event") ? ju_str(e, "event") :
				       ju_str(e, "type")  ? ju_str(e, "type") :
							    ju_str(e, "name");
				if (ju_num(e, "t_ms", &v))
					when = v / 1000;
				else if (ju_num(e, "t_s", &v))
					when = v;
			}
			if (is_kill_event(what) && isfinite(when) && k < max)
				out[k++] = when;
		}
	} else if (json_is_object(ev)) {
		/* counters over time: the first rise of an oom_kill column */
		json_object_foreach(ev, key, e)
		{
			if (!is_kill_event(key) || json_array_size(e) != n)
				continue;
			for (i = 1; i < n; i++) {
				if (col_at(e, i) > col_at(e, i - 1)) {
					if (k < max)
						out[k++] = col_at(t, i) / 1000;
					break;
				}
			}
		}
	}
	/* kerf stress: memory.events counters as columns "events_oom_kill" */
	json_object_foreach((json_t *)tl, key, e)
	{
		if (k || strncmp(key, "events_", 7) || !is_kill_event(key) ||
		    !json_is_array(e))
			continue;
		for (i = 1; i < json_array_size(e) && i < n; i++) {
			if (col_at(e, i) > col_at(e, i - 1)) {
				out[k++] = col_at(t, i) / 1000;
				break;
			}
		}
	}
	return k;
}

/*
 * A timeline that is not about memory (cpu/throttle: lateness, throttled
 * counts): its first column on the left axis, the others on the right.
 */
static int plot_timeline_generic(struct report *rep, const json_t *r, int run)
{
	json_t *tl = json_object_get(r, "timeline");
	json_t *t = json_object_get(tl, "t_ms"), *cols[8], *v;
	const char *names[8], *k;
	char title[256], hint[200], y1[128];
	size_t n = json_array_size(t), i;
	int id, ret, nc = 0, j, w = 900, h = 480;
	FILE *gp, *dat;

	json_object_foreach(tl, k, v)
	{
		if (strcmp(k, "t_ms") && tl_col(tl, k, n) && nc < 8) {
			names[nc] = k;
			cols[nc++] = v;
		}
	}
	if (!nc)
		return 0;
	if (rep->nruns > 1)
		snprintf(title, sizeof(title), "%s (%s) over time",
			 ju_str(r, "bench"), rep->names[run]);
	else
		snprintf(title, sizeof(title), "%s over time",
			 ju_str(r, "bench"));
	snprintf(hint, sizeof(hint), "%s-timeline-%d", ju_str(r, "bench"), run);
	id = plot_new(rep, hint, title);
	if (id < 0)
		return id;
	ret = plot_open(rep, id, w, h, &gp, &dat);
	if (ret)
		return ret;
	fprintf(dat, "# t_s");
	for (j = 0; j < nc; j++)
		fprintf(dat, " %s", names[j]);
	fprintf(dat, "\n");
	for (i = 0; i < n; i++) {
		fprintf(dat, "%.6g", col_at(t, i) / 1000);
		for (j = 0; j < nc; j++)
			fprintf(dat, " %.6g", col_at(cols[j], i));
		fprintf(dat, "\n");
	}
	snprintf(y1, sizeof(y1), "%s", names[0]);
	gp_clean(y1);
	fprintf(gp,
		"set xlabel \"time since start (s)\"\n"
		"set ylabel \"%s\"\n"
		"set ytics nomirror\n"
		"set key outside top horizontal\n",
		y1);
	if (nc > 1)
		fprintf(gp, "set y2tics\nset y2label \"right axis\"\n");
	fprintf(gp, "plot ");
	for (j = 0; j < nc; j++) {
		char t2[128];

		snprintf(t2, sizeof(t2), "%s%s", names[j],
			 j ? " (right axis)" : "");
		gp_clean(t2);
		fprintf(gp,
			"%s\"%s.dat\" using 1:%d axes x1y%d with lines "
			"lc rgb \"%s\" lw %s title \"%s\"",
			j ? ", \\\n  " : "", rep->plots[id].stem, j + 2,
			j ? 2 : 1, colours[j % NCOLOURS], j ? "1" : "1.5", t2);
	}
	fprintf(gp, "\n");
	return plot_close(rep, id, w, h, gp, dat);
}

static int plot_timeline(struct report *rep, const json_t *r, int run)
{
	static const char *const kinds[] = { "anon", "file", "shmem" };
	json_t *tl = json_object_get(r, "timeline");
	json_t *t = json_object_get(tl, "t_ms");
	json_t *kc[3], *usage, *limc, *pc[8];
	const char *pn[8], *k;
	char title[256], hint[200];
	double kills[8], lim, ymax = 0, pmax = 0;
	size_t n = json_array_size(t), i;
	int id, ret, np = 0, nk, j, w = 900, h = 480;
	bool first = true;
	json_t *v;
	FILE *gp, *dat;

	if (n < 2)
		return 0;
	for (j = 0; j < 3; j++)
		kc[j] = tl_col(tl, kinds[j], n);
	usage = tl_col(tl, "usage", n);
	if (!usage && !kc[0] && !kc[1] && !kc[2])
		return plot_timeline_generic(rep, r, run);
	limc = tl_col(tl, "limit", n);
	lim = tl_limit(r, tl);
	json_object_foreach(tl, k, v)
	{
		if (!strncmp(k, "pressure", 8) && !strstr(k, "total") &&
		    tl_col(tl, k, n) && np < 8) {
			pn[np] = k;
			pc[np++] = v;
		}
	}
	nk = tl_kills(r, tl, t, kills, 8);
	if (rep->nruns > 1)
		snprintf(title, sizeof(title), "%s (%s): memory over time",
			 ju_str(r, "bench"), rep->names[run]);
	else
		snprintf(title, sizeof(title), "%s: memory over time",
			 ju_str(r, "bench"));
	snprintf(hint, sizeof(hint), "%s-timeline-%d", ju_str(r, "bench"), run);
	id = plot_new(rep, hint, title);
	if (id < 0)
		return id;
	ret = plot_open(rep, id, w, h, &gp, &dat);
	if (ret)
		return ret;
	fprintf(dat, "# t_s anon anon+file anon+file+shmem usage limit "
		     "(MiB, stacked)");
	for (j = 0; j < np; j++)
		fprintf(dat, " %s", pn[j]);
	fprintf(dat, "\n");
	for (i = 0; i < n; i++) {
		double acc = 0, l = limc ? col_at(limc, i) : lim;

		fprintf(dat, "%.6g", col_at(t, i) / 1000);
		for (j = 0; j < 3; j++) {
			double x = kc[j] ? col_at(kc[j], i) : NAN;

			acc += isfinite(x) ? x : 0;
			fprintf(dat, " %.6g", acc / 1048576);
		}
		ymax = fmax(ymax, acc / 1048576);
		if (usage && isfinite(col_at(usage, i))) {
			fprintf(dat, " %.6g", col_at(usage, i) / 1048576);
			ymax = fmax(ymax, col_at(usage, i) / 1048576);
		} else {
			fprintf(dat, " NaN");
		}
		if (isfinite(l)) {
			fprintf(dat, " %.6g", l / 1048576);
			ymax = fmax(ymax, l / 1048576);
		} else {
			fprintf(dat, " NaN");
		}
		for (j = 0; j < np; j++) {
			fprintf(dat, " %.6g", col_at(pc[j], i));
			if (col_at(pc[j], i) > pmax)
				pmax = col_at(pc[j], i);
		}
		fprintf(dat, "\n");
	}
	fprintf(gp,
		"set xlabel \"time since start (s)\"\n"
		"set ylabel \"memory (MiB)\"\n"
		"set yrange [0:%g]\n"
		"set ytics nomirror\n"
		"set key outside top horizontal\n"
		"set style fill solid 0.55 noborder\n",
		ymax > 0 ? ymax * 1.12 : 1);
	if (np) {
		const char *src =
			ju_str(json_object_get(r, "timeline_info"), "pressure");
		char y2[160];

		snprintf(y2, sizeof(y2), "%s", src ? src : "");
		gp_clean(y2);
		fprintf(gp,
			"set y2label \"pressure, %% of time stalled%s%s%s\"\n"
			"set y2tics\nset y2range [0:%s]\n",
			y2[0] ? " (" : "", y2, y2[0] ? ")" : "",
			pmax > 0 ? "*" : "1");
	}
	for (j = 0; j < nk; j++)
		fprintf(gp,
			"set arrow from %g, graph 0 to %g, graph 1 nohead front "
			"lc rgb \"#c00000\" lw 2 dt 2\n"
			"set label \"OOM kill\" at %g, graph 0.97 right "
			"offset -0.5,0 tc rgb \"#c00000\"\n",
			kills[j], kills[j], kills[j]);
	fprintf(gp, "plot ");
#define SEP (first ? (first = false, "") : ", \\\n  ")
	for (j = 0; j < 3; j++) {
		if (!kc[j])
			continue;
		fprintf(gp,
			"%s\"%s.dat\" using 1:%s:%d with filledcurves "
			"lc rgb \"%s\" title \"%s\"",
			SEP, rep->plots[id].stem,
			j ? (j == 1 ? "2" : "3") : "(0)", j + 2, colours[j],
			kinds[j]);
	}
	if (usage)
		fprintf(gp,
			"%s\"%s.dat\" using 1:5 with lines lc rgb \"#222222\" "
			"lw 1.5 title \"usage\"",
			SEP, rep->plots[id].stem);
	if (limc || isfinite(lim))
		fprintf(gp,
			"%s\"%s.dat\" using 1:6 with lines lc rgb \"#c00000\" "
			"lw 2 title \"limit\"",
			SEP, rep->plots[id].stem);
	for (j = 0; j < np; j++)
		fprintf(gp,
			"%s\"%s.dat\" using 1:%d axes x1y2 with lines "
			"lc rgb \"%s\" dt 3 lw 1.5 title \"%s (right axis)\"",
			SEP, rep->plots[id].stem, 7 + j,
			colours[(4 + j) % NCOLOURS], pn[j]);
	if (first)
		fprintf(gp, "\"%s.dat\" using 1:4 with lines title \"total\"",
			rep->plots[id].stem);
#undef SEP
	fprintf(gp, "\n");
	return plot_close(rep, id, w, h, gp, dat);
}

/* ---- several runs: ratios of medians with a bootstrap interval ---- */

struct sset {
	double *x; /* samples, grouped by worker process */
	size_t *gstart; /* group g: x[gstart[g] .. gstart[g] + gcount[g]) */
	size_t *gcount;
	size_t n, ng, gmax;
};

static int cmp_dbl(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return (p > q) - (p < q);
}

struct tagged {
	long g;
	double x;
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *p = a, *q = b;

	return (p->g > q->g) - (p->g < q->g);
}

static int sset_load(struct sset *s, const json_t *r)
{
	json_t *xs = json_object_get(r, "samples");
	json_t *gs = json_object_get(r, "sample_procs");
	struct tagged *t;
	size_t i, n = 0;

	memset(s, 0, sizeof(*s));
	t = calloc(json_array_size(xs) + 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < json_array_size(xs); i++) {
		json_t *x = json_array_get(xs, i), *g = json_array_get(gs, i);

		if (!json_is_number(x))
			continue;
		t[n].x = json_number_value(x);
		t[n].g = json_is_integer(g) ? json_integer_value(g) : 0;
		n++;
	}
	if (!n) {
		free(t);
		return -ENODATA;
	}
	qsort(t, n, sizeof(*t), cmp_tagged);
	s->x = calloc(n, sizeof(*s->x));
	s->gstart = calloc(n, sizeof(*s->gstart));
	s->gcount = calloc(n, sizeof(*s->gcount));
	if (!s->x || !s->gstart || !s->gcount) {
		free(t);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s->x[i] = t[i].x;
		if (!i || t[i].g != t[i - 1].g)
			s->gstart[s->ng++] = i;
		s->gcount[s->ng - 1]++;
	}
	for (i = 0; i < s->ng; i++)
		if (s->gcount[i] > s->gmax)
			s->gmax = s->gcount[i];
	s->n = n;
	free(t);
	return 0;
}

static void sset_free(struct sset *s)
{
	free(s->x);
	free(s->gstart);
	free(s->gcount);
}

/* k-th smallest of a[0..n), reordering a (Hoare's selection). */
static double select_kth(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double p = a[lo + (hi - lo) / 2], tmp;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				tmp = a[i];
				a[i] = a[j];
				a[j] = tmp;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return a[k];
}

static double median_inplace(double *a, size_t n)
{
	double lo, hi;
	size_t i;

	if (n % 2)
		return select_kth(a, n, n / 2);
	lo = select_kth(a, n, n / 2 - 1);
	hi = a[n / 2];
	for (i = n / 2; i < n; i++)
		hi = fmin(hi, a[i]);
	return (lo + hi) / 2;
}

/* A resample: worker processes with replacement, then samples within. */
static double sset_boot_median(const struct sset *s, struct kerf_rng *rng,
			       double *buf)
{
	size_t g, j, k = 0;

	for (g = 0; g < s->ng; g++) {
		size_t pick = kerf_rng_below(rng, s->ng);

		for (j = 0; j < s->gcount[pick]; j++)
			buf[k++] = s->x[s->gstart[pick] +
					kerf_rng_below(rng, s->gcount[pick])];
	}
	return median_inplace(buf, k);
}

/*
 * The 95% percentile interval of median(new) / median(base) over KERF_BOOT_REPS
 * resamples of both, each resampled the way kerf's statistics resample.
 */
static int boot_ratio(const json_t *base, const json_t *new, double *lo,
		      double *hi)
{
	struct sset a, b;
	struct kerf_rng rng;
	double *buf = NULL, *ratios = NULL;
	int i, ret;

	ret = sset_load(&a, base);
	if (ret)
		return ret;
	ret = sset_load(&b, new);
	if (ret) {
		sset_free(&a);
		return ret;
	}
	buf = calloc((a.gmax * a.ng > b.gmax * b.ng ? a.gmax * a.ng :
						      b.gmax * b.ng) +
			     1,
		     sizeof(*buf));
	ratios = calloc(KERF_BOOT_REPS, sizeof(*ratios));
	if (!buf || !ratios) {
		ret = -ENOMEM;
		goto out;
	}
	kerf_rng_seed(&rng, BOOT_SEED);
	for (i = 0; i < KERF_BOOT_REPS; i++) {
		double mb = sset_boot_median(&a, &rng, buf);
		double mn = sset_boot_median(&b, &rng, buf);

		ratios[i] = mb != 0 ? mn / mb : NAN;
	}
	qsort(ratios, KERF_BOOT_REPS, sizeof(*ratios), cmp_dbl);
	*lo = kerf_quantile_sorted(ratios, KERF_BOOT_REPS, 0.025);
	*hi = kerf_quantile_sorted(ratios, KERF_BOOT_REPS, 0.975);
	ret = isfinite(*lo) && isfinite(*hi) ? 0 : -EDOM;
out:
	free(buf);
	free(ratios);
	sset_free(&a);
	sset_free(&b);
	return ret;
}

struct ratio {
	const json_t *base, *new;
	int run;
	double r, lo, hi;
	bool ci;
};

/* Pairs of base (run 0) and each other run, by bench and params. */
static int compute_ratios(const struct report *rep, struct ratio **out)
{
	json_t *base = json_object_get(rep->runs[0], "results"), *b, *n;
	struct ratio *v = NULL;
	int cnt = 0, cap = 0, run;
	size_t i, j;

	json_array_foreach(base, i, b)
	{
		char kb[600], kn[600];
		double mb, lo, hi;

		if (!res_median(b, &mb, &lo, &hi) || mb == 0)
			continue;
		rkey(b, kb, sizeof(kb));
		for (run = 1; run < rep->nruns; run++) {
			json_array_foreach(json_object_get(rep->runs[run],
							   "results"),
					   j, n)
			{
				double mn;
				struct ratio *x;

				rkey(n, kn, sizeof(kn));
				if (strcmp(kb, kn) ||
				    strcmp(ju_str(b, "unit") ?
						   ju_str(b, "unit") :
						   "",
					   ju_str(n, "unit") ?
						   ju_str(n, "unit") :
						   "") ||
				    !res_median(n, &mn, &lo, &hi))
					continue;
				if (cnt == cap) {
					struct ratio *nv;

					cap = cap ? cap * 2 : 32;
					nv = realloc(v, cap * sizeof(*v));
					if (!nv) {
						free(v);
						return -ENOMEM;
					}
					v = nv;
				}
				x = &v[cnt++];
				x->base = b;
				x->new = n;
				x->run = run;
				x->r = mn / mb;
				x->ci = !boot_ratio(b, n, &x->lo, &x->hi);
				if (!x->ci)
					x->lo = x->hi = x->r;
				break;
			}
		}
	}
	*out = v;
	return cnt;
}

static int plot_ratios(struct report *rep, const struct ratio *v, int n)
{
	char title[256], (*labels)[160];
	double *pos, bh = 0.8 / (rep->nruns - 1), lo = 1, hi = 1;
	json_t *slots = json_object();
	int id, i, run, nslots = 0, ret, w = 900, h;
	FILE *gp, *dat;

	for (i = 0; i < n; i++) {
		char k[600];

		rkey(v[i].base, k, sizeof(k));
		if (!json_object_get(slots, k))
			json_object_set_new(slots, k, json_integer(nslots++));
	}
	snprintf(title, sizeof(title),
		 "median ratio against %s, with bootstrap 95%% interval",
		 rep->names[0]);
	id = plot_new(rep, "compare-ratios", title);
	h = 110 + nslots * (rep->nruns > 2 ? 16 * (rep->nruns - 1) + 8 : 22);
	h = h < 220 ? 220 : h;
	if (id < 0 || (ret = plot_open(rep, id, w, h, &gp, &dat))) {
		json_decref(slots);
		return id < 0 ? id : ret;
	}
	labels = calloc(nslots, sizeof(*labels));
	pos = calloc(nslots, sizeof(*pos));
	for (run = 1; run < rep->nruns; run++) {
		fprintf(dat, "# %s / %s: y ratio lo hi\n", rep->names[run],
			rep->names[0]);
		for (i = 0; i < n; i++) {
			char k[600], p[400];
			int s;
			double y;

			if (v[i].run != run)
				continue;
			rkey(v[i].base, k, sizeof(k));
			s = json_integer_value(json_object_get(slots, k));
			pos[s] = nslots - 1 - s;
			params_label(v[i].base, NULL, " ", p, sizeof(p));
			snprintf(labels[s], sizeof(labels[s]), "%.60s%s%.98s",
				 ju_str(v[i].base, "bench"), p[0] ? " " : "",
				 p);
			gp_clean(labels[s]);
			y = pos[s] + (rep->nruns - 2) * bh / 2 - (run - 1) * bh;
			fprintf(dat, "%g %.17g %.17g %.17g\n", y, v[i].r,
				v[i].lo, v[i].hi);
		}
		fprintf(dat, "\n\n");
	}
	for (i = 0; i < n; i++) {
		lo = fmin(lo, fmin(v[i].lo, v[i].r));
		hi = fmax(hi, fmax(v[i].hi, v[i].r));
	}
	/* ratios 0.25 and 4 are the same size of change: log x when wide */
	if (lo > 0 && hi / lo >= 4) {
		fprintf(gp, "set logscale x\nset xtics (\"0.01\" 0.01, "
			    "\"0.02\" 0.02, \"0.05\" 0.05, \"0.1\" 0.1, "
			    "\"0.2\" 0.2, \"0.5\" 0.5, \"1\" 1, \"2\" 2, "
			    "\"5\" 5, \"10\" 10, \"20\" 20, \"50\" 50, "
			    "\"100\" 100)\n");
		lo /= pow(hi / lo, 0.04);
		hi *= pow(hi / lo, 0.04);
	} else {
		double pad = (hi - lo) * 0.05;

		lo -= pad;
		hi += pad;
	}
	gp_tics(gp, "ytics", labels, pos, nslots, "nomirror");
	fprintf(gp,
		"set yrange [-0.6:%g]\n"
		"set xrange [%g:%g]\n"
		"set xlabel \"median of the run / median of %s (1: no change)\"\n"
		"set grid xtics noytics\n"
		"set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "
		"\"#222222\" lw 1.5\n"
		"set style fill solid 0.75 border rgb \"#333333\"\n"
		"set key outside top horizontal\n"
		"plot ",
		nslots - 0.4, lo, hi, rep->names[0]);
	for (run = 1; run < rep->nruns; run++)
		fprintf(gp,
			"%s\"%s.dat\" index %d using (1):1:(1):2:($1-%g):($1+%g) "
			"with boxxyerror lc rgb \"%s\" title \"%s\", \\\n"
			"  \"%s.dat\" index %d using 2:1:3:4 with xerrorbars "
			"lc rgb \"#222222\" pt 7 ps 0.35 lw 1.5 notitle",
			run > 1 ? ", \\\n  " : "", rep->plots[id].stem, run - 1,
			bh * 0.45, bh * 0.45, colours[run % NCOLOURS],
			rep->names[run], rep->plots[id].stem, run - 1);
	fprintf(gp, "\n");
	ret = plot_close(rep, id, w, h, gp, dat);
	free(labels);
	free(pos);
	json_decref(slots);
	return ret;
}

/* ---- the page ---- */

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

static void html_figure(FILE *f, const struct report *rep, int id)
{
	const struct plot *p = &rep->plots[id];

	if (p->made) {
		fprintf(f,
			"<figure><a href=\"plots/%s.png\"><img src=\"plots/"
			"%s.svg\" alt=\"",
			p->stem, p->stem);
		html_esc(f, p->title);
		fprintf(f, "\"></a><figcaption>");
		html_esc(f, p->title);
		fprintf(f,
			" (<a href=\"plots/%s.png\">PNG</a>, "
			"<a href=\"plots/%s.gp\">gnuplot script</a>, "
			"<a href=\"plots/%s.dat\">data</a>)"
			"</figcaption></figure>\n",
			p->stem, p->stem, p->stem);
	} else {
		fprintf(f, "<p class=\"warn\">Plot not drawn: ");
		html_esc(f, p->title);
		fprintf(f,
			". Its <a href=\"plots/%s.gp\">gnuplot script</a> and "
			"<a href=\"plots/%s.dat\">data</a> are there: run "
			"<code>gnuplot %s.gp</code> in <code>plots/</code>."
			"</p>\n",
			p->stem, p->stem, p->stem);
	}
}

/* env flattened to "a.b" -> text, for the environment tables. */
static void env_flatten(json_t *out, const char *prefix, const json_t *j)
{
	char key[512], num[64];
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
		{
			snprintf(key, sizeof(key), "%s%s%s", prefix,
				 prefix[0] ? "." : "", k);
			env_flatten(out, key, v);
		}
	} else if (json_is_array(j)) {
		bool scalars = true;
		char *s;

		json_array_foreach(j, i, v) scalars =
			scalars && !json_is_object(v) && !json_is_array(v);
		if (!scalars) {
			json_array_foreach(j, i, v)
			{
				snprintf(key, sizeof(key), "%s[%zu]", prefix,
					 i);
				env_flatten(out, key, v);
			}
			return;
		}
		s = json_dumps(j, JSON_COMPACT);
		json_object_set_new(out, prefix, json_string(s ? s : ""));
		free(s);
	} else if (json_is_string(j)) {
		json_object_set(out, prefix, (json_t *)j);
	} else if (json_is_number(j)) {
		kerf_fmt_double(json_number_value(j), num, sizeof(num));
		json_object_set_new(out, prefix, json_string(num));
	} else {
		json_object_set_new(out, prefix,
				    json_string(json_is_true(j)	 ? "true" :
						json_is_false(j) ? "false" :
								   "null"));
	}
}

/* The env keys shown first: what decides whether two runs compare. */
static const char *const env_facts[] = {
	"host",		"kernel",	"cpu_model",	  "microcode",
	"topology.pus", "memory.total", "clocksource",	  "governor",
	"boost",	"smt.active",	"thp.enabled",	  "virt.name",
	"cgroup.mode",	"libc",		"build.compiler", "kerf_git",
	NULL,
};

/* Byte counts people read as sizes: "32768 (32K)". */
static bool env_is_bytes(const char *key)
{
	return !strncmp(key, "topology.cache.", 15) ||
	       !strcmp(key, "memory.total");
}

/* 25276502016: "23.5 GiB". */
static void human_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (fabs(v) >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* A stressor figure in bytes: peak_usage, limit, usage_at_end... */
static bool figure_is_bytes(const char *key)
{
	return (strstr(key, "usage") || strstr(key, "limit") ||
		strstr(key, "bytes") || strstr(key, "rss")) &&
	       !strstr(key, "ratio") && !strstr(key, "_s") &&
	       !strstr(key, "_ms") && !strstr(key, "_us");
}

static void html_env_value(FILE *f, const char *key, const char *v)
{
	char size[32];
	uint64_t b;

	if (!v) {
		fprintf(f, "<td>(absent)</td>");
		return;
	}
	fprintf(f, "<td>");
	html_esc(f, v);
	if (env_is_bytes(key) && !kerf_parse_size(v, &b) && b >= 1024) {
		human_bytes((double)b, size, sizeof(size));
		html_printf(f, " (%s)", size);
	}
	fprintf(f, "</td>");
}

static void html_env_row(FILE *f, const struct report *rep, const json_t *flat,
			 const char *k, bool diff)
{
	int i;

	fprintf(f, "<tr%s><td>", diff ? " class=\"diff\"" : "");
	html_esc(f, k);
	fprintf(f, "</td>");
	for (i = 0; i < rep->nruns; i++)
		html_env_value(f, k,
			       json_string_value(json_object_get(
				       json_array_get(flat, i), k)));
	fprintf(f, "</tr>\n");
}

/* One table: only the differing keys, only the facts, or every key. */
enum env_rows { ENV_DIFF, ENV_FACTS, ENV_ALL };

static void html_env_table(FILE *f, const struct report *rep,
			   const json_t *flat, json_t *keys,
			   enum env_rows which)
{
	const char *const *fk;
	const char *k;
	json_t *v;
	int i;

	fprintf(f, "<table><tr><th>key</th>");
	for (i = 0; i < rep->nruns; i++) {
		fprintf(f, "<th>");
		html_esc(f, rep->names[i]);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	if (which == ENV_FACTS) {
		for (fk = env_facts; *fk; fk++) {
			v = json_object_get(keys, *fk);
			if (v)
				html_env_row(f, rep, flat, *fk,
					     json_is_true(v));
		}
	} else {
		json_object_foreach(keys, k, v)
		{
			if (which == ENV_ALL || json_is_true(v))
				html_env_row(f, rep, flat, k, json_is_true(v));
		}
	}
	fprintf(f, "</table>\n");
}

static void html_env(FILE *f, const struct report *rep)
{
	json_t *flat = json_array(), *keys = json_object();
	const char *k;
	json_t *v;
	int i, ndiff = 0;

	for (i = 0; i < rep->nruns; i++) {
		json_t *o = json_object();

		env_flatten(o, "", json_object_get(rep->runs[i], "env"));
		json_array_append_new(flat, o);
		json_object_foreach(o, k, v)
			json_object_set_new(keys, k, json_true());
	}
	/* a key differs when any run lacks it or has another value */
	json_object_foreach(keys, k, v)
	{
		const char *s0 = json_string_value(
			json_object_get(json_array_get(flat, 0), k));
		bool diff = false;

		for (i = 1; i < rep->nruns; i++) {
			const char *s = json_string_value(
				json_object_get(json_array_get(flat, i), k));

			if (!s0 || !s || strcmp(s0, s))
				diff = true;
		}
		json_object_set_new(keys, k, json_boolean(diff));
		ndiff += diff;
	}
	fprintf(f, "<section id=\"env\"><h2>Environment</h2>\n");
	if (!json_object_size(keys)) {
		fprintf(f, "<p>No environment recorded.</p></section>\n");
		goto out;
	}
	if (rep->nruns > 1) {
		fprintf(f, "<p>%d of %zu keys differ between the runs%s</p>\n",
			ndiff, json_object_size(keys),
			ndiff ? " (highlighted):" : ".");
		if (ndiff)
			html_env_table(f, rep, flat, keys, ENV_DIFF);
	}
	html_env_table(f, rep, flat, keys, ENV_FACTS);
	fprintf(f, "<details><summary>All %zu keys</summary>\n",
		json_object_size(keys));
	html_env_table(f, rep, flat, keys, ENV_ALL);
	fprintf(f, "</details></section>\n");
out:
	json_decref(flat);
	json_decref(keys);
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
		html_esc(f, rep->names[i]);
		fprintf(f, "</td><td>");
		html_esc(f, ju_str(run, "started"));
		fprintf(f, "</td><td>");
		html_esc(f, ju_str(run, "finished") ? ju_str(run, "finished") :
						      "(unfinished)");
		fprintf(f, "</td><td>");
		html_esc(f, ju_str(json_object_get(run, "config"), "profile"));
		fprintf(f, "</td><td>");
		html_printf(f, "%s %s", ju_str(tool, "version") ?: "",
			    ju_str(tool, "git") ?: "");
		fprintf(f,
			"</td><td>%d ok, %d skipped, "
			"<span class=\"%s\">%d failed</span></td><td><code>",
			ok, skip, err ? "error" : "", err);
		json_array_foreach(json_object_get(run, "command"), j, a)
		{
			if (j)
				fputc(' ', f);
			html_esc(f, json_string_value(a));
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
			html_esc(f, rep->plot_err), fprintf(f, "</p>\n");
	for (i = 0; i < rep->nruns; i++) {
		json_array_foreach(json_object_get(rep->runs[i], "warnings"), j,
				   w)
		{
			fprintf(f, "<p class=\"warn\">");
			if (rep->nruns > 1) {
				html_esc(f, rep->names[i]);
				fprintf(f, ": ");
			}
			html_esc(f, json_string_value(w));
			fprintf(f, "</p>\n");
			n++;
		}
	}
	if (!n)
		fprintf(f, "<p>The runs recorded no warnings about the "
			   "environment.</p>\n");
	fprintf(f, "</section>\n");
}

/* Skip reasons, errors, warnings and derived metrics of one result. */
static void html_notes(FILE *f, const json_t *r)
{
	json_t *w, *lin = json_object_get(r, "linearity");
	json_t *outcome = json_object_get(r, "outcome");
	const char *reason = ju_str(r, "reason"), *k;
	bool sep = false, warned_linear = false;
	size_t i;
	double v;

	if (reason && !is_ok(r)) {
		html_esc(f, reason);
		sep = true;
	}
	if (outcome &&
	    (ju_str(outcome, "observed") || ju_str(outcome, "expected"))) {
		bool as = json_is_true(json_object_get(outcome, "as_expected"));

		fprintf(f, "%s<span class=\"%s\">%s</span>", sep ? "<br>" : "",
			as ? "ok" : "error",
			as ? "as expected" : "NOT as expected");
		if (ju_str(outcome, "expected")) {
			fprintf(f, "; expected: ");
			html_esc(f, ju_str(outcome, "expected"));
		}
		if (ju_str(outcome, "observed")) {
			fprintf(f, "; observed: ");
			html_esc(f, ju_str(outcome, "observed"));
		}
		sep = true;
	}
	json_array_foreach(json_object_get(r, "warnings"), i, w)
	{
		if (json_string_value(w) &&
		    strstr(json_string_value(w), "linear"))
			warned_linear = true;
		fprintf(f, "%s&#9888; ", sep ? "<br>" : "");
		html_esc(f, json_string_value(w));
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
	json_object_foreach(json_object_get(r, "metrics"), k, w)
	{
		char num[64];

		if (!ju_num(w, "value", &v))
			continue;
		fmt_num(v, num, sizeof(num));
		fprintf(f, "%s", sep ? "<br>" : "");
		html_printf(f, "%s = %s %s", k, num,
			    ju_str(w, "unit") ? ju_str(w, "unit") : "");
		sep = true;
	}
	json_object_foreach(json_object_get(r, "figures"), k, w)
	{
		char num[64];

		fprintf(f, "%s", sep ? "<br>" : "");
		if (json_is_number(w) && figure_is_bytes(k) &&
		    fabs(json_number_value(w)) >= 1024) {
			human_bytes(json_number_value(w), num, sizeof(num));
			html_printf(f, "%s = %s", k, num);
		} else if (json_is_number(w)) {
			fmt_num(json_number_value(w), num, sizeof(num));
			html_printf(f, "%s = %s", k, num);
		} else if (json_is_string(w)) {
			html_printf(f, "%s = %s", k, json_string_value(w));
		} else {
			char *s = json_dumps(w, JSON_COMPACT | JSON_ENCODE_ANY);

			html_printf(f, "%s = %s", k, s ? s : "");
			free(s);
		}
		sep = true;
	}
}

static void html_result_row(FILE *f, const struct report *rep, const json_t *r,
			    int run)
{
	json_t *st = json_object_get(r, "stats");
	const char *status = ju_str(r, "status") ?: "error";
	char p[400], a[64], b[64];
	double m, lo, hi, v;

	params_label(r, NULL, " ", p, sizeof(p));
	fprintf(f, "<tr><td>");
	html_esc(f, ju_str(r, "bench"));
	fprintf(f, "</td><td>");
	html_esc(f, p);
	fprintf(f, "</td>");
	if (rep->nruns > 1) {
		fprintf(f, "<td>");
		html_esc(f, rep->names[run]);
		fprintf(f, "</td>");
	}
	fprintf(f, "<td class=\"%s\">",
		!strcmp(status, "ok")	? "ok" :
		!strcmp(status, "skip") ? "skip" :
					  "error");
	html_esc(f, status);
	fprintf(f, "</td>");
	if (res_median(r, &m, &lo, &hi)) {
		fmt_num(m, a, sizeof(a));
		fprintf(f, "<td class=\"n\">%s</td>", a);
		fmt_num(lo, a, sizeof(a));
		fmt_num(hi, b, sizeof(b));
		fprintf(f, "<td class=\"n\">%s &ndash; %s</td>", a, b);
		if (ju_num(st, "cv", &v))
			fprintf(f, "<td class=\"n\">%.1f%%</td>", v * 100);
		else
			fprintf(f, "<td class=\"n\">-</td>");
		fprintf(f, "<td>");
		html_esc(f, ju_str(r, "unit"));
		fprintf(f, "</td><td class=\"n\">");
		if (ju_num(st, "n", &v))
			fprintf(f, "%.0f", v);
		if (ju_num(r, "procs", &v))
			fprintf(f, " / %.0f", v);
		fprintf(f, "</td>");
	} else if (is_ok(r) && ju_num(r, "value", &v)) {
		/* a stressor: its headline figure, no distribution */
		fmt_num(v, a, sizeof(a));
		fprintf(f,
			"<td class=\"n\">%s</td><td class=\"n\">-</td>"
			"<td class=\"n\">-</td><td>",
			a);
		html_esc(f, ju_str(r, "unit"));
		fprintf(f, "</td><td class=\"n\">-</td>");
	} else {
		fprintf(f, "<td class=\"n\">-</td><td class=\"n\">-</td>"
			   "<td class=\"n\">-</td><td>");
		html_esc(f, ju_str(r, "unit"));
		fprintf(f, "</td><td class=\"n\">-</td>");
	}
	fprintf(f, "<td class=\"note\">");
	html_notes(f, r);
	fprintf(f, "</td></tr>\n");
}

/* kerf run's own word on a vdso pair (run.json "derived"."vdso"), if any. */
static const char *derived_note(const json_t *run, const json_t *r)
{
	json_t *list = json_object_get(json_object_get(run, "derived"), "vdso");
	char pr[400], pe[400];
	json_t *e;
	size_t i;

	params_label(r, "via", " ", pr, sizeof(pr));
	json_array_foreach(list, i, e)
	{
		if (!ju_str(e, "bench") ||
		    strcmp(ju_str(e, "bench"), ju_str(r, "bench")))
			continue;
		params_label(e, "via", " ", pe, sizeof(pe));
		if (!strcmp(pr, pe))
			return ju_str(e, "note");
	}
	return NULL;
}

/* The syscall/vDSO ratio per pair, flagged where the vDSO did not help. */
static void html_via_ratios(FILE *f, const struct report *rep,
			    const struct rlist *fr, const json_t *viabench)
{
	bool head = false;
	int i, j;

	for (i = 0; i < fr->n; i++) {
		const json_t *a = fr->v[i].r, *env;
		char pa[400], pb[400], num[64], x[64], y[64];
		const char *via = param_text(a, "via", num, sizeof(num));
		const char *cs, *note;
		double ma, mb, lo, hi, ratio;

		if (!via || strcmp(via, "vdso") ||
		    !json_object_get(viabench, ju_str(a, "bench")) ||
		    !res_median(a, &ma, &lo, &hi) || ma <= 0)
			continue;
		params_label(a, "via", " ", pa, sizeof(pa));
		for (j = 0; j < fr->n; j++) {
			const json_t *b = fr->v[j].r;
			const char *vb = param_text(b, "via", num, sizeof(num));

			if (fr->v[j].run != fr->v[i].run || !vb ||
			    strcmp(vb, "syscall") ||
			    strcmp(ju_str(a, "bench"), ju_str(b, "bench")))
				continue;
			params_label(b, "via", " ", pb, sizeof(pb));
			if (strcmp(pa, pb) || !res_median(b, &mb, &lo, &hi))
				continue;
			if (!head) {
				fprintf(f,
					"<table><tr><th>bench</th><th>params"
					"</th>%s<th>via=vdso</th><th>"
					"via=syscall</th><th>syscall / vdso"
					"</th><th>verdict</th></tr>\n",
					rep->nruns > 1 ? "<th>run</th>" : "");
				head = true;
			}
			ratio = mb / ma;
			env = json_object_get(rep->runs[fr->v[i].run], "env");
			cs = json_string_value(
				json_object_get(env, "clocksource"));
			if (!cs)
				cs = ju_str(json_object_get(env, "clocksource"),
					    "current");
			fprintf(f, "<tr><td>");
			html_esc(f, ju_str(a, "bench"));
			fprintf(f, "</td><td>");
			html_esc(f, pa);
			fprintf(f, "</td>");
			if (rep->nruns > 1) {
				fprintf(f, "<td>");
				html_esc(f, rep->names[fr->v[i].run]);
				fprintf(f, "</td>");
			}
			fmt_num(ma, x, sizeof(x));
			fmt_num(mb, y, sizeof(y));
			fprintf(f,
				"<td class=\"n\">%s</td><td class=\"n\">%s"
				"</td><td class=\"n\">%.2f</td>",
				x, y, ratio);
			note = derived_note(rep->runs[fr->v[i].run], a);
			if (ratio < KERF_VDSO_SERVED_RATIO && note) {
				/* kerf run's own diagnosis (derived.vdso). */
				fprintf(f, "<td class=\"error\">");
				html_esc(f, note);
				fprintf(f, "</td></tr>\n");
			} else if (ratio < KERF_VDSO_SERVED_RATIO) {
				fprintf(f, "<td class=\"error\">not served by "
					   "the vDSO here; clocksource ");
				html_esc(f, cs ? cs : "unknown");
				fprintf(f, "</td></tr>\n");
			} else {
				fprintf(f, "<td class=\"ok\">served in user "
					   "space</td></tr>\n");
			}
			break;
		}
	}
	if (head)
		fprintf(f,
			"</table>\n<p>A ratio under %.1f means the vDSO entry "
			"fell back to the system call (often because the "
			"clocksource cannot be read from user space).</p>\n",
			KERF_VDSO_SERVED_RATIO);
}

static void html_compare(FILE *f, const struct report *rep,
			 const struct ratio *v, int n, int plot)
{
	int i;

	fprintf(f, "<section id=\"compare\"><h2>Comparison against ");
	html_esc(f, rep->names[0]);
	fprintf(f,
		"</h2>\n<p>Ratio of medians (run / base). The interval "
		"is a bootstrap 95%% percentile interval of the ratio: "
		"%d resamples of each run, worker processes first, then "
		"samples within them (seed %llu). &ldquo;Changed&rdquo; "
		"only says the interval excludes 1; <code>kerf compare"
		"</code> is the gate.</p>\n",
		KERF_BOOT_REPS, (unsigned long long)BOOT_SEED);
	if (plot >= 0)
		html_figure(f, rep, plot);
	if (!n) {
		fprintf(f, "<p>No result appears in both the base and another "
			   "run.</p></section>\n");
		return;
	}
	fprintf(f, "<table><tr><th>bench</th><th>params</th><th>run</th>"
		   "<th>unit</th><th>base median</th><th>run median</th>"
		   "<th>ratio</th><th>95%% interval</th><th>verdict</th>"
		   "</tr>\n");
	for (i = 0; i < n; i++) {
		const char *better = ju_str(v[i].base, "better");
		bool higher = better && !strcmp(better, "higher");
		char p[400], a[64], b[64];
		double mb, mn, lo, hi;
		const char *verdict = "no clear change", *cls = "";

		res_median(v[i].base, &mb, &lo, &hi);
		res_median(v[i].new, &mn, &lo, &hi);
		if (v[i].ci && (v[i].lo > 1 || v[i].hi < 1)) {
			bool up = v[i].lo > 1;

			verdict = up != higher ? "worse" : "better";
			cls = up != higher ? "error" : "ok";
		}
		params_label(v[i].base, NULL, " ", p, sizeof(p));
		fprintf(f, "<tr><td>");
		html_esc(f, ju_str(v[i].base, "bench"));
		fprintf(f, "</td><td>");
		html_esc(f, p);
		fprintf(f, "</td><td>");
		html_esc(f, rep->names[v[i].run]);
		fprintf(f, "</td><td>");
		html_esc(f, ju_str(v[i].base, "unit"));
		fmt_num(mb, a, sizeof(a));
		fmt_num(mn, b, sizeof(b));
		fprintf(f,
			"</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
			"<td class=\"n\">%.3f</td>",
			a, b, v[i].r);
		if (v[i].ci)
			fprintf(f, "<td class=\"n\">%.3f &ndash; %.3f</td>",
				v[i].lo, v[i].hi);
		else
			fprintf(f, "<td class=\"n\">-</td>");
		fprintf(f, "<td class=\"%s\">%s</td></tr>\n", cls, verdict);
	}
	fprintf(f, "</table></section>\n");
}

/* ---- putting it together ---- */

struct famplots {
	int first, count; /* plot ids [first, first + count) */
};

/* Tail latencies of a swept bench (metrics named *p99*) get plots too. */
static int sweep_metrics(struct report *rep, const char *bench,
			 const char *xkey, const struct rlist *fr)
{
	json_t *names = json_object(), *v;
	const char *k;
	int i, ret = 0;

	for (i = 0; i < fr->n; i++) {
		if (strcmp(ju_str(fr->v[i].r, "bench"), bench))
			continue;
		json_object_foreach(json_object_get(fr->v[i].r, "metrics"), k,
				    v)
		{
			if (strstr(k, "p99") && !strstr(k, "p99."))
				json_object_set_new(names, k, json_true());
		}
	}
	json_object_foreach(names, k, v)
	{
		ret = plot_sweep(rep, bench, xkey, fr, k);
		if (ret)
			break;
	}
	json_decref(names);
	return ret;
}

/* Make every plot of one family; the via benches go into viabench. */
static int family_plots(struct report *rep, const char *fam,
			const struct rlist *fr, json_t *viabench)
{
	json_t *benches = json_object(), *bars = json_object();
	json_t *units = json_object(), *viaunits = json_object();
	const char *b, *u;
	json_t *v;
	int i, ret = 0;

	for (i = 0; i < fr->n; i++)
		json_object_set_new(benches, ju_str(fr->v[i].r, "bench"),
				    json_true());
	json_object_foreach(benches, b, v)
	{
		char xkey[128];

		switch (bench_shape(fr, b, xkey, sizeof(xkey))) {
		case SHAPE_VIA:
			json_object_set_new(viabench, b, json_true());
			break;
		case SHAPE_SWEEP:
			ret = plot_sweep(rep, b, xkey, fr, NULL);
			if (!ret)
				ret = sweep_metrics(rep, b, xkey, fr);
			break;
		case SHAPE_BARS:
			json_object_set_new(bars, b, json_true());
			break;
		}
		if (ret)
			goto out;
	}
	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		const char *unit = ju_str(r, "unit") ?: "";
		double m, lo, hi;

		if (!res_median(r, &m, &lo, &hi))
			continue;
		if (json_object_get(bars, ju_str(r, "bench")))
			json_object_set_new(units, unit, json_true());
		if (json_object_get(viabench, ju_str(r, "bench")))
			json_object_set_new(viaunits, unit, json_true());
	}
	json_object_foreach(viaunits, u, v)
	{
		ret = plot_via(rep, fam, u, fr, viabench);
		if (ret)
			goto out;
	}
	json_object_foreach(units, u, v)
	{
		ret = plot_bars(rep, fam, u, fr, bars);
		if (ret)
			goto out;
	}
	for (i = 0; i < fr->n; i++) {
		if (json_is_object(json_object_get(fr->v[i].r, "timeline"))) {
			ret = plot_timeline(rep, fr->v[i].r, fr->v[i].run);
			if (ret)
				goto out;
		}
	}
out:
	json_decref(benches);
	json_decref(bars);
	json_decref(units);
	json_decref(viaunits);
	return ret;
}

static void html_family(FILE *f, const struct report *rep, const char *fam,
			const struct rlist *fr, const struct famplots *fp,
			const json_t *viabench)
{
	json_t *done = json_object();
	int i, j;

	fprintf(f, "<section id=\"f-");
	html_esc(f, fam);
	fprintf(f, "\"><h2>");
	html_esc(f, fam);
	fprintf(f, "</h2>\n");
	for (i = fp->first; i < fp->first + fp->count; i++)
		html_figure(f, rep, i);
	html_via_ratios(f, rep, fr, viabench);
	fprintf(f,
		"<table><tr><th>bench</th><th>params</th>%s<th>status</th>"
		"<th>median</th><th>95%% CI of the median</th><th>CV</th>"
		"<th>unit</th><th>n / procs</th><th>notes</th></tr>\n",
		rep->nruns > 1 ? "<th>run</th>" : "");
	/* several runs: the rows of one bench and params together */
	for (i = 0; i < fr->n; i++) {
		char k[600];

		rkey(fr->v[i].r, k, sizeof(k));
		if (json_object_get(done, k))
			continue;
		json_object_set_new(done, k, json_true());
		for (j = i; j < fr->n; j++) {
			char k2[600];

			rkey(fr->v[j].r, k2, sizeof(k2));
			if (!strcmp(k, k2))
				html_result_row(f, rep, fr->v[j].r,
						fr->v[j].run);
		}
	}
	fprintf(f, "</table></section>\n");
	json_decref(done);
}

static void run_gnuplot(struct report *rep)
{
	char script[160], err[512], path[PATH_MAX + 160];
	struct stat st;
	int i;

	for (i = 0; i < rep->nplots; i++) {
		struct plot *p = &rep->plots[i];
		bool svg, png;

		if (!rep->gnuplot[0])
			break;
		snprintf(script, sizeof(script), "%s.gp", p->stem);
		err[0] = '\0';
		if (kerf_gnuplot_run(rep->gnuplot, rep->plotdir, script, err,
				     sizeof(err))) {
			if (!rep->plot_failures++)
				snprintf(rep->plot_err, sizeof(rep->plot_err),
					 "%s", err);
			fprintf(stderr, "kerf report: %s\n", err);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.svg", rep->plotdir,
			 p->stem);
		svg = !stat(path, &st) && st.st_size > 0;
		snprintf(path, sizeof(path), "%s/%s.png", rep->plotdir,
			 p->stem);
		png = !stat(path, &st) && st.st_size > 0;
		p->made = svg && png;
		if (!p->made && !rep->plot_failures++)
			snprintf(rep->plot_err, sizeof(rep->plot_err),
				 "gnuplot %s wrote no image", script);
	}
}

int kerf_report_write(json_t *const *runs, const char *const *names, int nruns,
		      const char *dir, char *err, size_t errlen)
{
	struct report rep = { .runs = runs, .nruns = nruns, .dir = dir };
	struct famplots *fps = NULL;
	struct rlist *frs = NULL;
	json_t *fams = json_array(), *seen = json_object(), *viab = NULL;
	struct ratio *ratios = NULL;
	int nratios = 0, cplot = -1, i, ret;
	char path[PATH_MAX];
	struct kerf_outfile out;
	size_t j, nf;
	json_t *r;
	FILE *f;

	if (nruns < 1) {
		snprintf(err, errlen, "no run to report");
		return -EINVAL;
	}
	rep.names = calloc(nruns, sizeof(*rep.names));
	rep.stems = json_object();
	viab = json_array();
	for (i = 0; i < nruns; i++) {
		if (names && names[i])
			snprintf(rep.names[i], sizeof(rep.names[i]), "%s",
				 names[i]);
		else
			snprintf(rep.names[i], sizeof(rep.names[i]), "run%d",
				 i + 1);
		gp_clean(rep.names[i]);
		json_array_foreach(json_object_get(runs[i], "results"), j, r)
		{
			char fam[128];

			if (!ju_str(r, "bench"))
				continue;
			family_of(ju_str(r, "bench"), fam, sizeof(fam));
			if (!json_object_get(seen, fam)) {
				json_object_set_new(seen, fam, json_true());
				json_array_append_new(fams, json_string(fam));
			}
		}
	}
	if (snprintf(rep.plotdir, sizeof(rep.plotdir), "%s/plots", dir) >=
	    (int)sizeof(rep.plotdir)) {
		ret = -ENAMETOOLONG;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		goto out;
	}
	ret = kerf_mkdirs(rep.plotdir);
	if (ret) {
		snprintf(err, errlen, "%s: %s", rep.plotdir, strerror(-ret));
		goto out;
	}
	if (kerf_gnuplot_find(rep.gnuplot, sizeof(rep.gnuplot)))
		rep.gnuplot[0] = '\0';

	nf = json_array_size(fams);
	fps = calloc(nf + 1, sizeof(*fps));
	frs = calloc(nf + 1, sizeof(*frs));
	for (j = 0; j < nf; j++) {
		const char *fam = json_string_value(json_array_get(fams, j));
		json_t *vb = json_object();

		json_array_append_new(viab, vb);
		ret = family_results(&rep, fam, &frs[j]);
		fps[j].first = rep.nplots;
		if (!ret)
			ret = family_plots(&rep, fam, &frs[j], vb);
		fps[j].count = rep.nplots - fps[j].first;
		if (ret) {
			snprintf(err, errlen, "%s: writing plots: %s",
				 rep.plotdir, strerror(-ret));
			goto out;
		}
	}
	if (nruns > 1) {
		nratios = compute_ratios(&rep, &ratios);
		if (nratios < 0) {
			ret = nratios;
			snprintf(err, errlen, "%s", strerror(-ret));
			goto out;
		}
		if (nratios) {
			cplot = plot_ratios(&rep, ratios, nratios);
			if (cplot) {
				ret = cplot;
				snprintf(err, errlen, "%s: writing plots: %s",
					 rep.plotdir, strerror(-ret));
				goto out;
			}
			cplot = rep.nplots - 1;
		}
	}
	if (rep.gnuplot[0])
		run_gnuplot(&rep);
	else
		fprintf(stderr,
			"kerf report: gnuplot not found on PATH: writing the "
			"tables without plots (install it: apt-get install "
			"gnuplot-nox); scripts and data are in %s\n",
			rep.plotdir);

	snprintf(path, sizeof(path), "%s/index.html", dir);
	ret = kerf_out_open(&out, path);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto out;
	}
	f = out.f;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		   "charset=\"utf-8\">\n<title>kerf report: ");
	for (i = 0; i < nruns; i++) {
		fprintf(f, "%s", i ? " vs " : "");
		html_esc(f, rep.names[i]);
	}
	fprintf(f,
		"</title>\n<style>\n%s</style></head><body>\n<h1>kerf "
		"report</h1>\n<nav><a href=\"#runs\">runs</a><a "
		"href=\"#env\">environment</a><a href=\"#warnings\">"
		"warnings</a>%s",
		page_css,
		nruns > 1 ? "<a href=\"#compare\">comparison</a>" : "");
	for (j = 0; j < nf; j++) {
		const char *fam = json_string_value(json_array_get(fams, j));

		fprintf(f, "<a href=\"#f-");
		html_esc(f, fam);
		fprintf(f, "\">");
		html_esc(f, fam);
		fprintf(f, "</a>");
	}
	fprintf(f, "</nav>\n");
	html_runs(f, &rep);
	html_warnings(f, &rep);
	html_env(f, &rep);
	if (nruns > 1)
		html_compare(f, &rep, ratios, nratios, cplot);
	for (j = 0; j < nf; j++)
		html_family(f, &rep, json_string_value(json_array_get(fams, j)),
			    &frs[j], &fps[j], json_array_get(viab, j));
	fprintf(f, "<p style=\"color:#777;font-size:.8em\">Written by kerf "
		   "report. Plots: <code>plots/*.gp</code> with their "
		   "data beside them.</p>\n</body></html>\n");
	ret = kerf_out_close(&out, true);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		goto out;
	}
	ret = rep.gnuplot[0] && !rep.plot_failures ? 0 : 1;
out:
	for (j = 0; frs && j < json_array_size(fams); j++)
		free(frs[j].v);
	free(frs);
	free(fps);
	free(ratios);
	free(rep.plots);
	free(rep.names);
	json_decref(rep.stems);
	json_decref(fams);
	json_decref(seen);
	json_decref(viab);
	return ret;
}

/* A run's label: its directory's name. */
static void run_name(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	struct stat st;
	char *s;
	size_t l;

	snprintf(tmp, sizeof(tmp), "%s", path);
	l = strlen(tmp);
	while (l > 1 && tmp[l - 1] == '/')
		tmp[--l] = '\0';
	if (stat(tmp, &st) || !S_ISDIR(st.st_mode)) {
		s = strrchr(tmp, '/');
		if (strcmp(s ? s + 1 : tmp, "run.json")) {
			/* new.json: "new" */
			s = s ? s + 1 : tmp;
			l = strlen(s);
			if (l > 5 && !strcmp(s + l - 5, ".json"))
				s[l - 5] = '\0';
			snprintf(buf, len, "%s", s);
			return;
		}
		if (s)
			*s = '\0';
		else
			snprintf(tmp, sizeof(tmp), ".");
	}
	if (!strcmp(tmp, ".") && getcwd(tmp, sizeof(tmp)) == NULL)
		snprintf(tmp, sizeof(tmp), "run");
	s = strrchr(tmp, '/');
	snprintf(buf, len, "%s", s && s[1] ? s + 1 : tmp);
}

static void report_usage(FILE *f)
{
	fprintf(f, "usage: kerf report RUN... -o DIR\n"
		   "  RUN      a run.json or the directory holding one; with "
		   "several, the first\n"
		   "           is the base of a comparison\n"
		   "  -o DIR   where index.html and plots/ go (created)\n"
		   "Needs gnuplot on PATH for the plots; without it the page "
		   "and its tables\nare still written, with a warning (exit "
		   "status 0).\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = NULL;
	char err[1024], (*names)[128] = NULL;
	const char **np = NULL;
	json_t **runs = NULL;
	int c, i, n, ret = KERF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return KERF_EXIT_OK;
		default:
			report_usage(stderr);
			return KERF_EXIT_USAGE;
		}
	}
	n = argc - optind;
	if (n < 1 || !dir || !*dir) {
		fprintf(stderr, "kerf report: %s\n",
			n < 1 ? "no RUN given" : "-o DIR is required");
		report_usage(stderr);
		return KERF_EXIT_USAGE;
	}
	runs = calloc(n, sizeof(*runs));
	names = calloc(n, sizeof(*names));
	np = calloc(n, sizeof(*np));
	if (!runs || !names || !np) {
		fprintf(stderr, "kerf report: out of memory\n");
		ret = KERF_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		int k, dup = 1;

		runs[i] = kerf_run_load(argv[optind + i], err, sizeof(err));
		if (!runs[i]) {
			fprintf(stderr, "kerf report: %s\n", err);
			goto out;
		}
		run_name(argv[optind + i], names[i], sizeof(names[i]));
		for (k = 0; k < i; k++) {
			if (!strcmp(names[k], names[i])) {
				size_t l = strcspn(names[i], "#");

				snprintf(names[i] + l, sizeof(names[i]) - l,
					 "#%d", ++dup);
				k = -1;
			}
		}
		np[i] = names[i];
	}
	c = kerf_report_write(runs, np, n, dir, err, sizeof(err));
	if (c < 0) {
		fprintf(stderr, "kerf report: %s\n", err);
		ret = KERF_EXIT_FAIL;
	} else {
		printf("%s/index.html\n", dir);
		ret = KERF_EXIT_OK;
	}
out:
	for (i = 0; runs && i < n; i++)
		json_decref(runs[i]);
	free(runs);
	free(names);
	free(np);
	return ret;
}
