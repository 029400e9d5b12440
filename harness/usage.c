/* SPDX-License-Identifier: MIT */
/* The usage error every subcommand reports: "kerf CMD: what", exit 2. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int kerf_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kerf %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return KERF_EXIT_USAGE;
}
