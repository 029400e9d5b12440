/* SPDX-License-Identifier: MIT */
/* Strict parsing and canonical formatting of numbers, sizes and durations. */
#ifndef KERF_PARSE_H
#define KERF_PARSE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each returns 0, -EINVAL for text that is not of the form, or -ERANGE for a
 * value that does not fit. No leading or trailing junk is accepted.
 *   int:  [-]digits
 *   size: digits with an optional suffix K M G T (binary, 1K = 1024), an
 *         optional trailing "B" or "iB" ("4K", "4KiB", "512", "1G")
 *   time: digits with a unit ns us ms s m ("10ms", "2s"); bare digits are
 *         rejected, since the unit is not obvious
 *   double: a finite decimal number
 */
int kerf_parse_int(const char *s, int64_t *out);
int kerf_parse_size(const char *s, uint64_t *out);
int kerf_parse_time(const char *s, uint64_t *ns);
int kerf_parse_double(const char *s, double *out);

/* Canonical text: "1G" for 1073741824, "1536K", "10ms", "1500us". */
void kerf_fmt_size(uint64_t v, char *buf, size_t len);
void kerf_fmt_time(uint64_t ns, char *buf, size_t len);

/*
 * A comma-separated list "V1,V2,...": -EINVAL when an item is empty
 * ("4K,,8K", ",4K", "4K,"), so no value is dropped silently.
 */
int kerf_parse_list(const char *s);

/* Edit distance, for "did you mean". */
int kerf_levenshtein(const char *a, const char *b);

#endif
