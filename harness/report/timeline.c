/* SPDX-License-Identifier: MIT */
/* Stressor timelines: memory over time with its limit, pressure and OOM kills, or any other timeline's columns as lines. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "report/report.h"

/* The size of a timeline plot. */
#define TL_W 900
#define TL_H 480

/* A numeric column of the timeline, or NULL (short ones read as NaN). */
static json_t *tl_col(const json_t *tl, const char *key, size_t n)
{
	json_t *c = json_object_get(tl, key);

	return json_is_array(c) && json_array_size(c) > 0 &&
			       json_array_size(c) <= n ?
		       c :
		       NULL;
}

static double tl_at(const json_t *c, size_t i)
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
	if (rep_value_num(rep_param_text(r, "limit", num, sizeof(num)), &v))
		return v;
	return NAN;
}

static bool tl_is_kill(const char *s)
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
					when = tl_at(t, i) / 1000;
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
			if (tl_is_kill(what) && isfinite(when) && k < max)
				out[k++] = when;
		}
	} else if (json_is_object(ev)) {
		/* counters over time: the first rise of an oom_kill column */
		json_object_foreach(ev, key, e)
		{
			if (!tl_is_kill(key) || json_array_size(e) != n)
				continue;
			for (i = 1; i < n; i++) {
				if (tl_at(e, i) > tl_at(e, i - 1)) {
					if (k < max)
						out[k++] = tl_at(t, i) / 1000;
					break;
				}
			}
		}
	}
	/* kerf stress: memory.events counters as columns "events_oom_kill" */
	json_object_foreach((json_t *)tl, key, e)
	{
		if (k || strncmp(key, "events_", 7) || !tl_is_kill(key) ||
		    !json_is_array(e))
			continue;
		for (i = 1; i < json_array_size(e) && i < n; i++) {
			if (tl_at(e, i) > tl_at(e, i - 1)) {
				out[k++] = tl_at(t, i) / 1000;
				break;
			}
		}
	}
	return k;
}

/* A new plot for the timeline of r in run: title "BENCH (RUN)WHAT". */
static int tl_open(struct report *rep, const json_t *r, int run,
		   const char *what, FILE **gp, FILE **dat)
{
	char title[256], hint[200];
	int id, ret;

	if (rep->nruns > 1)
		snprintf(title, sizeof(title), "%s (%s)%s", ju_str(r, "bench"),
			 rep->names[run], what);
	else
		snprintf(title, sizeof(title), "%s%s", ju_str(r, "bench"),
			 what);
	snprintf(hint, sizeof(hint), "%s-timeline-%d", ju_str(r, "bench"), run);
	id = rep_plot_new(rep, hint, title);
	if (id < 0)
		return id;
	ret = rep_plot_open(rep, id, TL_W, TL_H, gp, dat);
	return ret ? ret : id;
}

/*
 * A timeline that is not about memory (cpu/throttle: lateness, throttled
 * counts): its first column on the left axis, the others on the right.
 */
static int tl_generic(struct report *rep, const json_t *r, int run)
{
	json_t *tl = json_object_get(r, "timeline");
	json_t *t = json_object_get(tl, "t_ms"), *cols[8], *v;
	const char *names[8], *k;
	char y1[128], q[400];
	size_t n = json_array_size(t), i;
	int id, nc = 0, j;
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
	id = tl_open(rep, r, run, " over time", &gp, &dat);
	if (id < 0)
		return id;
	fprintf(dat, "# t_s");
	for (j = 0; j < nc; j++) {
		fputc(' ', dat);
		kerf_put_term(dat, names[j]);
	}
	fprintf(dat, "\n");
	for (i = 0; i < n; i++) {
		fprintf(dat, "%.6g", tl_at(t, i) / 1000);
		for (j = 0; j < nc; j++)
			fprintf(dat, " %.6g", tl_at(cols[j], i));
		fprintf(dat, "\n");
	}
	snprintf(y1, sizeof(y1), "%s", names[0]);
	fprintf(gp,
		"set xlabel \"time since start (s)\"\n"
		"set ylabel %s\n"
		"set ytics nomirror\n"
		"set key outside top horizontal\n",
		kerf_esc_gp(q, sizeof(q), y1));
	if (nc > 1)
		fprintf(gp, "set y2tics\nset y2label \"right axis\"\n");
	fprintf(gp, "plot ");
	for (j = 0; j < nc; j++) {
		char t2[128];

		snprintf(t2, sizeof(t2), "%s%s", names[j],
			 j ? " (right axis)" : "");
		fprintf(gp,
			"%s\"%s.dat\" using 1:%d axes x1y%d with lines "
			"lc rgb \"%s\" lw %s title %s",
			j ? ", \\\n  " : "", rep->plots[id].stem, j + 2,
			j ? 2 : 1, rep_colours[j % REP_NCOLOURS],
			j ? "1" : "1.5", kerf_esc_gp(q, sizeof(q), t2));
	}
	fprintf(gp, "\n");
	return rep_plot_close(rep, id, TL_W, TL_H, gp, dat);
}

