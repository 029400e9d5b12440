/* SPDX-License-Identifier: MIT */
/* `kerf env`: print the environment fingerprint and its warnings. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "harness.h"
#include "kerf/env.h"

static void env_help(FILE *out)
{
	fprintf(out,
		"usage: kerf env [--json]\n"
		"\n"
		"Print the environment fingerprint of this host (kernel, CPU,\n"
		"topology, mitigations, THP, clocksource, cpufreq, SMT,\n"
		"virtualisation, cgroups, perf, ...) and the warnings that\n"
		"follow from it. The keys are described in results/README.md.\n"
		"\n"
		"  --json   print {\"schema\": \"kerf.env/1\", \"env\": {...},\n"
		"           \"warnings\": [...]}\n"
		"  --help   print this help\n");
}

int cmd_env(int argc, char **argv)
{
	json_t *env, *warnings, *both;
	bool as_json = false;
	int i, ret = KERF_EXIT_OK;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			as_json = true;
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			env_help(stdout);
			return KERF_EXIT_OK;
		} else {
			kerf_usage_error(
				"env",
				"unknown argument '%s' (accepted: --json, --help)",
				argv[i]);
			return KERF_EXIT_USAGE;
		}
	}
	env = kerf_env_capture();
	warnings = env ? kerf_env_warnings(env) : NULL;
	if (!env || !warnings) {
		fprintf(stderr, "kerf env: out of memory\n");
		json_decref(env);
		return KERF_EXIT_FAIL;
	}
	if (as_json) {
		both = json_pack("{s:s, s:o, s:o}", "schema", "kerf.env/1",
				 "env", env, "warnings", warnings);
		if (!both || json_dumpf(both, stdout, JSON_INDENT(2)) < 0)
			ret = KERF_EXIT_FAIL;
		else
			putchar('\n');
		json_decref(both);
	} else {
		kerf_env_print(stdout, env, warnings);
		json_decref(env);
		json_decref(warnings);
	}
	if (fflush(stdout) != 0)
		ret = KERF_EXIT_FAIL;
	return ret;
}
