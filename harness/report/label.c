/* SPDX-License-Identifier: MIT */
/* Short labels for charts: a result's parameters that vary among its neighbours, the constant ones left out. */
#include <string.h>

#include "report/report.h"

/* Whether results a and b are neighbours: the same bench, or the same family. */
static bool label_near(const json_t *a, const json_t *b, bool same_bench)
{
	const char *x = ju_str(a, "bench"), *y = ju_str(b, "bench");
	size_t n;

	if (!x || !y)
		return false;
	if (same_bench)
		return !strcmp(x, y);
	n = strcspn(x, "/");
	return n == strcspn(y, "/") && !strncmp(x, y, n);
}

/* Whether parameter k of r takes another value among r's neighbours. */
static bool label_varies(const struct rlist *fr, const json_t *r, const char *k,
			 bool same_bench)
{
	char n1[64], n2[64];
	const char *v = rep_param_text(r, k, n1, sizeof(n1)), *w;
	int i;

	for (i = 0; i < fr->n; i++) {
		if (fr->v[i].r == r || !label_near(r, fr->v[i].r, same_bench))
			continue;
		w = rep_param_text(fr->v[i].r, k, n2, sizeof(n2));
		if (!w || !v || strcmp(v, w))
			return true;
	}
	return false;
}

void rep_vary_label(const struct rlist *fr, const json_t *r, const char *skip,
		    bool same_bench, char *buf, size_t len)
{
	const char *keys[32];
	size_t off = 0;
	int k, n;

	buf[0] = '\0';
	n = ju_param_keys(r, keys, 32);
	for (k = 0; k < n && off < len; k++) {
		char num[64];
		const char *v;

		if ((skip && !strcmp(keys[k], skip)) ||
		    !label_varies(fr, r, keys[k], same_bench))
			continue;
		v = rep_param_text(r, keys[k], num, sizeof(num));
		off += snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
				keys[k], v ? v : "");
	}
}
