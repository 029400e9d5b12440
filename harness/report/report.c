/* SPDX-License-Identifier: MIT */
/* kerf report's core: the families of the runs, which plot each bench gets, then the page (kerf_report_write). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/report.h"
#include "report/report.h"

static void report_family_of(const char *bench, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(bench, "/"), bench);
}

static int report_rlist_add(struct rlist *l, const json_t *r, int run)
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
static int report_family_results(const struct report *rep, const char *fam,
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
			report_family_of(b, f, sizeof(f));
			if (strcmp(f, fam))
				continue;
			ret = report_rlist_add(out, r, i);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * How a bench's results are drawn: as vdso pairs, swept over xkey (numbers,
 * 2 values or more), or plain bars.
 */
enum shape { SHAPE_BARS, SHAPE_SWEEP, SHAPE_PAIRS };

static enum shape report_shape(const struct rlist *fr, const char *bench,
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
		    !rep_median(r, &med, &lo, &hi))
			continue;
		json_object_foreach(json_object_get(r, "params"), k, v)
		{
			char num[64];
			const char *t = rep_param_text(r, k, num, sizeof(num));
			json_t *set = json_object_get(vals, k);

			if (!set) {
				set = json_object();
				json_object_set_new(vals, k, set);
				json_object_set_new(numeric, k, json_true());
			}
			json_object_set_new(set, t ? t : "", json_true());
			if (!rep_value_num(t, &x))
				json_object_set_new(numeric, k, json_false());
		}
	}
	if (rep_vdso_varies(vals)) {
		sh = SHAPE_PAIRS;
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

/* Sweeps drawn now; the benches for bars and for pairs sorted out. */
/* One more bench sweeping xkey. */
static void report_count_sweep(json_t *sweeps, const char *xkey)
{
	json_object_set_new(
		sweeps, xkey,
		json_integer(json_integer_value(json_object_get(sweeps, xkey)) +
			     1));
}

static int report_shapes(struct report *rep, const struct rlist *fr,
			 json_t *bars, json_t *pairbench)
{
	json_t *benches = json_object(), *sweeps = json_object(), *v;
	const char *b, *fam = ju_str(fr->v[0].r, "bench");
	char famname[128];
	int i, ret = 0;

	for (i = 0; i < fr->n; i++)
		json_object_set_new(benches, ju_str(fr->v[i].r, "bench"),
				    json_true());
	json_object_foreach(benches, b, v)
	{
		char xkey[128];

		switch (report_shape(fr, b, xkey, sizeof(xkey))) {
		case SHAPE_PAIRS:
			json_object_set_new(pairbench, b, json_true());
			break;
		case SHAPE_SWEEP:
			ret = rep_plot_sweep(rep, b, xkey, fr, NULL);
			if (!ret)
				ret = rep_sweep_metrics(rep, b, xkey, fr);
			/* Benches of the family sweeping the same parameter:
			 * also one plot of them together (epoll against
			 * io_uring). */
			if (!ret)
				report_count_sweep(sweeps, xkey);
			break;
		case SHAPE_BARS:
			json_object_set_new(bars, b, json_true());
			break;
		}
		if (ret)
			break;
	}
	snprintf(famname, sizeof(famname), "%.*s", (int)strcspn(fam, "/"), fam);
	json_object_foreach(sweeps, b, v)
	{
		if (!ret && json_integer_value(v) >= 2)
			ret = rep_plot_family_sweep(rep, famname, b, fr);
	}
	json_decref(sweeps);
	json_decref(benches);
	return ret;
}

/* The units of the benches in SET: one plot per unit. */
static json_t *report_units(const struct rlist *fr, const json_t *set)
{
	json_t *units = json_object();
	int i;

	for (i = 0; i < fr->n; i++) {
		const json_t *r = fr->v[i].r;
		double m, lo, hi;

		if (rep_median(r, &m, &lo, &hi) &&
		    json_object_get(set, ju_str(r, "bench")))
			json_object_set_new(units, ju_str(r, "unit") ?: "",
					    json_true());
	}
	return units;
}

/* Make every plot of one family; the pair benches go into pairbench. */
static int report_family_plots(struct report *rep, const char *fam,
			       const struct rlist *fr, json_t *pairbench)
{
	json_t *bars = json_object(), *units = NULL, *pairunits = NULL, *v;
	const char *u;
	int i, ret;

	ret = report_shapes(rep, fr, bars, pairbench);
	if (ret)
		goto out;
	units = report_units(fr, bars);
	pairunits = report_units(fr, pairbench);
	json_object_foreach(pairunits, u, v)
	{
		ret = rep_plot_vdso(rep, fam, u, fr, pairbench);
		if (ret)
			goto out;
	}
	json_object_foreach(units, u, v)
	{
		ret = rep_plot_bars(rep, fam, u, fr, bars);
		if (ret)
			goto out;
	}
	for (i = 0; i < fr->n; i++) {
		if (json_is_object(json_object_get(fr->v[i].r, "timeline"))) {
			ret = rep_plot_timeline(rep, fr->v[i].r, fr->v[i].run);
			if (!ret)
				ret = rep_plot_probe(rep, fr->v[i].r,
						     fr->v[i].run);
			if (ret)
				goto out;
		}
	}
	ret = rep_plot_parts(rep, fam, fr);
	if (!ret)
		ret = rep_plot_hockey(rep, fam, fr);
out:
	json_decref(bars);
	json_decref(units);
	json_decref(pairunits);
	return ret;
}

/* The runs' labels and their families, in order of appearance. */
static int report_init(struct report *rep, const char *const *names)
{
	json_t *seen = json_object(), *r;
	size_t j;
	int i;

	rep->names = calloc(rep->nruns, sizeof(*rep->names));
	rep->stems = json_object();
	rep->fams = json_array();
	rep->pairs = json_array();
	if (!rep->names) {
		json_decref(seen);
		return -ENOMEM;
	}
	for (i = 0; i < rep->nruns; i++) {
		if (names && names[i])
			snprintf(rep->names[i], sizeof(rep->names[i]), "%s",
				 names[i]);
		else
			snprintf(rep->names[i], sizeof(rep->names[i]), "run%d",
				 i + 1);
		rep_gp_clean(rep->names[i]);
		json_array_foreach(json_object_get(rep->runs[i], "results"), j,
				   r)
		{
			char fam[128];

			if (!ju_str(r, "bench"))
				continue;
			report_family_of(ju_str(r, "bench"), fam, sizeof(fam));
			if (!json_object_get(seen, fam)) {
				json_object_set_new(seen, fam, json_true());
				json_array_append_new(rep->fams,
						      json_string(fam));
			}
		}
	}
	json_decref(seen);
	return 0;
}

/* plots/, and gnuplot looked for on PATH. */
static int report_plotdir(struct report *rep, char *err, size_t errlen)
{
	int ret;

	if (snprintf(rep->plotdir, sizeof(rep->plotdir), "%s/plots",
		     rep->dir) >= (int)sizeof(rep->plotdir)) {
		snprintf(err, errlen, "%s: %s", rep->dir,
			 strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	ret = kerf_out_mkdirs(rep->dir, err, errlen);
	if (!ret)
		ret = kerf_out_mkdirs(rep->plotdir, err, errlen);
	if (ret)
		return ret;
	if (snprintf(rep->workdir, sizeof(rep->workdir), "%s/.work-XXXXXX",
		     rep->plotdir) >= (int)sizeof(rep->workdir) ||
	    !mkdtemp(rep->workdir)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", rep->workdir, strerror(errno));
		rep->workdir[0] = '\0';
		return ret ? ret : -ENAMETOOLONG;
	}
	if (kerf_gnuplot_find(rep->gnuplot, sizeof(rep->gnuplot)))
		rep->gnuplot[0] = '\0';
	return 0;
}

/* Every family's plots, then the comparison's. */
static int report_plots(struct report *rep, char *err, size_t errlen)
{
	size_t j, nf = json_array_size(rep->fams);
	int ret = 0;

	rep->fps = calloc(nf + 1, sizeof(*rep->fps));
	rep->frs = calloc(nf + 1, sizeof(*rep->frs));
	if (!rep->fps || !rep->frs)
		ret = -ENOMEM;
	for (j = 0; !ret && j < nf; j++) {
		const char *fam =
			json_string_value(json_array_get(rep->fams, j));
		json_t *pb = json_object();

		json_array_append_new(rep->pairs, pb);
		ret = report_family_results(rep, fam, &rep->frs[j]);
		rep->fps[j].first = rep->nplots;
		if (!ret)
			ret = report_family_plots(rep, fam, &rep->frs[j], pb);
		rep->fps[j].count = rep->nplots - rep->fps[j].first;
	}
	if (ret) {
		snprintf(err, errlen, "%s: writing plots: %s", rep->plotdir,
			 strerror(-ret));
		return ret;
	}
	if (rep->nruns < 2)
		return 0;
	rep->ncmp = rep_verdicts(rep->runs, rep->nruns, &rep->cmps);
	if (rep->ncmp < 0) {
		ret = rep->ncmp;
		rep->ncmp = 0;
		snprintf(err, errlen, "comparing the runs: %s", strerror(-ret));
		return ret;
	}
	ret = rep_plot_compare(rep);
	if (ret)
		snprintf(err, errlen, "%s: writing plots: %s", rep->plotdir,
			 strerror(-ret));
	return ret;
}

static void report_free(struct report *rep)
{
	size_t j;

	rep_plots_cleanup(rep);
	for (j = 0; rep->frs && j < json_array_size(rep->fams); j++)
		free(rep->frs[j].v);
	free(rep->frs);
	free(rep->fps);
	rep_verdicts_free(rep->cmps, rep->ncmp);
	free(rep->cmpplot);
	free(rep->plots);
	free(rep->names);
	json_decref(rep->stems);
	json_decref(rep->fams);
	json_decref(rep->pairs);
}

int kerf_report_write(json_t *const *runs, const char *const *names, int nruns,
		      const char *dir, char *err, size_t errlen)
{
	struct report rep = { .runs = runs, .nruns = nruns, .dir = dir };
	int ret;

	if (nruns < 1) {
		snprintf(err, errlen, "no run to report");
		return -EINVAL;
	}
	ret = report_init(&rep, names);
	if (ret) {
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	ret = report_plotdir(&rep, err, errlen);
	if (!ret)
		ret = report_plots(&rep, err, errlen);
	if (ret)
		goto out;
	if (rep.gnuplot[0])
		rep_gnuplot_all(&rep);
	else
		fprintf(stderr,
			"kerf report: gnuplot not found on PATH: writing the "
			"tables without plots (install it: apt-get install "
			"gnuplot-nox); scripts and data are in %s\n",
			rep.plotdir);
	ret = rep_plots_publish(&rep, err, errlen);
	if (!ret)
		ret = rep_html_page(&rep, err, errlen);
	if (!ret)
		ret = !rep.gnuplot[0] ? 1 : rep.plot_failures ? 2 : 0;
out:
	report_free(&rep);
	return ret;
}
