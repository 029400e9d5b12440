/* SPDX-License-Identifier: MIT */
/* A bench described for kerf list: its lines of text, or its JSON object. */
#include <jansson.h>
#include <stdio.h>

#include "harness.h"

json_t *kerf_bench_json(const struct kerf_bench *b)
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

void kerf_bench_print(const struct kerf_bench *b, FILE *f)
{
	fprintf(f, "%c%c %-28s %s [%s, %s is better]\n",
		b->flags & KERF_F_NODEFAULT ? ' ' : '*',
		b->flags & KERF_F_ROOT ? '#' : ' ', b->name, b->summary,
		b->unit,
		b->better == KERF_HIGHER_IS_BETTER ? "higher" : "lower");
	for (const struct kerf_param *p = b->params; p && p->name; p++) {
		char range[256];

		kerf_param_range(p, range, sizeof(range));
		fprintf(f, "     %-12s %-6s default %-14s %-22s %s\n", p->name,
			kerf_ptype_name(p->type), p->def, range,
			p->help ? p->help : "");
	}
	if (b->quick)
		fprintf(f, "     --quick: %s\n", b->quick);
	if (b->full)
		fprintf(f, "     --full:  %s\n", b->full);
}
