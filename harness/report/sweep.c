/* SPDX-License-Identifier: MIT */
/* Sweeps: a bench's median (or a derived metric) against a numeric parameter, one line with a band per other parameters and run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "report/report.h"

struct sweep_pt {
	double x, m, lo, hi;
	char xs[64];
};

/* One sweep plot being written. */
struct sweep {
	const struct rlist *fr;
	const char *bench, *xkey, *metric, *unit;
	const char *family, *funit; /* the family plot: its benches together */
	json_t *lines; /* "run\tlabel" -> [indexes into fr] */
	json_t *xt; /* x label -> x */
	double xmin, xmax, ymin, ymax;
};

static int sweep_cmp_pt(const void *a, const void *b)
{
	const struct sweep_pt *p = a, *q = b;

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
		return rep_median(r, m, lo, hi);
	mv = json_object_get(json_object_get(r, "metrics"), metric);
	if (!ju_result_ok(r) || !ju_num(mv, "value", m))
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

/* The results of the bench grouped into lines; the unit of the first. */
/*
 * Is r on this plot: of its bench, or with family set, of any bench of the
 * family that sweeps xkey in the first result's unit (the mechanisms of a
 * family side by side: epoll against io_uring).
 */
static bool sweep_member(struct sweep *s, const json_t *r)
{
	const char *b = ju_str(r, "bench"), *u = ju_str(r, "unit");
	size_t fl = s->family ? strlen(s->family) : 0;
	char x[64];

	if (!s->family)
		return !strcmp(b, s->bench);
	if (strncmp(b, s->family, fl) || b[fl] != '/' ||
	    !rep_param_text(r, s->xkey, x, sizeof(x)))
		return false;
	if (!s->funit)
		s->funit = u;
	return u && s->funit && !strcmp(u, s->funit);
}

static void sweep_lines(struct sweep *s)
{
	int i;

	for (i = 0; i < s->fr->n; i++) {
		const json_t *r = s->fr->v[i].r;
		char lab[400], key[520];
		double m, lo, hi;
		json_t *arr;

		if (!sweep_member(s, r) ||
		    !sweep_point(r, s->metric, &m, &lo, &hi))
			continue;
		if (!s->unit)
			s->unit = s->metric ?
					  ju_str(json_object_get(
							 json_object_get(
								 r, "metrics"),
							 s->metric),
						 "unit") :
					  ju_str(r, "unit");
		rep_vary_label(s->fr, r, s->xkey, true, lab, sizeof(lab));
		if (s->family)
			snprintf(key, sizeof(key), "%d\t%.150s%s%.200s",
				 s->fr->v[i].run, ju_str(r, "bench"),
				 lab[0] ? " " : "", lab);
		else
			snprintf(key, sizeof(key), "%d\t%s", s->fr->v[i].run,
				 lab);
		arr = json_object_get(s->lines, key);
		if (!arr) {
			arr = json_array();
			json_object_set_new(s->lines, key, arr);
		}
		json_array_append_new(arr, json_integer(i));
	}
}

/* The points of one line, sorted by x; the ranges widened to hold them. */
static size_t sweep_line_points(struct sweep *s, const json_t *ix_list,
				struct sweep_pt *pts)
{
	size_t j, n = 0;
	json_t *ix;

	json_array_foreach(ix_list, j, ix)
	{
		const json_t *r = s->fr->v[json_integer_value(ix)].r;
		struct sweep_pt *p = &pts[n];
		const char *t;

		t = rep_param_text(r, s->xkey, p->xs, sizeof(p->xs));
		if (t != p->xs)
			snprintf(p->xs, sizeof(p->xs), "%s", t);
		if (!rep_value_num(p->xs, &p->x) ||
		    !sweep_point(r, s->metric, &p->m, &p->lo, &p->hi))
			continue;
		rep_gp_clean(p->xs);
		json_object_set_new(s->xt, p->xs, json_real(p->x));
		s->xmin = fmin(s->xmin, p->x);
		s->xmax = fmax(s->xmax, p->x);
		s->ymin = fmin(s->ymin, fmin(p->lo, p->m));
		s->ymax = fmax(s->ymax, fmax(p->hi, p->m));
		n++;
	}
	qsort(pts, n, sizeof(*pts), sweep_cmp_pt);
	return n;
}

/* One block of the data file per line: x median ci_lo ci_hi label. */
static void sweep_data(struct sweep *s, FILE *dat)
{
	struct sweep_pt *pts = calloc(s->fr->n, sizeof(*pts));
	const char *lk;
	json_t *lv;
	int li = 0;

	json_object_foreach(s->lines, lk, lv)
	{
		size_t j, n = sweep_line_points(s, lv, pts);

		fprintf(dat, "# line %d: ", li);
		kerf_put_term(dat, lk);
		fprintf(dat, "\n# x median ci_lo ci_hi label\n");
		for (j = 0; j < n; j++) {
			fprintf(dat, "%.17g %.17g %.17g %.17g ", pts[j].x,
				pts[j].m, pts[j].lo, pts[j].hi);
			kerf_put_gp_datum(dat, pts[j].xs);
			fputc('\n', dat);
		}
		fprintf(dat, "\n\n");
		li++;
	}
	free(pts);
}

/* Tics at the swept values when there are few; log axes when wide. */
static void sweep_axes(const struct sweep *s, FILE *gp)
{
	int nt = json_object_size(s->xt);

	if (nt <= 16) {
		char(*labels)[160] = calloc(nt, sizeof(*labels));
		double *pos = calloc(nt, sizeof(*pos));
		const char *tk;
		json_t *tv;
		int k = 0;

		json_object_foreach(s->xt, tk, tv)
		{
			snprintf(labels[k], sizeof(labels[k]), "%s", tk);
			pos[k++] = json_real_value(tv);
		}
		rep_gp_tics(gp, "xtics", labels, pos, nt,
			    nt > 8 ? "nomirror rotate by -35" : "nomirror");
		free(labels);
		free(pos);
	}
	/* a margin on both sides, so the end points and tics stay inside */
	if (s->xmin > 0 && s->xmax / s->xmin >= 100)
		fprintf(gp, "set logscale x 2\nset xrange [%g:%g]\n",
			s->xmin / pow(s->xmax / s->xmin, 0.03),
			s->xmax * pow(s->xmax / s->xmin, 0.03));
	else if (s->xmax > s->xmin)
		fprintf(gp, "set xrange [%g:%g]\n",
			s->xmin - (s->xmax - s->xmin) * 0.03,
			s->xmax + (s->xmax - s->xmin) * 0.03);
	if (s->ymin > 0 && s->ymax / s->ymin >= 100)
		fprintf(gp, "set logscale y\n");
	else
		fprintf(gp, "set yrange [0:*]\n");
}

/* The plot command: a band and a line per line of the data file. */
static void sweep_plot(const struct report *rep, const struct sweep *s, int id,
		       FILE *gp)
{
	json_t *combos = json_object(); /* other params -> dash type */
	const char *lk;
	json_t *lv;
	int li = 0;

	fprintf(gp, "plot ");
	json_object_foreach(s->lines, lk, lv)
	{
		int run = atoi(lk), dt = 1;
		const char *lab = strchr(lk, '\t') + 1, *c;
		char t[300], q[700];

		if (rep->nruns > 1) {
			/* colour: the run; dash: the other params */
			if (!json_object_get(combos, lab))
				json_object_set_new(
					combos, lab,
					json_integer(json_object_size(combos)));
			c = rep_colours[run % REP_NCOLOURS];
			dt = 1 +
			     json_integer_value(json_object_get(combos, lab)) %
				     5;
			snprintf(t, sizeof(t), "%s%s%s", rep->names[run],
				 lab[0] ? " " : "", lab);
		} else {
			c = rep_colours[li % REP_NCOLOURS];
			snprintf(t, sizeof(t), "%s",
				 lab[0]	  ? lab :
				 s->bench ? s->bench :
					    "");
		}
		rep_gp_clean(t);
		fprintf(gp,
			"%s\"%s.dat\" index %d using 1:3:4 with filledcurves "
			"lc rgb \"%s\" notitle, \\\n"
			"  \"%s.dat\" index %d using 1:2 with linespoints "
			"lc rgb \"%s\" dt %d lw 2 pt 7 ps 0.7 title %s",
			li ? ", \\\n  " : "", rep->plots[id].stem, li, c,
			rep->plots[id].stem, li, c, dt,
			kerf_esc_gp(q, sizeof(q), t));
		li++;
	}
	fprintf(gp, "\n");
	json_decref(combos);
}

static int sweep_new(struct report *rep, const struct sweep *s)
{
	char title[256], hint[200];

	if (s->family) {
		snprintf(title, sizeof(title),
			 "%s: its benches against %s (median, 95%% band)",
			 s->family, s->xkey);
		snprintf(hint, sizeof(hint), "%s-compared-%s", s->family,
			 s->xkey);
	} else if (s->metric) {
		snprintf(title, sizeof(title),
			 "%s %s against %s (median of the processes, band: "
			 "their range)",
			 s->bench, s->metric, s->xkey);
		snprintf(hint, sizeof(hint), "%s-sweep-%s-%s", s->bench,
			 s->xkey, s->metric);
	} else {
		snprintf(title, sizeof(title),
			 "%s against %s (median, 95%% band)", s->bench,
			 s->xkey);
		snprintf(hint, sizeof(hint), "%s-sweep-%s", s->bench, s->xkey);
	}
	return rep_plot_new(rep, hint, title);
}

static int sweep_draw(struct report *rep, struct sweep *s)
{
	int id, ret = 0, w = 900, h = 520;
	char yl[320], q[700];
	FILE *gp, *dat;

	s->lines = json_object();
	s->xt = json_object();
	sweep_lines(s);
	if (!json_object_size(s->lines))
		goto out;
	id = sweep_new(rep, s);
	if (id < 0 || (ret = rep_plot_open(rep, id, w, h, &gp, &dat))) {
		ret = id < 0 ? id : ret;
		goto out;
	}
	sweep_data(s, dat);
	sweep_axes(s, gp);
	snprintf(yl, sizeof(yl), "%.200s%s%.100s%s", s->metric ? s->metric : "",
		 s->metric ? " (" : "", s->unit ? s->unit : "",
		 s->metric ? ")" : "");
	fprintf(gp, "set xlabel %s\n", kerf_esc_gp(q, sizeof(q), s->xkey));
	fprintf(gp,
		"set ylabel %s\n"
		"set key outside bottom center horizontal\n"
		"set style fill transparent solid 0.18 noborder\n",
		kerf_esc_gp(q, sizeof(q), yl));
	sweep_plot(rep, s, id, gp);
	ret = rep_plot_close(rep, id, w, h, gp, dat);
out:
	json_decref(s->lines);
	json_decref(s->xt);
	return ret;
}

int rep_plot_sweep(struct report *rep, const char *bench, const char *xkey,
		   const struct rlist *fr, const char *metric)
{
	struct sweep s = {
		.fr = fr,
		.bench = bench,
		.xkey = xkey,
		.metric = metric,
		.xmin = INFINITY,
		.xmax = -INFINITY,
		.ymin = INFINITY,
		.ymax = 0,
	};
	return sweep_draw(rep, &s);
}

int rep_plot_family_sweep(struct report *rep, const char *fam, const char *xkey,
			  const struct rlist *fr)
{
	struct sweep s = {
		.fr = fr,
		.family = fam,
		.xkey = xkey,
		.xmin = INFINITY,
		.xmax = -INFINITY,
		.ymin = INFINITY,
		.ymax = 0,
	};

	return sweep_draw(rep, &s);
}

/* Tail latencies of a swept bench (metrics named *p99*) get plots too. */
int rep_sweep_metrics(struct report *rep, const char *bench, const char *xkey,
		      const struct rlist *fr)
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
		ret = rep_plot_sweep(rep, bench, xkey, fr, k);
		if (ret)
			break;
	}
	json_decref(names);
	return ret;
}
