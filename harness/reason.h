/* SPDX-License-Identifier: MIT */
/* The skip and fail messages that benches and stressors both give. */
#ifndef KERF_REASON_H
#define KERF_REASON_H

#include <stdarg.h>
#include <stddef.h>

/* Format the reason into buf; return KERF_SKIP. */
int kerf_vskip(char *buf, size_t len, const char *fmt, va_list ap);
/* Format the reason into buf; return err, or -EIO when err is not negative. */
int kerf_vfail(char *buf, size_t len, int err, const char *fmt, va_list ap);

#endif
