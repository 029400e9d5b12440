/* SPDX-License-Identifier: MIT */
/* kerf compare: the regression gate between a BASE run and NEW runs. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kerf/gate.h"
#include "kerf/parse.h"

#define COMPARE_MAX_NEW 26 /* NEW runs that fit one table */
#define COMPARE_MAX_RUNS 200 /* runs a side */
#define COMPARE_SEP "\001--" /* where "--" was, through getopt */

struct compare_opts {
	struct kerf_gate_opts gate;
	enum kerf_gate_fmt fmt;
	const char *history;
	int last;
};

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: kerf compare BASE... -- NEW...      (several runs a side)\n"
		"       kerf compare BASE NEW...            (a column per NEW run)\n"
		"       kerf compare --history DIR [--last N] NEW...\n"
		"                    [--threshold PCT] [--alpha A] [--format text|md|json]\n"
		"                    [--noise FILE] [--allow-missing] [--allow-single-run]\n"
		"                    [--allow-env-diff KEYS] [--interval expanded|percentile]\n"
		"\n"
		"Compares each result on its run medians (or the round medians of one\n"
		"kerf ab, paired), in log space. The whole suite's error is held at alpha\n"
		"by a max-T test over relabellings of whole runs (rounds), or Holm over\n"
		"t-tests when there are too few. A result is a regression or an\n"
		"improvement when its adjusted p < alpha AND the change is beyond the\n"
		"threshold; no change when the design could have seen the threshold\n"
		"(%g%% power), else inconclusive with the runs (rounds) to decide.\n"
		"One run a side is insufficient replication (exit 2) without --noise\n"
		"(kerf.noise/2) or --allow-single-run.\n"
		"\n"
		"  --threshold PCT   smallest change that counts, percent (default %g,\n"
		"                    or BASE's noise_pct; never NEW's)\n"
		"  --alpha A         family-wise error over the suite, 0 < A < 1 (default %g)\n"
		"  --format F        text (default), md (GitHub Markdown) or json\n"
		"  --history DIR     BASE: the runs in DIR (DIR/x/run.json, DIR/x.json) whose\n"
		"                    environment matches NEW's; --last N newest (default 10)\n"
		"  --noise FILE      kerf.noise/2: run-level sd_log per result (kerf.noise/1\n"
		"                    floors still raise the threshold)\n"
		"  --allow-missing   a result missing or failed in NEW does not fail\n"
		"  --allow-single-run  one run a side: a sample-level verdict, labelled\n"
		"  --interval I      sample level: expanded (default) or percentile\n"
		"  --allow-env-diff KEYS\n"
		"                    comma list of environment keys allowed to differ\n"
		"                    (",
		KERF_GATE_POWER * 100, KERF_GATE_THRESHOLD_PCT,
		KERF_GATE_ALPHA);
	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++)
		fprintf(f, "%s%s", i ? "," : "", kerf_env_keys[i].key);
	fprintf(f,
		")\n\nExit: 0 no regression, 1 regression or a result missing or\n"
		"failed in NEW, 2 bad input, refused environment or insufficient\n"
		"replication.\n");
}

static int compare_parse_allow(const char *arg, struct kerf_gate_opts *o)
{
	char *dup = strdup(arg), *save = NULL, *tok, known[256] = "";
	int ret = 0, n = 0;

	if (!dup)
		return -ENOMEM;
	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? "," : "", kerf_env_keys[i].key);
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save), n++) {
		int i = kerf_env_key_index(tok);

		if (i < 0) {
			kerf_usage_error(
				"compare",
				"--allow-env-diff: unknown key '%s' (known: %s)",
				tok, known);
			ret = -EINVAL;
			break;
		}
		o->allow[i] = true;
	}
	if (!ret && !n) {
		kerf_usage_error(
			"compare",
			"--allow-env-diff '%s': expected a comma list of keys (known: %s)",
			arg, known);
		ret = -EINVAL;
	}
	free(dup);
	return ret;
}

/*
 * The index of arg in the NULL-terminated names; -1 after a usage error
 * "OPT 'arg': expected EXPECT".
 */
static int compare_word(const char *opt, const char *arg,
			const char *const *names, const char *expect)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(arg, names[i]))
			return i;
	kerf_usage_error("compare", "%s '%s': expected %s", opt, arg, expect);
	return -1;
}

