/* SPDX-License-Identifier: MIT */
/* What the pieces of kerf report share: the report being written, its plots, and each piece's entry point. */
#ifndef KERF_REPORT_REPORT_H
#define KERF_REPORT_REPORT_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "report/util.h"
#include "report/verdicts.h"

/* Tableau 10: distinct, readable, kind to colour-blind readers. */
#define REP_NCOLOURS 10
extern const char *const rep_colours[REP_NCOLOURS];

/* One result of one run. */
struct rref {
	const json_t *r;
	int run;
};

/* Results in the order they first appear across the runs. */
struct rlist {
	struct rref *v;
	int n, cap;
};

struct plot {
	char stem[128]; /* plots/STEM.{gp,dat,svg,png} */
	char title[256];
	bool made; /* gnuplot wrote both images */
};

/* The plots of one family: ids [first, first + count). */
struct famplots {
	int first, count;
};

struct report {
	json_t *const *runs;
	char (*names)[128];
	int nruns;
	const char *dir;
	char plotdir[PATH_MAX];
	char workdir[PATH_MAX]; /* plotdir/.work-XXXXXX: kerf's own, 0700 */
	char gnuplot[PATH_MAX]; /* empty when not found */
	char plot_err[512]; /* the first failure, for the page */
	int plot_failures;
	struct plot *plots;
	int nplots, cap;
	json_t *stems; /* stems in use */
	json_t *fams; /* family names, in order of appearance */
	struct rlist *frs; /* the results of each family */
	struct famplots *fps; /* the plots of each family */
	json_t *pairs; /* per family: the benches drawn as vdso pairs */
	struct rep_cmp *cmps; /* several runs: the gate's verdicts per run */
	int ncmp;
	int *cmpplot; /* per family: its comparison chart, or -1 */
};

/*
 * label.c: "k=v k2=v2" of the params of r that vary among the results of fr
 * with the same bench (same_bench) or family, leaving out skip.
 */
void rep_vary_label(const struct rlist *fr, const json_t *r, const char *skip,
		    bool same_bench, char *buf, size_t len);

/* gnuplot.c: a plot's files, and gnuplot run on them. */
int rep_plot_new(struct report *rep, const char *hint, const char *title);
int rep_plot_open(struct report *rep, int id, int w, int h, FILE **gp,
		  FILE **dat);
int rep_plot_close(struct report *rep, int id, int w, int h, FILE *gp,
		   FILE *dat);
void rep_gp_clean(char *s);
void rep_gp_tics(FILE *gp, const char *axis, char (*labels)[160],
		 const double *pos, int n, const char *extra);
void rep_gp_hbars(FILE *gp, const char *stem, int index, double base,
		  double half, const char *colour, const char *title,
		  bool first);
void rep_gnuplot_all(struct report *rep);
int rep_plots_publish(struct report *rep, char *err, size_t errlen);
void rep_plots_cleanup(struct report *rep);

/* bars.c, sweep.c, vdso.c, timeline.c, compare.c: one kind of plot each. */
int rep_plot_bars(struct report *rep, const char *fam, const char *unit,
		  const struct rlist *fr, const json_t *barbench);
int rep_plot_sweep(struct report *rep, const char *bench, const char *xkey,
		   const struct rlist *fr, const char *metric);
/* The benches of a family that sweep xkey, on one plot. */
int rep_plot_family_sweep(struct report *rep, const char *fam, const char *xkey,
			  const struct rlist *fr);
int rep_sweep_metrics(struct report *rep, const char *bench, const char *xkey,
		      const struct rlist *fr);
bool rep_vdso_varies(const json_t *vals);
int rep_plot_vdso(struct report *rep, const char *fam, const char *unit,
		  const struct rlist *fr, const json_t *pairbench);
int rep_plot_timeline(struct report *rep, const json_t *r, int run);
/* parts.c: a stacked bar of results whose info "parts" tiles them. */
int rep_plot_parts(struct report *rep, const char *fam, const struct rlist *fr);
/*
 * hockey.c: open-load results sweeping the rate (evloop load=open): latency
 * against offered rate per mechanism with the slo target and the knees,
 * and sent against offered (nothing when there is no such sweep).
 */
int rep_plot_hockey(struct report *rep, const char *fam,
		    const struct rlist *fr);
/* probe.c: a stressor's latency probe, when it ran (nothing otherwise). */
int rep_plot_probe(struct report *rep, const json_t *r, int run);
int rep_plot_compare(struct report *rep);
/* compare.c: the one way a string from a run goes into a gnuplot script. */
void rep_gp_str(FILE *gp, const char *s);

/* html.c, html_env.c, vdso.c, compare.c: the page and its sections. */
void rep_html_esc(FILE *f, const char *s);
void rep_html_printf(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rep_html_figure(FILE *f, const struct report *rep, int id);
void rep_html_row_head(FILE *f, const struct report *rep, const char *bench,
		       const char *params, int run);
void rep_html_env(FILE *f, const struct report *rep);
void rep_html_vdso(FILE *f, const struct report *rep, const struct rlist *fr,
		   const json_t *pairbench);
void rep_html_compare(FILE *f, const struct report *rep);
/* summary.c, cmptable.c: the comparison's summary and its family tables. */
void rep_html_summary(FILE *f, const struct report *rep);
extern const char rep_cmp_css[]; /* the verdicts' colours on the page */
void rep_cmp_label(const struct report *rep, const json_t *r, char *buf,
		   size_t len);
bool rep_cmp_in_family(const struct rep_cmp *c, size_t i, const char *fam);
void rep_html_cmptable(FILE *f, const struct report *rep, const char *fam,
		       int plot);
int rep_html_page(struct report *rep, char *err, size_t errlen);

#endif
