/* SPDX-License-Identifier: MIT */
/* The hockey stick of an open-loop rate sweep: latency against offered rate per mechanism, with the target and each knee, and the rate achieved against the rate offered. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "kerf/knee.h"
#include "report/report.h"

#define HK_W 900
#define HK_H 420 /* and the key */
#define HK_SENT_H 400

struct hk_pt {
	double x, p50, p99, p999, sent;
	bool client;
};

/* The plot being written: the lines, and the runs' knees. */
struct hockey {
	struct report *rep;
	const struct rlist *fr;
	json_t *lines; /* "run\tlabel" -> [indexes into fr] */
	json_t *targets; /* target title -> bound in us */
	json_t **calc; /* per run: a copy with the knee derived, when needed */
	bool any_client, any_knee;
};

static double hk_metric(const json_t *r, const char *name)
{
	double v;

	if (!ju_num(json_object_get(json_object_get(r, "metrics"), name),
		    "value", &v))
		return NAN;
	return v;
}

/* An ok open-load result with an offered rate and its latencies. */
static bool hk_member(const json_t *r)
{
	const char *load = ju_str(json_object_get(r, "params"), "load");

	return ju_result_ok(r) && load && !strcmp(load, "open") &&
	       isfinite(hk_metric(r, "rate_offered")) &&
	       isfinite(hk_metric(r, "latency_p99"));
}

/* The open-load results grouped into lines: one per mechanism and run. */
static void hk_group(struct hockey *h)
{
	int i;

	for (i = 0; i < h->fr->n; i++) {
		const json_t *r = h->fr->v[i].r;
		char lab[400], key[600];
		json_t *arr;

		rep_vary_label(h->fr, r, "rate", true, lab, sizeof(lab));
		snprintf(key, sizeof(key), "%d\t%.150s%s%.300s",
			 h->fr->v[i].run, ju_str(r, "bench"), lab[0] ? " " : "",
			 lab);
		arr = json_object_get(h->lines, key);
		if (!arr) {
			arr = json_array();
			json_object_set_new(h->lines, key, arr);
		}
		json_array_append_new(arr, json_integer(i));
	}
}

static int hk_cmp(const void *a, const void *b)
{
	const struct hk_pt *p = a, *q = b;

	return (p->x > q->x) - (p->x < q->x);
}

/* A line's points sorted by offered rate, latencies in us. */
static size_t hk_points(struct hockey *h, const json_t *ix, struct hk_pt *pts)
{
	size_t j, n = 0;
	json_t *v;

	json_array_foreach(ix, j, v)
	{
		const json_t *r = h->fr->v[json_integer_value(v)].r;
		const char *who =
			ju_str(json_object_get(r, "info"), "bottleneck");
		struct hk_pt *p = &pts[n++];

		p->x = hk_metric(r, "rate_offered");
		p->p50 = hk_metric(r, "latency_p50") / 1e3;
		p->p99 = hk_metric(r, "latency_p99") / 1e3;
		p->p999 = hk_metric(r, "latency_p99.9") / 1e3;
		p->sent = hk_metric(r, "rate_sent");
		p->client = who && !strcmp(who, "client");
	}
	qsort(pts, n, sizeof(*pts), hk_cmp);
	return n;
}

/*
 * The knee group of r from its run's derived figures; when the run has
 * none, from a copy of the run given to the knee code (kerf_derive_knee).
 */
static const json_t *hk_group_of(struct hockey *h, const json_t *r, int run)
{
	const json_t *d = json_object_get(h->rep->runs[run], "derived");
	char key[1024];

	if (kerf_knee_key(r, key, sizeof(key)))
		return NULL;
	if (json_object_get(d, key))
		return json_object_get(d, key);
	if (!h->calc[run]) {
		h->calc[run] = json_deep_copy(h->rep->runs[run]);
		if (!h->calc[run])
			return NULL;
		json_object_del(h->calc[run], "derived");
		kerf_derive_knee.derive(h->calc[run]);
	}
	return json_object_get(json_object_get(h->calc[run], "derived"), key);
}

/*
 * The knee of a line: its rate and the latency at the target there (us),
 * into kx and ky; false with why when the group has none.
 */