static const char *const tl_kinds[] = { "anon", "file", "shmem" };

/* The columns of a memory timeline. */
struct tl_mem {
	const json_t *r;
	json_t *t, *kc[3], *usage, *limc, *pc[8];
	const char *pn[8];
	size_t n;
	int np, nk;
	double kills[8], lim, ymax, pmax;
};

/* One line a sample: t_s, the kinds stacked, usage, limit, pressures. */
static void tl_mem_data(struct tl_mem *m, FILE *dat)
{
	size_t i;
	int j;

	fprintf(dat, "# t_s anon anon+file anon+file+shmem usage limit "
		     "(MiB, stacked)");
	for (j = 0; j < m->np; j++) {
		fputc(' ', dat);
		kerf_put_term(dat, m->pn[j]);
	}
	fprintf(dat, "\n");
	for (i = 0; i < m->n; i++) {
		double acc = 0, l = m->limc ? tl_at(m->limc, i) : m->lim;
		double u = m->usage ? tl_at(m->usage, i) : NAN;

		fprintf(dat, "%.6g", tl_at(m->t, i) / 1000);
		for (j = 0; j < 3; j++) {
			double x = m->kc[j] ? tl_at(m->kc[j], i) : NAN;

			acc += isfinite(x) ? x : 0;
			fprintf(dat, " %.6g", acc / 1048576);
		}
		m->ymax = fmax(m->ymax, acc / 1048576);
		if (isfinite(u)) {
			fprintf(dat, " %.6g", u / 1048576);
			m->ymax = fmax(m->ymax, u / 1048576);
		} else {
			fprintf(dat, " NaN");
		}
		if (isfinite(l)) {
			fprintf(dat, " %.6g", l / 1048576);
			m->ymax = fmax(m->ymax, l / 1048576);
		} else {
			fprintf(dat, " NaN");
		}
		for (j = 0; j < m->np; j++) {
			fprintf(dat, " %.6g", tl_at(m->pc[j], i));
			if (tl_at(m->pc[j], i) > m->pmax)
				m->pmax = tl_at(m->pc[j], i);
		}
		fprintf(dat, "\n");
	}
}

/* Axes: MiB on the left, pressure on the right, a line per OOM kill. */
static void tl_mem_axes(const struct tl_mem *m, FILE *gp)
{
	int j;

	fprintf(gp,
		"set xlabel \"time since start (s)\"\n"
		"set ylabel \"memory (MiB)\"\n"
		"set yrange [0:%g]\n"
		"set ytics nomirror\n"
		"set key outside top horizontal\n"
		"set style fill solid 0.55 noborder\n",
		m->ymax > 0 ? m->ymax * 1.12 : 1);
	if (m->np) {
		const char *src = ju_str(json_object_get(m->r, "timeline_info"),
					 "pressure");
		char y2[200], q[500];

		snprintf(y2, sizeof(y2), "%% of time stalled%s%.140s%s",
			 src && *src ? " (" : "", src ? src : "",
			 src && *src ? ")" : "");
		fprintf(gp,
			"set y2label %s\n"
			"set y2tics\nset y2range [0:%s]\n",
			kerf_esc_gp(q, sizeof(q), y2), m->pmax > 0 ? "*" : "1");
	}
	for (j = 0; j < m->nk; j++)
		fprintf(gp,
			"set arrow from %g, graph 0 to %g, graph 1 nohead front "
			"lc rgb \"#c00000\" lw 2 dt 2\n"
			"set label \"OOM kill\" at %g, graph 0.97 right "
			"offset -0.5,0 tc rgb \"#c00000\"\n",
			m->kills[j], m->kills[j], m->kills[j]);
}

