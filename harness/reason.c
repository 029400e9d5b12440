/* SPDX-License-Identifier: MIT */
/* Skip and fail reasons, one formatter for benches (ctx.c) and stressors. */
#include <errno.h>
#include <stdio.h>

#include "kerf/bench.h"
#include "reason.h"

int kerf_vskip(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	return KERF_SKIP;
}

int kerf_vfail(char *buf, size_t len, int err, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	return err < 0 ? err : -EIO;
}
