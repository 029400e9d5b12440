/* SPDX-License-Identifier: MIT */
/* kerf report: its options, and the runs loaded and named for kerf_report_write(). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "kerf/escape.h"
#include "kerf/report.h"
#include "kerf/result.h"

/* A message that may quote the input (a path, a schema): escaped. */
static void report_err(const char *err)
{
	fputs("kerf report: ", stderr);
	kerf_put_term(stderr, err);
	fputc('\n', stderr);
}

/* A run's label: its directory's name. */
static void run_name(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	struct stat st;
	char *s;
	size_t l;

	snprintf(tmp, sizeof(tmp), "%s", path);
	l = strlen(tmp);
	while (l > 1 && tmp[l - 1] == '/')
		tmp[--l] = '\0';
	if (stat(tmp, &st) || !S_ISDIR(st.st_mode)) {
		s = strrchr(tmp, '/');
		if (strcmp(s ? s + 1 : tmp, "run.json")) {
			/* new.json: "new" */
			s = s ? s + 1 : tmp;
			l = strlen(s);
			if (l > 5 && !strcmp(s + l - 5, ".json"))
				s[l - 5] = '\0';
			snprintf(buf, len, "%s", s);
			return;
		}
		if (s)
			*s = '\0';
		else
			snprintf(tmp, sizeof(tmp), ".");
	}
	if (!strcmp(tmp, ".") && getcwd(tmp, sizeof(tmp)) == NULL)
		snprintf(tmp, sizeof(tmp), "run");
	s = strrchr(tmp, '/');
	snprintf(buf, len, "%s", s && s[1] ? s + 1 : tmp);
}

static void report_usage(FILE *f)
{
	fprintf(f, "usage: kerf report RUN... -o DIR\n"
		   "  RUN      a run.json or the directory holding one; with "
		   "several, the first\n"
		   "           is the base of a comparison\n"
		   "  -o DIR   where index.html and plots/ go (created)\n"
		   "Needs gnuplot on PATH for the plots; without it the page "
		   "and its tables\nare still written, with a warning (exit "
		   "status 0); a plot gnuplot fails on\nexits 1. As root, a "
		   "DIR other users can write is refused (exit 2).\n");
}

/* Load each RUN and name it after its directory, "#2" on a repeated name. */
static int report_load(char **paths, int n, json_t **runs, char (*names)[128],
		       const char **np)
{
	char err[1024];
	int i;

	for (i = 0; i < n; i++) {
		int k, dup = 1;
		size_t l;

		runs[i] = kerf_run_load(paths[i], err, sizeof(err));
		if (!runs[i]) {
			report_err(err);
			return -1;
		}
		run_name(paths[i], names[i], sizeof(names[i]));
		/* room for "#N": each retry is a new name, so this ends */
		l = strnlen(names[i], 100);
		names[i][l] = '\0';
		for (k = 0; k < i; k++) {
			if (!strcmp(names[k], names[i])) {
				snprintf(names[i] + l, sizeof(names[i]) - l,
					 "#%d", ++dup);
				k = -1;
			}
		}
		np[i] = names[i];
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = NULL;
	char err[1024], (*names)[128] = NULL;
	const char **np = NULL;
	json_t **runs = NULL;
	int c, i, n, ret = KERF_EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return KERF_EXIT_OK;
		default:
			report_usage(stderr);
			return KERF_EXIT_USAGE;
		}
	}
	n = argc - optind;
	if (n < 1 || !dir || !*dir) {
		fprintf(stderr, "kerf report: %s\n",
			n < 1 ? "no RUN given" : "-o DIR is required");
		report_usage(stderr);
		return KERF_EXIT_USAGE;
	}
	runs = calloc(n, sizeof(*runs));
	names = calloc(n, sizeof(*names));
	np = calloc(n, sizeof(*np));
	if (!runs || !names || !np) {
		fprintf(stderr, "kerf report: out of memory\n");
		ret = KERF_EXIT_FAIL;
		goto out;
	}
	if (report_load(argv + optind, n, runs, names, np))
		goto out;
	c = kerf_report_write(runs, np, n, dir, err, sizeof(err));
	if (c == -EPERM) {
		report_err(err);
		ret = KERF_EXIT_USAGE;
	} else if (c < 0) {
		report_err(err);
		ret = KERF_EXIT_FAIL;
	} else {
		printf("%s/index.html\n", dir);
		/* a plot gnuplot failed on: the page says which, exit 1 */
		ret = c == 2 ? KERF_EXIT_FAIL : KERF_EXIT_OK;
	}
out:
	for (i = 0; runs && i < n; i++)
		json_decref(runs[i]);
	free(runs);
	free(names);
	free(np);
	return ret;
}