/* The plot command: stacked kinds, usage, limit, pressures. */
static void tl_mem_plot(const struct tl_mem *m, const char *stem, FILE *gp)
{
	bool first = true;
	int j;

	fprintf(gp, "plot ");
#define SEP (first ? (first = false, "") : ", \\\n  ")
	for (j = 0; j < 3; j++) {
		if (!m->kc[j])
			continue;
		fprintf(gp,
			"%s\"%s.dat\" using 1:%s:%d with filledcurves "
			"lc rgb \"%s\" title \"%s\"",
			SEP, stem, j ? (j == 1 ? "2" : "3") : "(0)", j + 2,
			rep_colours[j], tl_kinds[j]);
	}
	if (m->usage)
		fprintf(gp,
			"%s\"%s.dat\" using 1:5 with lines lc rgb \"#222222\" "
			"lw 1.5 title \"usage\"",
			SEP, stem);
	if (m->limc || isfinite(m->lim))
		fprintf(gp,
			"%s\"%s.dat\" using 1:6 with lines lc rgb \"#c00000\" "
			"lw 2 title \"limit\"",
			SEP, stem);
	for (j = 0; j < m->np; j++) {
		char t[200], q[500];

		snprintf(t, sizeof(t), "%.150s (right axis)", m->pn[j]);
		fprintf(gp,
			"%s\"%s.dat\" using 1:%d axes x1y2 with lines "
			"lc rgb \"%s\" dt 3 lw 1.5 title %s",
			SEP, stem, 7 + j, rep_colours[(4 + j) % REP_NCOLOURS],
			kerf_esc_gp(q, sizeof(q), t));
	}
	if (first)
		fprintf(gp, "\"%s.dat\" using 1:4 with lines title \"total\"",
			stem);
#undef SEP
	fprintf(gp, "\n");
}

int rep_plot_timeline(struct report *rep, const json_t *r, int run)
{
	json_t *tl = json_object_get(r, "timeline"), *v;
	struct tl_mem m = { .r = r };
	const char *k;
	int id, j;
	FILE *gp, *dat;

	m.t = json_object_get(tl, "t_ms");
	m.n = json_array_size(m.t);
	if (m.n < 2)
		return 0;
	for (j = 0; j < 3; j++)
		m.kc[j] = tl_col(tl, tl_kinds[j], m.n);
	m.usage = tl_col(tl, "usage", m.n);
	if (!m.usage && !m.kc[0] && !m.kc[1] && !m.kc[2])
		return tl_generic(rep, r, run);
	m.limc = tl_col(tl, "limit", m.n);
	m.lim = tl_limit(r, tl);
	json_object_foreach(tl, k, v)
	{
		if (!strncmp(k, "pressure", 8) && !strstr(k, "total") &&
		    tl_col(tl, k, m.n) && m.np < 8) {
			m.pn[m.np] = k;
			m.pc[m.np++] = v;
		}
	}
	m.nk = tl_kills(r, tl, m.t, m.kills, 8);
	id = tl_open(rep, r, run, ": memory over time", &gp, &dat);
	if (id < 0)
		return id;
	tl_mem_data(&m, dat);
	tl_mem_axes(&m, gp);
	tl_mem_plot(&m, rep->plots[id].stem, gp);
	return rep_plot_close(rep, id, TL_W, TL_H, gp, dat);
}
