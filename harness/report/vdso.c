/* SPDX-License-Identifier: MIT */
/*
 * vDSO pairs: benches run both by the vDSO and by a real system call (the
 * parameter via), drawn as grouped bars and tabled as syscall/vDSO ratios.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/derive.h"
#include "kerf/escape.h"
#include "report/report.h"

/*
 * The parameter that makes a pair. The report reads it from the results
 * rather than from the run's derived.vdso (benches/lib/vdso_ratio.c):
 * derived.vdso holds only the pairs both of whose results are ok, and runs
 * written before it existed, or exported by other tools, lack it, yet their
 * pairs are drawn all the same.
 */
#define VDSO_PARAM "via"

/* The benches whose results vary in VDSO_PARAM are drawn as pairs. */
bool rep_vdso_varies(const json_t *vals)
{
	return json_object_size(json_object_get(vals, VDSO_PARAM)) >= 2;
}

/* One grouped-bars plot being written. */
struct vdso {
	const struct rlist *fr;
	const char *unit;
	const json_t *benches; /* the benches drawn as pairs */
	json_t *clusters; /* label -> index */
	json_t *series; /* "run\tvia" -> index */
	char (*labels)[160];
	double *pos, bw, ymin, ymax;
};

static bool vdso_wants(const struct vdso *v, const json_t *r, double *m,
		       double *lo, double *hi)
{
	return json_object_get(v->benches, ju_str(r, "bench")) &&
	       !strcmp(ju_str(r, "unit") ? ju_str(r, "unit") : "", v->unit) &&
	       rep_median(r, m, lo, hi);
}

/* A cluster's label: "variant\nother params". */
static void vdso_label(const json_t *r, char *buf, size_t len)
{
	char key[300], var[160];

	rep_params_label(r, VDSO_PARAM, " ", key, sizeof(key));
	rep_gp_clean(key);
	snprintf(var, sizeof(var), "%s", rep_variant_of(ju_str(r, "bench")));
	rep_gp_clean(var);
	snprintf(buf, len, "%s%s%.200s", var, key[0] ? "\n" : "", key);
}

static void vdso_index(json_t *o, const char *key)
{
	if (!json_object_get(o, key))
		json_object_set_new(o, key, json_integer(json_object_size(o)));
}

/* Clusters (bench and other params) and series (run and via). */
static void vdso_groups(struct vdso *v)
{
	int i;

	for (i = 0; i < v->fr->n; i++) {
		const json_t *r = v->fr->v[i].r;
		char lab[400], key[300], num[64];
		const char *via =
			rep_param_text(r, VDSO_PARAM, num, sizeof(num));
		double m, lo, hi;

		if (!vdso_wants(v, r, &m, &lo, &hi))
			continue;
		vdso_label(r, lab, sizeof(lab));
		vdso_index(v->clusters, lab);
		snprintf(key, sizeof(key), "%d\t%s", v->fr->v[i].run,
			 via ? via : "");
		vdso_index(v->series, key);
	}
}

/* One block of the data file per series: x median lo hi. */
static void vdso_data(const struct report *rep, struct vdso *v, FILE *dat)
{
	const char *sk;
	json_t *sv;
	int i;

	json_object_foreach(v->series, sk, sv)
	{
		int run = atoi(sk), s = json_integer_value(sv);
		const char *via = strchr(sk, '\t') + 1;

		fprintf(dat, "# series %d: run %s via=", s, rep->names[run]);
		kerf_put_term(dat, via);
		fprintf(dat, ": x median lo hi\n");
		for (i = 0; i < v->fr->n; i++) {
			const json_t *r = v->fr->v[i].r;
			char lab[400], num[64];
			const char *rv =
				rep_param_text(r, VDSO_PARAM, num, sizeof(num));
			double m, lo, hi, x;
			int c;

			if (v->fr->v[i].run != run || !rv || strcmp(rv, via) ||
			    !vdso_wants(v, r, &m, &lo, &hi))
				continue;
			vdso_label(r, lab, sizeof(lab));
			c = json_integer_value(
				json_object_get(v->clusters, lab));
			v->pos[c] = c;
			snprintf(v->labels[c], sizeof(v->labels[c]), "%.159s",
				 lab);
			x = c - 0.4 + v->bw * (s + 0.5);
			v->ymin = fmin(v->ymin, fmin(lo, m));
			v->ymax = fmax(v->ymax, fmax(hi, m));
			fprintf(dat, "%g %.17g %.17g %.17g\n", x, m, lo, hi);
		}
		fprintf(dat, "\n\n");
	}
}

