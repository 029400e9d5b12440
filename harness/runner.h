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
	int procs, samples; /* 0: the profile's (procs: split over rounds) */
	int rounds; /* 0: 1 */
	const char *self; /* NULL: this kerf; else the kerf whose workers run */
	json_t *arm; /* NULL, or kerf ab's config.arm (borrowed) */
	json_t *arm_params; /* NULL, or the arm's parameter (borrowed) */
	uint64_t seed;
	bool have_seed;
	bool quiet; /* only the table at the end */
};

/*
 * One option kerf run and kerf ab share, by its getopt letter: q (--quick),
 * F (--full), p, c (--cpu), t (--tmpdir), P (--procs), S (--samples),
 * r (--rounds), s (--seed). Returns 0, or a usage error naming cmd.
 */
int runner_opt(const char *cmd, int c, char *arg, struct runner_opts *o);
/* Their entries of getopt_long's table. */
/* clang-format off */
#define RUNNER_LONGOPTS \
	{ "quick", no_argument, NULL, 'q' }, \
	{ "full", no_argument, NULL, 'F' }, \
	{ "param", required_argument, NULL, 'p' }, \
	{ "cpu", required_argument, NULL, 'c' }, \
	{ "tmpdir", required_argument, NULL, 't' }, \
	{ "procs", required_argument, NULL, 'P' }, \
	{ "samples", required_argument, NULL, 'S' }, \
	{ "rounds", required_argument, NULL, 'r' }, \
	{ "seed", required_argument, NULL, 's' }
/* clang-format on */

/* A run under way: how its jobs run, and run.json. */
struct runner {
	const char *self; /* the kerf binary, for the workers */
	const struct kerf_profile *prof;
	int procs, samples; /* per round */
	int rounds;
	json_t *arm_params; /* NULL, or kerf ab's parameter of this arm */
	int cpu; /* the PU of single-PU benches */
	json_t *allowed; /* the PUs kerf may use */
	const char *tmpdir;
	uint64_t seed;
	const char *out; /* the directory of run.json */
	json_t *run; /* run.json */
	uint64_t start;
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
/*
 * The arms of a run: one for kerf run, A and B for kerf ab. Before each
 * result under arm k, enter(ctx, k) is called when set: not 0 stops the
 * rounds.
 */
struct runner_arms {
	struct runner *rn[2];
	int n;
	int (*enter)(void *ctx, int arm);
	void *ctx;
};

/*
 * Run every job of the plan under every arm, rounds times (the rounds of
 * arm 0). A round is one fresh random order of all (job, arm) items, seeded
 * from arm 0's seed; one arm and one round keep the plan's order. Each
 * arm's run.json is rewritten after each item; SIGINT or SIGTERM stops.
 * Returns 0, or what enter returned.
 */
int runner_rounds(struct runner_arms *arms, json_t *jobs);
/* Run each job of the plan, rewriting run.json after each; stops early on
 * SIGINT or SIGTERM. */
void runner_loop(struct runner *rn, json_t *jobs);
/*
 * After the loop: the families' derived figures, run.json finished and
 * written, the table printed. Returns an exit status (128 + signal when
 * interrupted).
 */
int runner_finish(struct runner *rn);
/*
 * runner_finish without printing: derived figures, "finished" (or
 * "interrupted"), the last write. Returns 0, KERF_EXIT_FAIL when a result
 * failed or the write did.
 */
int runner_close(struct runner *rn);
void runner_free(struct runner *rn);

/* One result of the plan, measured round after round (job.c). */
struct job_acc;
struct job_acc *job_acc_new(const struct runner *rn, const json_t *job);
/* Round rd of the result: fresh worker processes, rn->procs of them. */
void job_round(const struct runner *rn, struct job_acc *a, int rd);
/* Skipped or failed: no more rounds. */
bool job_acc_done(const struct job_acc *a);
/* The result object of the rounds so far; index seeds its bootstrap. */
json_t *job_result(const struct runner *rn, const struct job_acc *a, int index);
void job_acc_free(struct job_acc *a);
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
