/* SPDX-License-Identifier: MIT */
/* The environment fingerprint (placeholder until the full capture lands). */
#include <stdio.h>
#include <sys/utsname.h>

#include "cli.h"
#include "kerf/env.h"

json_t *kerf_env_capture(void)
{
	struct utsname u;

	uname(&u);
	return json_pack("{s:s, s:s}", "kernel", u.release, "kernel_version",
			 u.version);
}

json_t *kerf_env_warnings(const json_t *env)
{
	return json_array();
}

int cmd_env(int argc, char **argv)
{
	json_t *e = kerf_env_capture();

	json_dumpf(e, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(e);
	return KERF_EXIT_OK;
}
