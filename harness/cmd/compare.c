/* SPDX-License-Identifier: MIT */
/* kerf compare: the regression gate between a BASE run and NEW runs. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kerf/gate.h"
#include "kerf/parse.h"

#define COMPARE_MAX_NEW 26 /* NEW runs that fit one table */

enum compare_fmt { COMPARE_TEXT, COMPARE_MD, COMPARE_JSON };

struct compare_opts {
	struct kerf_gate_opts gate;
	enum compare_fmt fmt;
};

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: kerf compare BASE NEW... [--threshold PCT] [--alpha A]\n"
		"                    [--format text|md|json] [--allow-env-diff KEYS]\n"
		"                    [--interval expanded|percentile] [--noise FILE]\n"
		"\n"
		"Pairs the results of each NEW run with BASE by bench and parameters.\n"
		"A pair is a regression or an improvement when its Holm-corrected\n"
		"Mann-Whitney p-value is under alpha AND the whole bootstrap %g%%\n"
		"interval of the ratio of medians lies beyond the threshold.\n"
		"\n"
		"  --threshold PCT   smallest change that counts, percent, for every\n"
		"                    bench (default %g, or the bench's noise_pct)\n"
		"  --alpha A         significance level, 0 < A < 1 (default %g)\n"
		"  --format F        text (default), md (GitHub Markdown) or json\n"
		"  --interval I      expanded (default): the bootstrap interval widened\n"
		"                    for few worker processes; percentile: plain\n"
		"  --noise FILE      raise each bench's threshold to the run-to-run\n"
		"                    noise measured on this machine (kerf.noise/1)\n"
		"  --allow-env-diff KEYS\n"
		"                    comma list of environment keys allowed to differ\n"
		"                    (",
		KERF_GATE_LEVEL * 100, KERF_GATE_THRESHOLD_PCT,
		KERF_GATE_ALPHA);
	for (size_t i = 0; i < KERF_N_ENV_KEYS; i++)
		fprintf(f, "%s%s", i ? "," : "", kerf_env_keys[i].key);
	fprintf(f, ")\n\nExit: 0 no regression, 1 regression, 2 bad input, "
		   "usage or refused environment.\n");
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
		co->fmt = (enum compare_fmt)i;
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	memset(co, 0, sizeof(*co));
	kerf_gate_opts_init(&co->gate);
	co->fmt = COMPARE_TEXT;
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
	if (argc - optind < 2)
		return kerf_usage_error(
			"compare",
			"expected BASE and at least one NEW run (run.json files or their directories)");
	*first = optind;
	return 0;
}

/*
 * Load NEW runs, check their environments, pair and test them; print.
 * Returns the exit code.
 */
static int compare_runs(struct kerf_gate_run *base,
			struct kerf_gate_column *cols, int nnew,
			const struct compare_opts *co)
{
	const struct kerf_gate_opts *o = &co->gate;
	int c, refused = 0, regress = 0;

	for (c = 0; c < nnew; c++)
		refused += kerf_gate_env(base, &cols[c], o);
	if (refused) {
		kerf_gate_print_refusal(cols, nnew);
		return KERF_EXIT_USAGE;
	}
	for (c = 0; c < nnew; c++) {
		if (kerf_gate_column(base, &cols[c], o))
			return KERF_EXIT_USAGE;
		regress += cols[c].t.nreg;
	}
	if (co->fmt == COMPARE_JSON)
		kerf_gate_print_json(stdout, base, cols, nnew, o, regress > 0);
	else
		kerf_gate_print_table(stdout, base, cols, nnew, o,
				      co->fmt == COMPARE_MD);
	fflush(stdout);
	return regress ? KERF_EXIT_FAIL : KERF_EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
	struct kerf_gate_run base, *runs = NULL;
	struct kerf_gate_column *cols = NULL;
	int ret, first = 0, nnew, c, loaded = 0, ncols = 0;
	struct compare_opts co;

	ret = compare_parse(argc, argv, &co, &first);
	if (ret)
		goto out;
	nnew = argc - first - 1;
	if (nnew > COMPARE_MAX_NEW) {
		ret = kerf_usage_error("compare",
				       "%d NEW runs: at most %d fit one table",
				       nnew, COMPARE_MAX_NEW);
		goto out;
	}
	runs = calloc((size_t)nnew, sizeof(*runs));
	cols = calloc((size_t)nnew, sizeof(*cols));
	ret = KERF_EXIT_USAGE;
	if (!runs || !cols || kerf_gate_load(argv[first], &base))
		goto out_free;
	for (loaded = 0; loaded < nnew; loaded++)
		if (kerf_gate_load(argv[first + 1 + loaded], &runs[loaded]))
			goto out_runs;
	for (ncols = 0; ncols < nnew; ncols++)
		if (kerf_gate_column_init(&cols[ncols], &runs[ncols]))
			goto out_cols;
	ret = compare_runs(&base, cols, nnew, &co);
out_cols:
	for (c = 0; c < ncols; c++)
		kerf_gate_column_free(&cols[c]);
out_runs:
	for (c = 0; c < loaded; c++)
		kerf_gate_run_free(&runs[c]);
	kerf_gate_run_free(&base);
out_free:
	free(runs);
	free(cols);
out:
	json_decref(co.gate.noise);
	return ret < 0 ? KERF_EXIT_OK : ret;
}
