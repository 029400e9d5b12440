/* SPDX-License-Identifier: MIT */
/* A log-bucket latency histogram: exact below 256, 1/256 relative width above. */
#include <math.h>
#include <string.h>

#include "kerf/hdr.h"

#define HDR_SUB (1ull << KERF_HDR_BITS)

void kerf_hdr_reset(struct kerf_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int kerf_hdr_index(uint64_t v)
{
	unsigned int msb, shift;

	if (v < HDR_SUB)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	shift = msb - KERF_HDR_BITS;
	return ((shift + 1) << KERF_HDR_BITS) |
	       (unsigned int)((v >> shift) - HDR_SUB);
}

uint64_t kerf_hdr_low(unsigned int i)
{
	unsigned int shift;

	if (i < HDR_SUB)
		return i;
	shift = (i >> KERF_HDR_BITS) - 1;
	return (HDR_SUB + (i & (HDR_SUB - 1))) << shift;
}

uint64_t kerf_hdr_width(unsigned int i)
{
	return i < HDR_SUB ? 1 : 1ull << ((i >> KERF_HDR_BITS) - 1);
}

void kerf_hdr_add(struct kerf_hdr *h, uint64_t v)
{
	h->count[kerf_hdr_index(v)]++;
	h->n++;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

double kerf_hdr_quantile(const struct kerf_hdr *h, double q)
{
	uint64_t rank, seen = 0;
	unsigned int i;
	double mid;

	if (!h->n)
		return 0;
	if (q >= 1)
		return (double)h->max;
	rank = (uint64_t)ceil(q * (double)h->n);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < KERF_HDR_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank)
			break;
	}
	if (i == KERF_HDR_BUCKETS)
		return (double)h->max;
	mid = (double)kerf_hdr_low(i) + (double)(kerf_hdr_width(i) - 1) / 2;
	if (mid < (double)h->min)
		mid = (double)h->min;
	if (mid > (double)h->max)
		mid = (double)h->max;
	return mid;
}