static bool hk_knee(struct hockey *h, const json_t *r, int run, double *kx,
		    double *ky, char *why, size_t len)
{
	const json_t *g = hk_group_of(h, r, run), *pt;
	json_t *knee = json_object_get(g, "knee");
	json_t *above = json_object_get(g, "above");
	size_t i, n;

	*kx = *ky = NAN;
	if (!g) {
		snprintf(why, len, "no knee: no slo");
		return false;
	}
	if (!json_is_integer(knee))
		n = snprintf(why, len, "knee below the lowest rate");
	else if (json_is_integer(above))
		n = snprintf(why, len, "knee %lld req/s, fails at %lld",
			     (long long)json_integer_value(knee),
			     (long long)json_integer_value(above));
	else
		n = snprintf(why, len,
			     "knee %lld req/s or more (held at every rate)",
			     (long long)json_integer_value(knee));
	/* the knee code's rule says which way the rates were out of order */
	if (json_array_size(json_object_get(g, "failed_below")) && n < len)
		snprintf(why + n, len - n, "; failed below it too");
	else if (json_is_true(json_object_get(g, "nonmonotone")) && n < len)
		snprintf(why + n, len - n, "; met again above");
	json_array_foreach(json_object_get(g, "points"), i, pt)
	{
		if (json_is_integer(knee) &&
		    json_integer_value(json_array_get(pt, 0)) ==
			    json_integer_value(knee)) {
			*kx = (double)json_integer_value(knee);
			*ky = json_number_value(json_array_get(pt, 1)) / 1e3;
		}
	}
	return isfinite(*ky);
}

/* The target of r's slo as a line title; its bound in us. */
static void hk_target(struct hockey *h, const json_t *r)
{
	const char *slo = ju_str(json_object_get(r, "params"), "slo");
	char t[128], why[256];
	uint64_t ns;
	double q;

	if (!slo || kerf_slo_parse(slo, &q, &ns, why, sizeof(why)))
		return;
	if (ns >= 1000000)
		snprintf(t, sizeof(t), "target: p%g <= %g ms", q * 100,
			 (double)ns / 1e6);
	else
		snprintf(t, sizeof(t), "target: p%g <= %g us", q * 100,
			 (double)ns / 1e3);
	json_object_set_new(h->targets, t, json_real((double)ns / 1e3));
}

/*
 * The data: one block per line (rate p50 p99 p99.9 sent client label, us),
 * then one block of knees (rate latency colour). Each line's title, with
 * its knee, into titles.
 */
static void hk_data(struct hockey *h, FILE *dat, char (*titles)[400])
{
	struct hk_pt *pts = calloc(h->fr->n, sizeof(*pts));
	const char *lk;
	json_t *lv;
	int li = 0, k = 0;
	char knees[64][96];

	json_object_foreach(h->lines, lk, lv)
	{
		const json_t *r =
			h->fr->v[json_integer_value(json_array_get(lv, 0))].r;
		int run = atoi(lk);
		size_t j, n = pts ? hk_points(h, lv, pts) : 0;
		double kx, ky;
		char why[96];

		if (hk_knee(h, r, run, &kx, &ky, why, sizeof(why)) && k < 64)
			snprintf(knees[k++], sizeof(knees[0]), "%.17g %.17g %d",
				 kx, ky,
				 (int)strtol(rep_colours[li % REP_NCOLOURS] + 1,
					     NULL, 16));
		snprintf(titles[li], sizeof(titles[0]), "%s%s%.250s: %s",
			 h->rep->nruns > 1 ? h->rep->names[run] : "",
			 h->rep->nruns > 1 ? " " : "", strchr(lk, '\t') + 1,
			 why);
		rep_gp_clean(titles[li]);
		fprintf(dat, "# line %d: ", li);
		kerf_put_term(dat, lk);
		fprintf(dat, "\n# offered p50_us p99_us p99.9_us sent "
			     "client_bound label\n");
		for (j = 0; j < n; j++) {
			fprintf(dat, "%.17g %.17g %.17g %.17g %.17g %d ",
				pts[j].x, pts[j].p50, pts[j].p99, pts[j].p999,
				pts[j].sent, pts[j].client);
			kerf_put_gp_datum(dat, ju_str(r, "bench"));
			fputc('\n', dat);
		}
		fprintf(dat, "\n\n");
		li++;
	}
	fprintf(dat, "# knees: rate latency_at_target_us colour\n");
	for (li = 0; li < k; li++)
		fprintf(dat, "%s\n", knees[li]);
	h->any_knee = k > 0;
	free(pts);
}

