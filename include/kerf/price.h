/* SPDX-License-Identifier: MIT */
/* kerf price: a workload's system call profile costed with a run's benches. */
#ifndef KERF_PRICE_H
#define KERF_PRICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Bounds on a profile file: it is hostile input. */
#define KERF_PROFILE_MAX_BYTES (4 << 20)
#define KERF_PROFILE_MAX_LINE 1024
#define KERF_PROFILE_MAX_CALLS 1024
#define KERF_PROFILE_MAX_COUNT 1e15
#define KERF_PROFILE_NAME_MAX 64

struct kerf_profile_call {
	char name[KERF_PROFILE_NAME_MAX]; /* [a-z0-9_], checked */
	double count;
	double bytes; /* total bytes moved, 0 when the profile has none */
};

struct kerf_profile {
	char path[256];
	const char *format; /* "strace", "perf-trace", "csv" */
	struct kerf_profile_call *calls;
	int ncalls;
	double total; /* calls, all names */
};

/*
 * Read a profile: `strace -c` or `strace -c -f` (several tables are
 * summed), `perf trace -s` (the threads are summed) or a CSV of
 * syscall,count[,bytes] (# comments, an optional header). On bad input
 * returns -EINVAL with "FILE:LINE: what" in err; other errors a negative
 * errno. Counts only: the times in the file are never read.
 */
int kerf_profile_load(const char *path, struct kerf_profile *pr, char *err,
		      size_t errlen);
void kerf_profile_free(struct kerf_profile *pr);

/* How a call was priced. */
enum kerf_price_how {
	KERF_PRICE_DIRECT, /* its own bench */
	KERF_PRICE_PROXY, /* a bench of a similar call (said in note) */
	KERF_PRICE_INCLUDED, /* counted in another call's bench: 0 */
	KERF_PRICE_NONE, /* no bench in the catalogue, or none in the run */
};

struct kerf_price_line {
	const char *name; /* the profile's */
	double count;
	enum kerf_price_how how;
	char key[160]; /* the result used: "call/read{on=file,size=4K}" */
	char note[160];
	double ns, lo, hi; /* per call, with the result's ci95 */
	double unit_ns; /* per unit of work: count / per * ns */
	double share; /* of the priced kernel time */
};

struct kerf_price {
	const char *run_path;
	char host[64]; /* sanitised by kerf_price_label() */
	double per; /* units of work in the profile */
	struct kerf_price_line *lines;
	int nlines;
	double unit_ns, unit_lo, unit_hi; /* kernel time per unit of work */
	double unpriced_calls, unpriced_share; /* of the calls counted */
	double ceiling, ceiling_lo, ceiling_hi; /* units per second per core */
};

/*
 * A user's mapping, "NAME=BENCH" or "NAME=BENCH{k=v,...}", replacing the
 * default for NAME; bytes=N among the k=v prices a sized call at N bytes
 * when the profile has no byte counts. Returns 0, or -EINVAL with a
 * message in err.
 */
struct kerf_price_map {
	char name[KERF_PROFILE_NAME_MAX];
	char bench[64];
	char params[128]; /* "k=v,k2=v2" */
	double bytes; /* bytes=N, 0 without */
};
int kerf_price_map_parse(const char *s, struct kerf_price_map *m, char *err,
			 size_t errlen);

/* Price pr with the results of run. Returns 0 or a negative errno. */
int kerf_price_compute(const struct kerf_profile *pr, const json_t *run,
		       const char *run_path, const struct kerf_price_map *maps,
		       int nmaps, double per, struct kerf_price *out);
void kerf_price_free(struct kerf_price *p);

/*
 * The benches a profile's calls are priced with (at most max, each once);
 * returns the count.
 */
int kerf_price_needs(const struct kerf_profile *const *prs, int nprs,
		     const struct kerf_price_map *maps, int nmaps,
		     const char **benches, int max);

/* Measure benches with kerf run --quick into DIR/run.json; 0 when written. */
int kerf_price_measure(const char *const *benches, int n, const char *dir,
		       char *err, size_t errlen);

/* Printers: text (a terminal table), md (Markdown), json (kerf.price/1). */
void kerf_price_print(FILE *f, const char *format,
		      const struct kerf_profile *pr,
		      const struct kerf_price *prices, int nprices);
json_t *kerf_price_json(const struct kerf_profile *pr,
			const struct kerf_price *prices, int nprices);

/*
 * DIR/index.html and DIR/price.svg: kernel time per unit of work by call,
 * one bar group per run. Returns 0, 1 when the page was written but not
 * the plot (gnuplot missing or failing: the reason in err), or a negative
 * errno with err.
 */
int kerf_price_report(const char *dir, const struct kerf_profile *pr,
		      const struct kerf_price *prices, int nprices, char *err,
		      size_t errlen);

/* Text safe anywhere (terminal, Markdown, HTML, gnuplot): [A-Za-z0-9._/{}=,-]. */
void kerf_price_label(const char *s, char *buf, size_t len);

/* Escapers for strings that go into a gnuplot script and into HTML. */
void kerf_price_gp_quote(FILE *f, const char *s);
void kerf_price_html_esc(FILE *f, const char *s);

#endif
