/* SPDX-License-Identifier: MIT */
/* The subcommands of the kerf program; the table lives in main.c. */
#ifndef KERF_CLI_H
#define KERF_CLI_H

#include <jansson.h>
#include <stdio.h>

/* Exit codes of every subcommand. */
#define KERF_EXIT_OK 0
#define KERF_EXIT_FAIL 1 /* a bench failed, a regression was found */
#define KERF_EXIT_USAGE 2 /* usage, bad input, refused environment */

struct kerf_cmd {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv); /* argv[0] is the subcommand */
};

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_env(int argc, char **argv);
/* stress */
int cmd_stress(int argc, char **argv);

/* report, export */
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* price */
int cmd_price(int argc, char **argv);

/* compare */
int cmd_compare(int argc, char **argv);
int cmd_ab(int argc, char **argv);

/* Shared option helpers. */
int kerf_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *kerf_version(void);
const char *kerf_git_rev(void);
/* The results table of kerf run: bench, params, median, CI, CV, unit. */
void kerf_print_table(const json_t *run, FILE *f);

#endif