/* One line's latencies: p99 solid with points (hollow: client-bound). */
static void hk_plot_line(FILE *gp, const char *stem, int li, const char *t)
{
	const char *c = rep_colours[li % REP_NCOLOURS];
	char q[900];

	fprintf(gp,
		"%s\"%s.dat\" index %d using 1:3 with lines lc rgb \"%s\" "
		"lw 2 title %s, \\\n"
		"  \"%s.dat\" index %d using 1:2 with lines lc rgb \"%s\" "
		"dt 3 notitle, \\\n"
		"  \"%s.dat\" index %d using 1:4 with lines lc rgb \"%s\" "
		"dt 2 notitle, \\\n"
		"  \"%s.dat\" index %d using 1:($6 > 0 ? 1/0 : $3) with points "
		"lc rgb \"%s\" pt 7 ps 0.8 notitle, \\\n"
		"  \"%s.dat\" index %d using 1:($6 > 0 ? $3 : 1/0) with points "
		"lc rgb \"%s\" pt 6 ps 1.3 notitle",
		li ? ", \\\n  " : "", stem, li, c, kerf_esc_gp(q, sizeof(q), t),
		stem, li, c, stem, li, c, stem, li, c, stem, li, c);
}

static void hk_plot(struct hockey *h, const char *stem, char (*titles)[400],
		    FILE *gp)
{
	int li, nl = json_object_size(h->lines);
	const char *tk;
	json_t *tv;
	char q[300];

	fprintf(gp,
		"set logscale xy\n"
		"set xlabel 'offered rate (req/s, log scale)'\n"
		"set ylabel 'latency from the intended send (us, log scale)'\n"
		"set key outside bottom center vertical\n"
		"plot ");
	for (li = 0; li < nl; li++)
		hk_plot_line(gp, stem, li, titles[li]);
	fprintf(gp,
		", \\\n  NaN with lines lc rgb \"#555555\" dt 3 title 'p50'"
		", \\\n  NaN with lines lc rgb \"#555555\" dt 2 title 'p99.9'"
		", \\\n  NaN with lines lc rgb \"#555555\" lw 2 title 'p99'");
	if (h->any_client)
		fprintf(gp, ", \\\n  NaN with points lc rgb \"#555555\" pt 6 "
			    "ps 1.3 title 'hollow: client-bound (the client, "
			    "not the server, set the rate)'");
	json_object_foreach(h->targets, tk, tv)
		fprintf(gp,
			", \\\n  %.17g with lines lc rgb \"#d62728\" dt 4 lw 2 "
			"title %s",
			json_real_value(tv), kerf_esc_gp(q, sizeof(q), tk));
	if (h->any_knee)
		fprintf(gp,
			", \\\n  \"%s.dat\" index %d using 1:2:3 with points "
			"lc rgb variable pt 12 ps 2.5 lw 2 title 'knee: the "
			"highest rate meeting the target', \\\n"
			"  \"%s.dat\" index %d using 1:2:(sprintf('knee %%d', $1)) "
			"with labels offset 0,1.5 notitle",
			stem, nl, stem, nl);
	fprintf(gp, "\n");
}

/* The rate sent against the rate offered, with sent = offered. */
static int hk_plot_sent(struct hockey *h, const char *fam, char (*titles)[400])
{
	struct report *rep = h->rep;
	int id, li = 0, ret, height = HK_SENT_H;
	char title[256], hint[160], q[900];
	const char *lk, *stem;
	json_t *lv;
	FILE *gp, *dat;

	snprintf(title, sizeof(title),
		 "%s: requests sent against offered (open loop; hollow: "
		 "client-bound)",
		 fam);
	snprintf(hint, sizeof(hint), "%s-hockey-sent", fam);
	height += 18 * ((int)json_object_size(h->lines) + 2);
	id = rep_plot_new(rep, hint, title);
	ret = id < 0 ? id : rep_plot_open(rep, id, HK_W, height, &gp, &dat);
	if (ret)
		return ret;
	stem = rep->plots[id].stem;
	/* the latency plot's data again: each plot has its own file */
	hk_data(h, dat, titles);
	fprintf(gp, "set logscale xy\n"
		    "set xlabel 'offered rate (req/s, log scale)'\n"
		    "set ylabel 'sent rate (req/s, log scale)'\n"
		    "set key outside bottom center vertical\n"
		    "plot ");
	json_object_foreach(h->lines, lk, lv)
	{
		const char *c = rep_colours[li % REP_NCOLOURS];
		char t[400];

		snprintf(t, sizeof(t), "%s", strchr(lk, '\t') + 1);
		rep_gp_clean(t);
		fprintf(gp,
			"\"%s.dat\" index %d using 1:5 with lines "
			"lc rgb \"%s\" lw 2 title %s, \\\n"
			"  \"%s.dat\" index %d using 1:($6 > 0 ? 1/0 : $5) with "
			"points lc rgb \"%s\" pt 7 notitle, \\\n"
			"  \"%s.dat\" index %d using 1:($6 > 0 ? $5 : 1/0) with "
			"points lc rgb \"%s\" pt 6 ps 1.3 notitle, \\\n  ",
			stem, li, c, kerf_esc_gp(q, sizeof(q), t), stem, li, c,
			stem, li, c);
		li++;
	}
	/* last, so it shows over lines that follow it */
	fprintf(gp, "x with lines lc rgb \"#333333\" dt 2 lw 1.5 "
		    "title 'sent = offered'");
	if (h->any_client)
		fprintf(gp, ", \\\n  NaN with points lc rgb \"#555555\" pt 6 "
			    "ps 1.3 title 'hollow: client-bound'");
	fprintf(gp, "\n");
	return rep_plot_close(rep, id, HK_W, height, gp, dat);
}

