/* SPDX-License-Identifier: MIT */
/* kerf ab: its options; the arms and the rounds are harness/ab.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"
#include "cli.h"
#include "kerf/gate.h"
#include "kerf/parse.h"

#define AB_ROUNDS 20 /* default rounds: the trimmed statistic starts there */

static void ab_help(void)
{
	printf("usage: kerf ab [PATTERN...] [--rounds R] [--quick|--full] [-p NAME=V]...\n"
	       "              (--a-param NAME=V --b-param NAME=V\n"
	       "               | --a-setup CMD --b-setup CMD [--restore CMD]\n"
	       "               | --a-kerf PATH --b-kerf PATH)\n"
	       "              [--out DIR] [--format text|md|json] [--threshold PCT]\n"
	       "              [--alpha A] [--cpu auto|LIST] [--tmpdir DIR] [--procs N]\n"
	       "              [--samples N] [--seed N]\n"
	       "\n"
	       "Measure the selected results under arm A and arm B, round after round:\n"
	       "each round runs every result under both arms in a fresh random order,\n"
	       "each in fresh worker processes. Writes DIR/a/run.json, DIR/b/run.json\n"
	       "(kerf.run/2) and DIR/compare.json (the gate, BASE a, NEW b); prints\n"
	       "the comparison.\n"
	       "\n"
	       "  --rounds R         rounds (1..1000, default %d)\n"
	       "  --a-param NAME=V   the arms run the benches at two values of one\n"
	       "  --b-param NAME=V   parameter (recorded in config.arm, not in the\n"
	       "                     result key, so the arms pair)\n"
	       "  --a-setup CMD      /bin/sh -c CMD puts the system in the arm's state;\n"
	       "  --b-setup CMD      run whenever the next result is the other arm's\n"
	       "  --restore CMD      run at the end, also after SIGINT or SIGTERM\n"
	       "  --a-kerf PATH      two kerf binaries: each arm's worker processes are\n"
	       "  --b-kerf PATH      that binary's (kerf __worker)\n"
	       "  --out DIR          default results/<UTC time>-<host>/\n"
	       "  --format F         text (default), md or json (kerf.compare)\n"
	       "  --threshold PCT    smallest change that counts (see kerf compare)\n"
	       "  --alpha A          significance level, 0 < A < 1\n"
	       "  others             as kerf run; --procs is per result, arm and round\n"
	       "                     (default: the profile's split over the rounds)\n"
	       "\n"
	       "Exit status: 0 no regression, 1 regression, 2 bad input or a setup or\n"
	       "restore command failed, 128+N stopped by signal N.\n",
	       AB_ROUNDS);
}

/* Both options of one way to switch arms; one way only. */
static int ab_arm(struct ab_opts *o, enum ab_mode m, int k, const char *v)
{
	if (o->mode != AB_NONE && o->mode != m)
		return kerf_usage_error(
			"ab",
			"one way of switching arms: --a-param/--b-param, --a-setup/--b-setup or --a-kerf/--b-kerf");
	if (!*v)
		return kerf_usage_error("ab", "an arm's value is empty");
	o->mode = m;
	o->arm[k] = v;
	return 0;
}

/* The options of kerf ab's own. */
static int ab_own_opt(int c, struct ab_opts *o)
{
	static const char *const fmts[] = { "text", "md", "json" };
	char buf[64];

	switch (c) {
	case 'A':
	case 'B':
		return ab_arm(o, AB_PARAM, c == 'B', optarg);
	case 'X':
	case 'Y':
		return ab_arm(o, AB_SETUP, c == 'Y', optarg);
	case 'K':
	case 'L':
		return ab_arm(o, AB_KERF, c == 'L', optarg);
	case 'R':
		o->restore = optarg;
		return 0;
	case 'o':
		if (!*optarg)
			return kerf_usage_error(
				"ab", "--out: the directory name is empty");
		o->out = optarg;
		return 0;
	case 'f':
		for (int i = 0; i < 3; i++)
			if (!strcmp(optarg, fmts[i])) {
				o->fmt = i;
				return 0;
			}
		return kerf_usage_error(
			"ab", "--format '%s': expected text, md or json",
			optarg);
	case 'T':
		snprintf(buf, sizeof(buf), "%s", optarg);
		if (buf[0] && buf[strlen(buf) - 1] == '%')
			buf[strlen(buf) - 1] = 0;
		if (kerf_parse_double(buf, &o->threshold) ||
		    !(o->threshold >= 0 && o->threshold < 100))
			return kerf_usage_error(
				"ab",
				"--threshold '%s': expected a percentage, 0 <= PCT < 100",
				optarg);
		return 0;
	case 'a':
		if (kerf_parse_double(optarg, &o->alpha) ||
		    !(o->alpha > 0 && o->alpha < 1))
			return kerf_usage_error(
				"ab",
				"--alpha '%s': expected a number with 0 < A < 1",
				optarg);
		return 0;
	}
	return runner_opt("ab", c, optarg, &o->run);
}

/* The arms given whole, --restore only with setups. */
static int ab_check(const struct ab_opts *o)
{
	if (o->mode == AB_NONE)
		return kerf_usage_error(
			"ab",
			"no arms: give --a-param/--b-param, --a-setup/--b-setup or --a-kerf/--b-kerf (see kerf ab --help)");
	if (!o->arm[0] || !o->arm[1]) {
		static const char *const f[4] = { "", "param", "setup",
						  "kerf" };

		return kerf_usage_error("ab", "arm %s is missing: give --%c-%s",
					o->arm[0] ? "B" : "A",
					o->arm[0] ? 'b' : 'a', f[o->mode]);
	}
	if (o->restore && o->mode != AB_SETUP)
		return kerf_usage_error(
			"ab", "--restore goes with --a-setup/--b-setup");
	return 0;
}

static int ab_parse(int argc, char **argv, struct ab_opts *o)
{
	static const struct option lopts[] = {
		RUNNER_LONGOPTS,
		{ "out", required_argument, NULL, 'o' },
		{ "a-param", required_argument, NULL, 'A' },
		{ "b-param", required_argument, NULL, 'B' },
		{ "a-setup", required_argument, NULL, 'X' },
		{ "b-setup", required_argument, NULL, 'Y' },
		{ "restore", required_argument, NULL, 'R' },
		{ "a-kerf", required_argument, NULL, 'K' },
		{ "b-kerf", required_argument, NULL, 'L' },
		{ "format", required_argument, NULL, 'f' },
		{ "threshold", required_argument, NULL, 'T' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	o->run.profile = 1;
	o->run.rounds = AB_ROUNDS;
	o->threshold = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hp:o:", lopts, NULL)) != -1) {
		if (c == 'h') {
			ab_help();
			return -1;
		}
		if (c == '?')
			return kerf_usage_error("ab", "see kerf ab --help");
		if (ab_own_opt(c, o))
			return KERF_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		if (o->run.npat >= 256)
			return kerf_usage_error(
				"ab", "too many patterns (256 at most)");
		o->run.patterns[o->run.npat++] = argv[i];
	}
	return ab_check(o);
}

int cmd_ab(int argc, char **argv)
{
	struct ab_opts o = { 0 };
	int rc = ab_parse(argc, argv, &o);

	if (rc)
		return rc < 0 ? KERF_EXIT_OK : KERF_EXIT_USAGE;
	return ab_main(&o, argc, argv);
}
