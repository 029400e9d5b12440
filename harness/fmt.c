/* SPDX-License-Identifier: MIT */
/* Numbers for people (kerf/fmt.h): the report's pages and, later, the terminal tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kerf/fmt.h"

/* v rounded to KERF_FMT_SIG significant digits, and its decimal exponent. */
static double fmt_round(double v, int *exp10)
{
	double scale, r;
	int e;

	if (v == 0) {
		*exp10 = 0;
		return 0;
	}
	e = (int)floor(log10(fabs(v)));
	scale = pow(10, e - (KERF_FMT_SIG - 1));
	r = round(v / scale) * scale;
	/* 9.996 rounds to 10.0: one more digit before the point */
	if (fabs(r) >= pow(10, e + 1))
		e++;
	*exp10 = e;
	return r;
}

/* r (already rounded) with the decimals its significant digits need. */
static void fmt_fixed(double r, int e, char *buf, size_t len)
{
	int dec = KERF_FMT_SIG - 1 - e;

	snprintf(buf, len, "%.*f", dec > 0 ? dec : 0, r);
}

/* An integer below a million with a comma every three digits. */
static void fmt_thousands(double r, char *buf, size_t len)
{
	char digits[32], *d = digits;
	size_t n, o = 0, i;

	snprintf(digits, sizeof(digits), "%.0f", fabs(r));
	n = strlen(d);
	if (r < 0 && o + 1 < len)
		buf[o++] = '-';
	for (i = 0; i < n && o + 1 < len; i++) {
		if (i && (n - i) % 3 == 0 && o + 1 < len)
			buf[o++] = ',';
		if (o + 1 < len)
			buf[o++] = d[i];
	}
	if (len)
		buf[o] = '\0';
}

char *kerf_fmt_num(double v, char *buf, size_t len)
{
	static const char si[] = "kMGTPE";
	double r;
	int e, k;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	r = fmt_round(v, &e);
	if (r == 0) {
		snprintf(buf, len, "0");
	} else if (e < -3) {
		snprintf(buf, len, "%.*e", KERF_FMT_SIG - 1, v);
	} else if (e < 3) {
		fmt_fixed(r, e, buf, len);
	} else if (e < 6) {
		fmt_thousands(r, buf, len);
	} else {
		k = e / 3 > 6 ? 6 : e / 3;
		r /= pow(1000, k);
		fmt_fixed(r, e - 3 * k, buf, len);
		snprintf(buf + strlen(buf), len - strlen(buf), " %c",
			 si[k - 1]);
	}
	return buf;
}

char *kerf_fmt_bytes(double v, char *buf, size_t len)
{
	static const char *const units[] = { "B",   "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	int u = 0, e;
	double r;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	r = fmt_round(v, &e);
	while (fabs(r) >= 1000 && u < 6) {
		v /= 1024;
		u++;
		r = fmt_round(v, &e);
	}
	if (!u)
		snprintf(buf, len, "%.0f B", v);
	else {
		fmt_fixed(r, e, buf, len);
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", units[u]);
	}
	return buf;
}

char *kerf_fmt_value(double v, const char *unit, char *buf, size_t len)
{
	if (unit && (!strcmp(unit, "B") || !strcmp(unit, "bytes")))
		return kerf_fmt_bytes(v, buf, len);
	return kerf_fmt_num(v, buf, len);
}

char *kerf_fmt_change(double ratio, char *buf, size_t len)
{
	char num[48];
	double pct = (ratio - 1) * 100;

	if (!isfinite(ratio)) {
		snprintf(buf, len, "-");
		return buf;
	}
	kerf_fmt_num(fabs(pct), num, sizeof(num));
	if (fabs(pct) < 0.01)
		snprintf(buf, len, "0%%");
	else
		snprintf(buf, len, "%s%s%%", pct < 0 ? "-" : "+", num);
	return buf;
}
