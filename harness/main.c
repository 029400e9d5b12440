/* SPDX-License-Identifier: MIT */
/* The kerf program: dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

static const struct kerf_cmd cmds[] = {
	{ "list", "list the benches, their parameters and defaults", cmd_list },
	{ "run", "run benches (the default suite without a pattern)", cmd_run },
	{ "env", "show the environment fingerprint and its warnings", cmd_env },
	/* stress */
	{ "stress", "provoke a kernel limit in a cgroup and record a timeline",
	  cmd_stress },

	/* report, export */
	{ "report", "gnuplot plots and an HTML page of one or more runs",
	  cmd_report },
	{ "export", "a run as Google Benchmark JSON, Bencher BMF or CSV",
	  cmd_export },

	/* price */
	{ "price", "cost a workload's system call profile on this host",
	  cmd_price },

	/* compare */
	{ "compare",
	  "the regression gate: compare runs, exit 1 on a regression",
	  cmd_compare },
	{ "ab", "A/B in one go: two arms in interleaved rounds, then the gate",
	  cmd_ab },
};

const char *kerf_version(void)
{
	return KERF_VERSION;
}

const char *kerf_git_rev(void)
{
	return KERF_GIT_REV;
}

static void help(FILE *f)
{
	fprintf(f,
		"usage: kerf COMMAND [OPTIONS]   (kerf COMMAND --help for each)\n"
		"\n"
		"kerf measures what the Linux kernel costs an application and what\n"
		"happens when a workload hits a kernel limit.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f,
		"\n"
		"exit status: 0 success, 1 a bench failed or a regression was found,\n"
		"2 bad usage or input, 128+N killed by signal N (130 SIGINT, 143\n"
		"SIGTERM) after cleaning up.\n");
}

/* kerf help CMD: what kerf CMD --help prints. */
static int main_help(const char *name)
{
	char arg0[64], arg1[] = "--help";
	char *argv[] = { arg0, arg1, NULL };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		snprintf(arg0, sizeof(arg0), "%s", name);
		return cmds[i].main(2, argv);
	}
	fprintf(stderr, "kerf help: unknown command '%s'\n", name);
	help(stderr);
	return KERF_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return KERF_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "__worker"))
		return kerf_worker_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") && argc > 2)
		return main_help(argv[2]);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		help(stdout);
		return KERF_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kerf %s (%s)\n", kerf_version(), kerf_git_rev());
		return KERF_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].main(argc - 1, argv + 1);
	fprintf(stderr, "kerf: unknown command '%s'\n", argv[1]);
	help(stderr);
	return KERF_EXIT_USAGE;
}
