/* SPDX-License-Identifier: MIT */
/* Numbers for people: 3 significant digits, thousands, SI and binary sizes. */
#ifndef KERF_FMT_H
#define KERF_FMT_H

#include <stddef.h>

/* Significant digits of every number kerf prints for people. */
#define KERF_FMT_SIG 3

/*
 * A number, KERF_FMT_SIG significant digits: 0.00123, 12.3, 123; thousands
 * separated up to a million (12,300); above, an SI prefix (25.3 G); below
 * 0.001 an exponent (1.23e-05). Not finite: "-". Returns buf.
 */
char *kerf_fmt_num(double v, char *buf, size_t len);

/* Bytes in binary units: 512 B, 64.0 MiB, 23.5 GiB (1000 of a unit go up). */
char *kerf_fmt_bytes(double v, char *buf, size_t len);

/* A value in UNIT: bytes when the unit is "B" or "bytes", else a number. */
char *kerf_fmt_value(double v, const char *unit, char *buf, size_t len);

/* A ratio new/base as a signed change: 1.123 "+12.3%", 0.5 "-50.0%". */
char *kerf_fmt_change(double ratio, char *buf, size_t len);

#endif