/* The targets and whether any point is client-bound, before drawing. */
static void hk_scan(struct hockey *h)
{
	int i;

	for (i = 0; i < h->fr->n; i++) {
		const char *who = ju_str(json_object_get(h->fr->v[i].r, "info"),
					 "bottleneck");

		hk_target(h, h->fr->v[i].r);
		h->any_client |= who && !strcmp(who, "client");
	}
}

static int hk_draw(struct hockey *h, const char *fam)
{
	struct report *rep = h->rep;
	int nl = json_object_size(h->lines), id, ret, height;
	char(*titles)[400] = calloc(nl, sizeof(*titles));
	char title[256], hint[160];
	FILE *gp, *dat;

	if (!titles)
		return -ENOMEM;
	snprintf(title, sizeof(title),
		 "%s: latency against offered rate, open loop (p50 dotted, "
		 "p99 solid, p99.9 dashed; hollow: client-bound)",
		 fam);
	snprintf(hint, sizeof(hint), "%s-hockey", fam);
	hk_scan(h);
	/* room for the key under the plot: a row per entry */
	height = HK_H + 18 * (nl + 5 + h->any_client +
			      (int)json_object_size(h->targets));
	id = rep_plot_new(rep, hint, title);
	ret = id < 0 ? id : rep_plot_open(rep, id, HK_W, height, &gp, &dat);
	if (ret)
		goto out;
	hk_data(h, dat, titles);
	hk_plot(h, rep->plots[id].stem, titles, gp);
	ret = rep_plot_close(rep, id, HK_W, height, gp, dat);
	if (!ret)
		ret = hk_plot_sent(h, fam, titles);
out:
	free(titles);
	return ret;
}

/* A line sweeps the rate: two offered rates or more. */
static bool hk_sweeps(const struct hockey *h)
{
	const char *lk;
	json_t *lv, *ix;
	size_t j;

	json_object_foreach(h->lines, lk, lv)
	{
		double x0 = NAN;

		json_array_foreach(lv, j, ix)
		{
			double x = hk_metric(h->fr->v[json_integer_value(ix)].r,
					     "rate_offered");

			if (isnan(x0))
				x0 = x;
			else if (x != x0)
				return true;
		}
	}
	return false;
}

int rep_plot_hockey(struct report *rep, const char *fam, const struct rlist *fr)
{
	struct hockey h = {
		.rep = rep,
		.lines = json_object(),
		.targets = json_object(),
		.calc = calloc(rep->nruns, sizeof(json_t *)),
	};
	struct rlist open = { .v = calloc(fr->n, sizeof(*open.v)) };
	int ret = -ENOMEM, i;

	/* labels from the params that vary among the open-load results */
	for (i = 0; open.v && i < fr->n; i++)
		if (hk_member(fr->v[i].r))
			open.v[open.n++] = fr->v[i];
	h.fr = &open;
	if (h.lines && h.targets && h.calc && open.v) {
		hk_group(&h);
		ret = hk_sweeps(&h) ? hk_draw(&h, fam) : 0;
	}
	for (i = 0; h.calc && i < rep->nruns; i++)
		json_decref(h.calc[i]);
	free(h.calc);
	free(open.v);
	json_decref(h.lines);
	json_decref(h.targets);
	return ret;
}