static void vdso_axes(const struct vdso *v, FILE *gp)
{
	int nc = json_object_size(v->clusters);
	char q[400];

	rep_gp_tics(gp, "xtics", v->labels, v->pos, nc,
		    nc > 6 ? "nomirror rotate by -25" : "nomirror");
	/* a vDSO call can be 100 times cheaper: log y, or its bar vanishes */
	if (v->ymin > 0 && v->ymax / v->ymin >= 30)
		fprintf(gp, "set logscale y\nset autoscale yfix\n");
	else
		fprintf(gp, "set yrange [0:*]\n");
	fprintf(gp,
		"set xrange [-0.6:%g]\n"
		"set ylabel %s\n"
		"set grid ytics noxtics\n"
		"set boxwidth %g absolute\n"
		"set style fill solid 0.8 border rgb \"#333333\"\n"
		"set key outside right top vertical\n"
		"set offsets 0, 0, graph 0.08, 0\n"
		"set bmargin %d\n",
		nc - 0.4, kerf_esc_gp(q, sizeof(q), v->unit), v->bw * 0.9,
		nc > 6 ? 9 : 5);
}

/* Bars, whiskers and value labels per series. */
static void vdso_plot(const struct report *rep, const struct vdso *v, int id,
		      FILE *gp)
{
	const char *sk, *stem = rep->plots[id].stem;
	json_t *sv;

	fprintf(gp, "plot ");
	json_object_foreach(v->series, sk, sv)
	{
		int run = atoi(sk), s = json_integer_value(sv);
		const char *via = strchr(sk, '\t') + 1, *c, *fs;
		char t[300], q[700];

		if (rep->nruns > 1) {
			/* colour: the run; hatched: the system call */
			snprintf(t, sizeof(t), "%s via=%s", rep->names[run],
				 via);
			c = rep_colours[run % REP_NCOLOURS];
			fs = strcmp(via, "vdso") ? "fs pattern 4 border" :
						   "fs solid 0.8 border";
		} else {
			snprintf(t, sizeof(t), "via=%s", via);
			c = rep_colours[s % REP_NCOLOURS];
			fs = "fs solid 0.8 border";
		}
		rep_gp_clean(t);
		fprintf(gp,
			"%s\"%s.dat\" index %d using 1:2 with boxes "
			"lc rgb \"%s\" %s title %s, \\\n"
			"  \"%s.dat\" index %d using 1:2:3:4 with yerrorbars "
			"lc rgb \"#222222\" pt 7 ps 0.35 lw 1.5 notitle, \\\n"
			"  \"%s.dat\" index %d using 1:4:($2 >= 1000 ? "
			"sprintf(\"%%.0f\", $2) : sprintf(\"%%.3g\", $2)) "
			"with labels offset 0,0.7 font \",9\" notitle",
			s ? ", \\\n  " : "", stem, s, c, fs,
			kerf_esc_gp(q, sizeof(q), t), stem, s, stem, s);
	}
	fprintf(gp, "\n");
}

int rep_plot_vdso(struct report *rep, const char *fam, const char *unit,
		  const struct rlist *fr, const json_t *pairbench)
{
	struct vdso v = { .fr = fr,
			  .unit = unit,
			  .benches = pairbench,
			  .ymin = INFINITY,
			  .ymax = 0 };
	char title[256], hint[160];
	int nc, ns, id, ret = 0, w, h = 480;
	FILE *gp, *dat;

	v.clusters = json_object();
	v.series = json_object();
	vdso_groups(&v);
	nc = json_object_size(v.clusters);
	ns = json_object_size(v.series);
	if (!nc)
		goto out;
	snprintf(title, sizeof(title),
		 "%s: by the vDSO or by a real system call (%s)", fam, unit);
	snprintf(hint, sizeof(hint), "%s-via-%s", fam, unit);
	id = rep_plot_new(rep, hint, title);
	w = 400 + nc * (40 + 28 * ns);
	w = w < 700 ? 700 : w > 1400 ? 1400 : w;
	if (id < 0 || (ret = rep_plot_open(rep, id, w, h, &gp, &dat))) {
		ret = id < 0 ? id : ret;
		goto out;
	}
	v.labels = calloc(nc, sizeof(*v.labels));
	v.pos = calloc(nc, sizeof(*v.pos));
	v.bw = 0.8 / ns;
	vdso_data(rep, &v, dat);
	vdso_axes(&v, gp);
	vdso_plot(rep, &v, id, gp);
	ret = rep_plot_close(rep, id, w, h, gp, dat);
out:
	free(v.labels);
	free(v.pos);
	json_decref(v.clusters);
	json_decref(v.series);
	return ret;
}

