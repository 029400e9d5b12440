/* SPDX-License-Identifier: MIT */
/* Stacked bars of results made of parts: a result whose info "parts" names the metrics that tile its total (container/start) gets one bar, stacked part by part. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "report/report.h"

#define PARTS_W 900
#define PARTS_MAX 16 /* parts drawn of one result */

/* The part names of r (info.parts, "a,b,c"), into names; how many. */
static int parts_of(const json_t *r, char names[][64], int max)
{
	const char *list = ju_str(json_object_get(r, "info"), "parts");
	int n = 0;

	while (list && *list && n < max) {
		size_t l = strcspn(list, ",");

		snprintf(names[n++], 64, "%.*s", (int)(l < 63 ? l : 63), list);
		list += l + (list[l] == ',');
	}
	return n;
}

/* A part's value in ms, from the result's metrics (NaN when absent). */
static double parts_ms(const json_t *r, const char *name)
{
	double v;

	if (!ju_num(json_object_get(json_object_get(r, "metrics"), name),
		    "value", &v))
		return NAN;
	return v / 1e6;
}

int rep_plot_parts(struct report *rep, const char *fam, const struct rlist *fr)
{
	char names[PARTS_MAX][64], label[256], title[256], q[600];
	int n = 0, i, j, k, nbars = 0, id, ret;
	FILE *gp, *dat;

	for (i = 0; i < fr->n && !n; i++)
		n = parts_of(fr->v[i].r, names, PARTS_MAX);
	if (!n)
		return 0;
	snprintf(title, sizeof(title), "%s: where the time goes, part by part",
		 fam);
	snprintf(label, sizeof(label), "%s-parts", fam);
	id = rep_plot_new(rep, label, title);
	if (id < 0)
		return id;
	ret = rep_plot_open(rep, id, PARTS_W, 420, &gp, &dat);
	if (ret)
		return ret;
	fprintf(dat, "# result, then each part in ms\n");
	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		char lab[200], params[160];

		if (parts_of(r, names, PARTS_MAX) != n)
			continue;
		rep_vary_label(fr, r, NULL, false, params, sizeof(params));
		snprintf(lab, sizeof(lab), "%s%s%s%s%s", ju_str(r, "bench"),
			 params[0] ? " " : "", params,
			 rep->nruns > 1 ? " " : "",
			 rep->nruns > 1 ? rep->names[fr->v[i].run] : "");
		kerf_put_gp_datum(dat, lab);
		for (k = 0; k < n; k++) {
			double v = parts_ms(r, names[k]);

			fprintf(dat, " %.6g", isfinite(v) ? v : 0);
		}
		fputc('\n', dat);
		nbars++;
	}
	fprintf(gp, "set style data histograms\n"
		    "set style histogram rowstacked\n"
		    "set style fill solid 0.85 border -1\n"
		    "set boxwidth 0.6\n"
		    "set ylabel 'ms (mean per start)'\n"
		    "set yrange [0:*]\n"
		    "set xtics noenhanced\n"
		    "set key outside right top vertical noenhanced\n"
		    "set rmargin 18\n"
		    "plot ");
	for (j = 0; j < n; j++)
		fprintf(gp, "%s\"%s.dat\" using %d%s lc rgb \"%s\" title %s",
			j ? ", \\\n  " : "", rep->plots[id].stem, j + 2,
			j ? "" : ":xtic(1)", rep_colours[j % REP_NCOLOURS],
			kerf_esc_gp(q, sizeof(q), names[j]));
	fprintf(gp, "\n");
	if (!nbars)
		fprintf(gp, "# no result with all its parts\n");
	return rep_plot_close(rep, id, PARTS_W, 420, gp, dat);
}
