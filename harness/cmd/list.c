/* SPDX-License-Identifier: MIT */
/* kerf list: every bench with its summary, unit and parameters. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

static json_t *bench_json(const struct kerf_bench *b)
{
	json_t *o, *ps = json_array();

	for (const struct kerf_param *p = b->params; p && p->name; p++) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "name", p->name,
				      "type", kerf_ptype_name(p->type),
				      "default", p->def, "help",
				      p->help ? p->help : "");

		if (p->min)
			json_object_set_new(j, "min", json_string(p->min));
		if (p->max)
			json_object_set_new(j, "max", json_string(p->max));
		if (p->choices)
			json_object_set_new(j, "choices",
					    json_string(p->choices));
		json_array_append_new(ps, j);
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o}", "name", b->name,
		      "summary", b->summary, "unit", b->unit, "better",
		      b->better == KERF_HIGHER_IS_BETTER ? "higher" : "lower",
		      "default_suite", !(b->flags & KERF_F_NODEFAULT),
		      "needs_root", !!(b->flags & KERF_F_ROOT), "params", ps);
	if (b->quick)
		json_object_set_new(o, "quick", json_string(b->quick));
	if (b->full)
		json_object_set_new(o, "full", json_string(b->full));
	return o;
}

static void list_help(void)
{
	printf("usage: kerf list [--json | --names]\n"
	       "\n"
	       "Every bench: name, summary, unit, whether it is in the default suite\n"
	       "(marked *) and needs root (marked #), and its parameters with type,\n"
	       "default (a comma list is a default sweep) and accepted range.\n"
	       "  --json    the same as JSON\n"
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
			json_array_append_new(a, bench_json(kerf_benches[i]));
		json_dumpf(a, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(a);
		return KERF_EXIT_OK;
	}
	for (int i = 0; i < kerf_nbenches; i++) {
		const struct kerf_bench *b = kerf_benches[i];

		if (mode == 2) {
			printf("%s\n", b->name);
			continue;
		}
		printf("%c%c %-28s %s [%s, %s is better]\n",
		       b->flags & KERF_F_NODEFAULT ? ' ' : '*',
		       b->flags & KERF_F_ROOT ? '#' : ' ', b->name, b->summary,
		       b->unit,
		       b->better == KERF_HIGHER_IS_BETTER ? "higher" : "lower");
		for (const struct kerf_param *p = b->params; p && p->name;
		     p++) {
			char range[256];

			kerf_param_range(p, range, sizeof(range));
			printf("     %-12s %-6s default %-14s %-22s %s\n",
			       p->name, kerf_ptype_name(p->type), p->def, range,
			       p->help ? p->help : "");
		}
		if (b->quick)
			printf("     --quick: %s\n", b->quick);
		if (b->full)
			printf("     --full:  %s\n", b->full);
	}
	if (mode == 0)
		printf("\n* in the default suite   # needs root\n");
	return KERF_EXIT_OK;
}
