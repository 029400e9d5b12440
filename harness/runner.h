/* SPDX-License-Identifier: MIT */
/* A run of kerf run: prepare, the loop over the plan, finish; and its jobs. */
#ifndef KERF_RUNNER_H
#define KERF_RUNNER_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "harness.h"
#include "plan.h"

/* What kerf run was asked, checked for form only (cmd/run.c). */
struct runner_opts {
	int profile;
	char *patterns[256];
	int npat;
	struct plan_set sets[64];
	int nsets;
	const char *cpu; /* NULL or "auto": all allowed PUs */
	const char *out; /* NULL: results/<UTC time>-<host> */
	const char *tmpdir; /* NULL: $TMPDIR or /tmp */
	int procs, samples; /* 0: the profile's */
	uint64_t seed;
	bool have_seed;
	bool quiet; /* only the table at the end */
};

/* A run under way: how its jobs run, and run.json. */
struct runner {
	const char *self; /* the kerf binary, for the workers */
	const struct kerf_profile *prof;
	int procs, samples;
	int cpu; /* the PU of single-PU benches */
	json_t *allowed; /* the PUs kerf may use */
	const char *tmpdir;
	uint64_t seed;
	const char *out; /* the directory of run.json */
	json_t *run; /* run.json */
	uint64_t start;
	int failed; /* results with status "error" */
	bool quiet; /* only the table at the end */
	char selfbuf[PATH_MAX], outbuf[PATH_MAX];
};

/*
 * Check what needs the machine (PUs, --tmpdir, the binary), make run.json
 * with its env and config and write it a first time. argv is kerf run's,
 * recorded as the command. Returns 0 or an exit status (usage).
 */
int runner_prepare(struct runner *rn, struct runner_opts *o, int argc,
		   char **argv);
/* Run each job of the plan, rewriting run.json after each; stops early on
 * SIGINT or SIGTERM. */
void runner_loop(struct runner *rn, json_t *jobs);
/*
 * After the loop: the families' derived figures, run.json finished and
 * written, the table printed. Returns an exit status (128 + signal when
 * interrupted).
 */
int runner_finish(struct runner *rn);
void runner_free(struct runner *rn);

/* One job: every worker process of one result; the result object. */
json_t *job_run(const struct runner *rn, json_t *job, int index);
/* SIGINT and SIGTERM kill the running worker and stop the run. */
void job_catch_signals(void);
/* The signal that stopped the run, or 0. */
int job_interrupted(void);

/* "k=v k2=v2" of a job's or result's parameters. */
void kerf_params_text(const json_t *params, char *buf, size_t len);
/* The results table of kerf run: bench, params, median, CI, CV, unit. */
void kerf_print_table(const json_t *run, FILE *f);
/* Its pieces: column widths for rows (results or jobs: bench and params),
 * the header, one result's row. */
void kerf_table_widths(const json_t *rows, int *wb, int *wp);
void kerf_table_header(int wb, int wp, FILE *f);
void kerf_table_row(const json_t *r, int wb, int wp, FILE *f);
/*
 * Output as the run goes, where stdout is not a terminal and not --quiet
 * (progress.c): before job i of jobs, a line when its family starts; after
 * it, its result's row in the table's columns. On a terminal, nothing (the
 * progress line on stderr shows it).
 */
void kerf_progress_job(const struct runner *rn, const json_t *jobs, size_t i);
void kerf_progress_result(const struct runner *rn, const json_t *r);
/* What --dry-run prints: one line per job, then their number. */
void kerf_print_plan(const json_t *jobs, const char *profile, FILE *f);

#endif
