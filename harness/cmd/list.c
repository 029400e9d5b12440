/* SPDX-License-Identifier: MIT */
/* kerf list: every bench with its summary, unit and parameters. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

static void list_help(void)
{
	printf("usage: kerf list [--json | --names]\n"
	       "\n"
	       "Every bench: name, summary, unit, whether it is in the default suite\n"
	       "(marked *) and needs root (marked #), and its parameters with type,\n"
	       "default (a comma list is a default sweep) and accepted range.\n"
	       "  --json    the same as JSON: {\"schema\": \"kerf.list/1\", \"benches\": [...]}\n"
	       "  --names   bench names only, one per line\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "names", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, mode = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		if (c == 'j')
			mode = 1;
		else if (c == 'n')
			mode = 2;
		else if (c == 'h') {
			list_help();
			return KERF_EXIT_OK;
		} else
			return kerf_usage_error("list", "see kerf list --help");
	}
	if (optind < argc)
		return kerf_usage_error("list", "unexpected argument '%s'",
					argv[optind]);
	if (mode == 1) {
		json_t *a = json_array();

		for (int i = 0; i < kerf_nbenches; i++)
			json_array_append_new(a,
					      kerf_bench_json(kerf_benches[i]));
		json_t *doc = json_pack("{s:s, s:o}", "schema", "kerf.list/1",
					"benches", a);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(doc);
		return KERF_EXIT_OK;
	}
	for (int i = 0; i < kerf_nbenches; i++) {
		if (mode == 2)
			printf("%s\n", kerf_benches[i]->name);
		else
			kerf_bench_print(kerf_benches[i], stdout);
	}
	if (mode == 0)
		printf("\n* in the default suite   # needs root\n");
	return KERF_EXIT_OK;
}