/* One option of kerf compare: 0, or the exit code of a usage error. */
static int compare_opt(int c, struct compare_opts *co)
{
	static const char *const fmts[] = { "text", "md", "json", NULL };
	int64_t n;
	static const char *const intervals[] = { "expanded", "percentile",
						 NULL };
	struct kerf_gate_opts *o = &co->gate;
	char buf[64];
	double d;
	int i;

	switch (c) {
	case 't':
		snprintf(buf, sizeof(buf), "%s", optarg);
		if (buf[0] && buf[strlen(buf) - 1] == '%')
			buf[strlen(buf) - 1] = '\0';
		if (kerf_parse_double(buf, &d) || d < 0 || d >= 100)
			return kerf_usage_error(
				"compare",
				"--threshold '%s': expected a percentage, 0 <= PCT < 100 (\"3\" or \"2.5%%\")",
				optarg);
		o->threshold = d;
		o->threshold_set = true;
		return 0;
	case 'a':
		if (kerf_parse_double(optarg, &d) || d <= 0 || d >= 1)
			return kerf_usage_error(
				"compare",
				"--alpha '%s': expected a number with 0 < A < 1 (\"0.05\")",
				optarg);
		o->alpha = d;
		return 0;
	case 'f':
		i = compare_word("--format", optarg, fmts, "text, md or json");
		if (i < 0)
			return KERF_EXIT_USAGE;
		co->fmt = (enum kerf_gate_fmt)i;
		return 0;
	case 'H':
		co->history = optarg;
		return 0;
	case 'l':
		if (kerf_parse_int(optarg, &n) || n < 1 || n > COMPARE_MAX_RUNS)
			return kerf_usage_error(
				"compare",
				"--last '%s': expected a count of runs, 1 to %d",
				optarg, COMPARE_MAX_RUNS);
		co->last = (int)n;
		return 0;
	case 'M':
		o->allow_missing = true;
		return 0;
	case 'S':
		o->allow_single_run = true;
		return 0;
	case 'i':
		i = compare_word("--interval", optarg, intervals,
				 "expanded or percentile");
		if (i < 0)
			return KERF_EXIT_USAGE;
		o->plain = i == 1;
		return 0;
	case 'n':
		return kerf_gate_load_noise(optarg, o) ? KERF_EXIT_USAGE : 0;
	case 'e':
		return compare_parse_allow(optarg, o) ? KERF_EXIT_USAGE : 0;
	}
	return KERF_EXIT_USAGE;
}

/* 0 with *first at BASE, -1 after --help, or the exit code of an error. */
static int compare_parse(int argc, char **argv, struct compare_opts *co,
			 int *first)
{
	static const struct option lo[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "allow-env-diff", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "noise", required_argument, NULL, 'n' },
		{ "history", required_argument, NULL, 'H' },
		{ "last", required_argument, NULL, 'l' },
		{ "allow-missing", no_argument, NULL, 'M' },
		{ "allow-single-run", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	memset(co, 0, sizeof(*co));
	kerf_gate_opts_init(&co->gate);
	co->fmt = KERF_GATE_TEXT;
	co->last = 10;
	/* getopt moves "--" away: mark where it was with a word of our own. */
	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "--")) {
			argv[c] = (char *)COMPARE_SEP;
			break;
		}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			compare_usage(stdout);
			return -1;
		case ':':
			return kerf_usage_error("compare", "%s needs a value",
						argv[optind - 1]);
		case '?':
			return kerf_usage_error("compare",
						"unknown option '%s'",
						argv[optind - 1]);
		}
		ret = compare_opt(c, co);
		if (ret)
			return ret;
	}
	if (argc - optind < (co->history ? 1 : 2))
		return kerf_usage_error(
			"compare",
			"expected BASE and at least one NEW run (run.json files or their directories), or --history DIR and NEW");
	*first = optind;
	return 0;
}

/* Load n runs from paths into r. Returns 0 or -EINVAL (said). */
static int compare_load(char **paths, int n, struct kerf_gate_run *r,
			int *loaded)
{
	for (*loaded = 0; *loaded < n; (*loaded)++)
		if (kerf_gate_load(paths[*loaded], &r[*loaded]))
			return -EINVAL;
	return 0;
}

