/* SPDX-License-Identifier: MIT */
/* What kerf compare and kerf report share to bootstrap one pair: its samples and its seed. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "kerf/hypo.h"

uint64_t kerf_key_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ull;
	return h;
}

uint64_t kerf_pair_seed(const char *key)
{
	return KERF_GATE_SEED ^ kerf_key_hash(key);
}

int kerf_samples_get(const json_t *res, double **x, int **proc, size_t *n,
		     size_t *bad)
{
	const json_t *s = json_object_get(res, "samples");
	const json_t *sp = json_object_get(res, "sample_procs");
	size_t i, len = json_array_size(s);

	*x = NULL;
	*proc = NULL;
	*n = 0;
	if (!len)
		return -ENODATA;
	*x = malloc(len * sizeof(**x));
	if (!*x)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		const json_t *v = json_array_get(s, i);

		if (!json_is_number(v) || !isfinite(json_number_value(v))) {
			*bad = i;
			free(*x);
			*x = NULL;
			return -EINVAL;
		}
		(*x)[i] = json_number_value(v);
	}
	if (json_array_size(sp) == len) {
		*proc = malloc(len * sizeof(**proc));
		if (!*proc) {
			free(*x);
			*x = NULL;
			return -ENOMEM;
		}
		for (i = 0; i < len; i++)
			(*proc)[i] =
				(int)json_integer_value(json_array_get(sp, i));
	}
	*n = len;
	return 0;
}
