/* SPDX-License-Identifier: MIT */
/* kerf ab: two arms measured round by round, interleaved; then the gate. */
#ifndef KERF_AB_H
#define KERF_AB_H

#include <stdbool.h>

#include "runner.h"

/* How arm A differs from arm B. */
enum ab_mode { AB_NONE, AB_PARAM, AB_SETUP, AB_KERF };

/* What kerf ab was asked, checked for form (cmd/ab.c). */
struct ab_opts {
	struct runner_opts run; /* the plan, profile, rounds, seed, ... */
	enum ab_mode mode;
	const char *arm[2]; /* per arm: NAME=V, a shell command or a kerf */
	const char *restore; /* NULL, or the command that undoes a setup */
	const char *out; /* NULL: results/<UTC time>-<host> */
	int fmt; /* 0 text, 1 md, 2 json */
	double threshold, alpha; /* percent; threshold < 0: the gate's */
};

/* Run both arms and compare them. Returns kerf compare's exit status,
 * 2 for bad input or a failed setup or restore, 128 + signal. */
int ab_main(struct ab_opts *o, int argc, char **argv);

#endif
