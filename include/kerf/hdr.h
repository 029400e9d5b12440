/* SPDX-License-Identifier: MIT */
/* A log-bucket latency histogram (HdrHistogram's layout): bounded relative error. */
#ifndef KERF_HDR_H
#define KERF_HDR_H

#include <stdint.h>

/*
 * Values below 2^KERF_HDR_BITS are counted exactly; above, each power of
 * two is cut into 2^KERF_HDR_BITS buckets, so a bucket is at most 1/256 of
 * the values it holds wide and a percentile is within 1/512 of the value.
 */
#define KERF_HDR_BITS 8
#define KERF_HDR_BUCKETS ((64 - KERF_HDR_BITS + 1) << KERF_HDR_BITS)

struct kerf_hdr {
	uint64_t n, min, max;
	uint64_t count[KERF_HDR_BUCKETS];
};

void kerf_hdr_reset(struct kerf_hdr *h);
void kerf_hdr_add(struct kerf_hdr *h, uint64_t v);
/* Bucket of v, and the lowest value and width of bucket i. */
unsigned int kerf_hdr_index(uint64_t v);
uint64_t kerf_hdr_low(unsigned int i);
uint64_t kerf_hdr_width(unsigned int i);
/*
 * The q-quantile (0 < q <= 1), nearest rank: the middle of the bucket that
 * holds the ceil(q * n)-th smallest value, clamped to [min, max]; q = 1
 * gives max exactly. 0 when the histogram is empty.
 */
double kerf_hdr_quantile(const struct kerf_hdr *h, double q);

#endif