/* kerf run's own word on a vdso pair (run.json "derived"."vdso"), if any. */
static const char *vdso_derived_note(const json_t *run, const json_t *r)
{
	json_t *list = json_object_get(json_object_get(run, "derived"), "vdso");
	char pr[400], pe[400];
	json_t *e;
	size_t i;

	rep_params_label(r, VDSO_PARAM, " ", pr, sizeof(pr));
	json_array_foreach(list, i, e)
	{
		if (!ju_str(e, "bench") ||
		    strcmp(ju_str(e, "bench"), ju_str(r, "bench")))
			continue;
		rep_params_label(e, VDSO_PARAM, " ", pe, sizeof(pe));
		if (!strcmp(pr, pe))
			return ju_str(e, "note");
	}
	return NULL;
}

/* The via=syscall result of the same run, bench and other params. */
static const json_t *vdso_partner(const struct rlist *fr, int i, const char *pa,
				  double *mb)
{
	const json_t *a = fr->v[i].r;
	char pb[400], num[64];
	double lo, hi;
	int j;

	for (j = 0; j < fr->n; j++) {
		const json_t *b = fr->v[j].r;
		const char *vb =
			rep_param_text(b, VDSO_PARAM, num, sizeof(num));

		if (fr->v[j].run != fr->v[i].run || !vb ||
		    strcmp(vb, "syscall") ||
		    strcmp(ju_str(a, "bench"), ju_str(b, "bench")))
			continue;
		rep_params_label(b, VDSO_PARAM, " ", pb, sizeof(pb));
		if (strcmp(pa, pb) || !rep_median(b, mb, &lo, &hi))
			continue;
		return b;
	}
	return NULL;
}

/* The verdict cell: kerf run's diagnosis, the clocksource, or served. */
static void vdso_verdict(FILE *f, const json_t *run, const json_t *a,
			 double ratio)
{
	const json_t *env = json_object_get(run, "env");
	const char *cs = json_string_value(json_object_get(env, "clocksource"));
	const char *note = vdso_derived_note(run, a);

	if (!cs)
		cs = ju_str(json_object_get(env, "clocksource"), "current");
	if (ratio < KERF_VDSO_SERVED_RATIO && note) {
		/* kerf run's own diagnosis (derived.vdso). */
		fprintf(f, "<td class=\"error\">");
		rep_html_esc(f, note);
		fprintf(f, "</td></tr>\n");
	} else if (ratio < KERF_VDSO_SERVED_RATIO) {
		fprintf(f, "<td class=\"error\">not served by "
			   "the vDSO here; clocksource ");
		rep_html_esc(f, cs ? cs : "unknown");
		fprintf(f, "</td></tr>\n");
	} else {
		fprintf(f, "<td class=\"ok\">served in user "
			   "space</td></tr>\n");
	}
}

static void vdso_row(FILE *f, const struct report *rep, const json_t *a,
		     int run, const char *pa, double ma, double mb)
{
	char x[64], y[64];

	rep_html_row_head(f, rep, ju_str(a, "bench"), pa, run);
	rep_fmt_num(ma, x, sizeof(x));
	rep_fmt_num(mb, y, sizeof(y));
	fprintf(f,
		"<td class=\"n\">%s</td><td class=\"n\">%s"
		"</td><td class=\"n\">%.2f</td>",
		x, y, mb / ma);
	vdso_verdict(f, rep->runs[run], a, mb / ma);
}

/* The syscall/vDSO ratio per pair, flagged where the vDSO did not help. */
void rep_html_vdso(FILE *f, const struct report *rep, const struct rlist *fr,
		   const json_t *pairbench)
{
	bool head = false;
	int i;

	for (i = 0; i < fr->n; i++) {
		const json_t *a = fr->v[i].r;
		char pa[400], num[64];
		const char *via =
			rep_param_text(a, VDSO_PARAM, num, sizeof(num));
		double ma, mb, lo, hi;

		if (!via || strcmp(via, "vdso") ||
		    !json_object_get(pairbench, ju_str(a, "bench")) ||
		    !rep_median(a, &ma, &lo, &hi) || ma <= 0)
			continue;
		rep_params_label(a, VDSO_PARAM, " ", pa, sizeof(pa));
		if (!vdso_partner(fr, i, pa, &mb))
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
		vdso_row(f, rep, a, fr->v[i].run, pa, ma, mb);
	}
	if (head)
		fprintf(f,
			"</table>\n<p>A ratio under %.1f means the vDSO entry "
			"fell back to the system call (often because the "
			"clocksource cannot be read from user space).</p>\n",
			KERF_VDSO_SERVED_RATIO);
}
