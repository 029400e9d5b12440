/* SPDX-License-Identifier: MIT */
/* Horizontal bars: a family's unswept results, one bar per result and run, with the median's interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "report/report.h"

/* What a bars plot holds: one slot per bench and params, across the runs. */
struct bars {
	const struct rlist *fr;
	const char *unit;
	const json_t *benches; /* the benches drawn as bars */
	json_t *slots; /* rep_key -> slot */
	int nslots;
	char (*labels)[160];
	double *pos;
};

/* The result belongs on this plot, with its median. */
static bool bars_wants(const struct bars *b, const json_t *r, double *m,
		       double *lo, double *hi)
{
	return json_object_get(b->benches, ju_str(r, "bench")) &&
	       !strcmp(ju_str(r, "unit") ? ju_str(r, "unit") : "", b->unit) &&
	       rep_median(r, m, lo, hi);
}

static void bars_slots(struct bars *b)
{
	int i;

	for (i = 0; i < b->fr->n; i++) {
		char key[512];
		double m, lo, hi;

		if (!bars_wants(b, b->fr->v[i].r, &m, &lo, &hi))
			continue;
		rep_key(b->fr->v[i].r, key, sizeof(key));
		if (!json_object_get(b->slots, key))
			json_object_set_new(b->slots, key,
					    json_integer(b->nslots++));
	}
}

/* One block of the data file per run: y median ci_lo ci_hi. */
static void bars_data(const struct report *rep, struct bars *b, FILE *dat,
		      double bh)
{
	int i, run;

	for (run = 0; run < rep->nruns; run++) {
		fprintf(dat, "# run %s: y median ci_lo ci_hi\n",
			rep->names[run]);
		for (i = 0; i < b->fr->n; i++) {
			const json_t *r = b->fr->v[i].r;
			char key[512], p[400];
			json_t *slot;
			double m, lo, hi, y;
			int s;

			if (b->fr->v[i].run != run)
				continue;
			rep_key(r, key, sizeof(key));
			slot = json_object_get(b->slots, key);
			if (!slot || !bars_wants(b, r, &m, &lo, &hi))
				continue;
			s = json_integer_value(slot);
			/* first result on top */
			b->pos[s] = b->nslots - 1 - s;
			rep_vary_label(b->fr, r, NULL, false, p, sizeof(p));
			snprintf(b->labels[s], sizeof(b->labels[s]),
				 "%.60s%s%.98s",
				 rep_variant_of(ju_str(r, "bench")),
				 p[0] ? " " : "", p);
			rep_gp_clean(b->labels[s]);
			y = b->pos[s] + (rep->nruns - 1) * bh / 2 - run * bh;
			fprintf(dat, "%g %.17g %.17g %.17g\n", y, m, lo, hi);
		}
		fprintf(dat, "\n\n");
	}
}

static void bars_script(const struct report *rep, const struct bars *b, int id,
			FILE *gp, double bh)
{
	char xl[300], q[700];
	int run;

	rep_gp_tics(gp, "ytics", b->labels, b->pos, b->nslots, "nomirror");
	snprintf(xl, sizeof(xl),
		 "%.200s (bar: median; whiskers: its 95%% interval)", b->unit);
	fprintf(gp,
		"set yrange [-0.6:%g]\n"
		"set xrange [0:*]\n"
		"set xlabel %s\n"
		"set grid xtics noytics\n"
		"set rmargin 6\n"
		"set style fill solid 0.75 border rgb \"#333333\"\n"
		"set key %s\n",
		b->nslots - 0.4, kerf_esc_gp(q, sizeof(q), xl),
		rep->nruns > 1 ? "outside top horizontal" : "off");
	fprintf(gp, "plot ");
	for (run = 0; run < rep->nruns; run++)
		rep_gp_hbars(gp, rep->plots[id].stem, run, 0, bh * 0.45,
			     rep_colours[run % REP_NCOLOURS], rep->names[run],
			     !run);
	fprintf(gp, "\n");
}

int rep_plot_bars(struct report *rep, const char *fam, const char *unit,
		  const struct rlist *fr, const json_t *barbench)
{
	struct bars b = { .fr = fr, .unit = unit, .benches = barbench };
	char title[256], hint[160];
	int id, w = 900, h, ret = 0;
	double bh = 0.8 / rep->nruns;
	FILE *gp, *dat;

	b.slots = json_object();
	bars_slots(&b);
	if (!b.nslots)
		goto out;
	snprintf(title, sizeof(title), "%s: median with 95%% interval (%s)",
		 fam, unit);
	snprintf(hint, sizeof(hint), "%s-bars-%s", fam, unit);
	id = rep_plot_new(rep, hint, title);
	h = 110 + b.nslots * (rep->nruns > 1 ? 16 * rep->nruns + 8 : 26);
	h = h < 220 ? 220 : h;
	if (id < 0 || (ret = rep_plot_open(rep, id, w, h, &gp, &dat))) {
		ret = id < 0 ? id : ret;
		goto out;
	}
	b.labels = calloc(b.nslots, sizeof(*b.labels));
	b.pos = calloc(b.nslots, sizeof(*b.pos));
	bars_data(rep, &b, dat, bh);
	bars_script(rep, &b, id, gp, bh);
	ret = rep_plot_close(rep, id, w, h, gp, dat);
out:
	free(b.labels);
	free(b.pos);
	json_decref(b.slots);
	return ret;
}