/* Compare, print, and the exit code. */
static int compare_do(struct kerf_gate_run *base, int nb,
		      struct kerf_gate_run *new, int nn, bool columns,
		      const struct compare_opts *co)
{
	int ncmp = columns ? nn : 1, i, ret = KERF_EXIT_USAGE, done = 0;
	struct kerf_gate_cmp *c = calloc((size_t)ncmp, sizeof(*c));

	if (!c)
		return KERF_EXIT_USAGE;
	for (i = 0; i < ncmp; i++, done++)
		if (kerf_gate_compare(base, nb, columns ? &new[i] : new,
				      columns ? 1 : nn, &co->gate, &c[i]))
			goto out;
	for (i = 0; i < ncmp; i++)
		if (c[i].refused) {
			kerf_gate_print_refusal(c, ncmp);
			goto out;
		}
	kerf_gate_print(stdout, co->fmt, c, ncmp, &co->gate);
	fflush(stdout);
	ret = kerf_gate_exit(c, ncmp, &co->gate);
	if (ret == KERF_EXIT_USAGE && co->fmt == KERF_GATE_JSON)
		fprintf(stderr,
			"kerf compare: insufficient replication: one run a side (give several, --history, --noise with sd_log, or --allow-single-run)\n");
out:
	for (i = 0; i <= done && i < ncmp; i++)
		kerf_gate_cmp_free(&c[i]);
	free(c);
	return ret;
}

/* The positional arguments: BASE... [SEP NEW...], or NEW... with history. */
static int compare_main(int argc, char **argv, int first,
			const struct compare_opts *co)
{
	int sep = -1, nb, nn, lb = 0, ln = 0, ret = KERF_EXIT_USAGE, i;
	struct kerf_gate_run *b = NULL, *n;
	bool columns;

	for (i = first; i < argc; i++)
		if (!strcmp(argv[i], COMPARE_SEP))
			sep = i;
	if (co->history && sep >= 0)
		return kerf_usage_error(
			"compare",
			"--history DIR takes NEW runs only, no '--'");
	nb = co->history ? 0 : sep >= 0 ? sep - first : 1;
	nn = co->history ? argc - first :
	     sep >= 0	 ? argc - sep - 1 :
			   argc - first - 1;
	columns = !co->history && sep < 0;
	if (nb < (co->history ? 0 : 1) || nn < 1)
		return kerf_usage_error("compare",
					"expected runs on both sides of '--'");
	if (nb > COMPARE_MAX_RUNS ||
	    nn > (columns ? COMPARE_MAX_NEW : COMPARE_MAX_RUNS))
		return kerf_usage_error(
			"compare",
			"%d BASE and %d NEW runs: at most %d a side (%d NEW columns)",
			nb, nn, COMPARE_MAX_RUNS, COMPARE_MAX_NEW);
	n = calloc((size_t)nn, sizeof(*n));
	if (!co->history)
		b = calloc((size_t)nb, sizeof(*b));
	if (!n || (!co->history && !b))
		goto out;
	if (compare_load(argv + (co->history ? first :
				 sep >= 0    ? sep + 1 :
					       first + 1),
			 nn, n, &ln))
		goto out;
	if (co->history) {
		nb = kerf_gate_history(co->history, co->last, &n[0],
				       argv + first, nn, &b);
		lb = nb > 0 ? nb : 0;
		if (nb == 0)
			fprintf(stderr,
				"kerf compare: --history %s: no run there matches NEW's environment\n",
				co->history);
		if (nb <= 0)
			goto out;
	} else if (compare_load(argv + first, nb, b, &lb)) {
		goto out;
	}
	ret = compare_do(b, nb, n, nn, columns, co);
out:
	for (i = 0; i < ln; i++)
		kerf_gate_run_free(&n[i]);
	if (co->history) {
		kerf_gate_history_free(b, lb);
	} else {
		for (i = 0; i < lb; i++)
			kerf_gate_run_free(&b[i]);
		free(b);
	}
	free(n);
	return ret;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts co;
	int ret, first = 0;

	ret = compare_parse(argc, argv, &co, &first);
	if (!ret)
		ret = compare_main(argc, argv, first, &co);
	kerf_gate_opts_free(&co.gate);
	return ret < 0 ? KERF_EXIT_OK : ret;
}
