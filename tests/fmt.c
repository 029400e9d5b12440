/* SPDX-License-Identifier: MIT */
/* kerf/fmt.h: numbers, sizes and changes as people read them, rounding edges included. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "kerf/fmt.h"

static void num(double v, const char *want)
{
	char buf[64];

	kerf_fmt_num(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, want), "num(%.17g) = \"%s\", want \"%s\"", v, buf,
	      want);
}

static void bytes(double v, const char *want)
{
	char buf[64];

	kerf_fmt_bytes(v, buf, sizeof(buf));
	CHECK(!strcmp(buf, want), "bytes(%.17g) = \"%s\", want \"%s\"", v, buf,
	      want);
}

static void change(double r, const char *want)
{
	char buf[64];

	kerf_fmt_change(r, buf, sizeof(buf));
	CHECK(!strcmp(buf, want), "change(%.17g) = \"%s\", want \"%s\"", r, buf,
	      want);
}

int main(void)
{
	char small[6];

	num(0, "0");
	num(1, "1.00");
	num(12.345, "12.3");
	num(0.5, "0.500");
	num(0.0012345, "0.00123");
	num(0.00012345, "1.23e-04");
	num(123.4, "123");
	num(999.6, "1,000");
	num(9.996, "10.0");
	num(12345, "12,300");
	num(-12345, "-12,300");
	num(999499, "999,000");
	num(999500, "1.00 M");
	num(1234567, "1.23 M");
	num(25276502016.0, "25.3 G");
	num(NAN, "-");
	num(INFINITY, "-");
	bytes(512, "512 B");
	bytes(25276502016.0, "23.5 GiB");
	bytes(67108864, "64.0 MiB");
	bytes(1024, "1.00 KiB");
	bytes(1000, "0.977 KiB");
	bytes(1048575, "1.00 MiB");
	bytes(4096 * 1024.0 * 1024 * 1024 * 1024, "4.00 PiB");
	change(1.1234, "+12.3%");
	change(0.5, "-50.0%");
	change(4.0, "+300%");
	change(1.0, "0%");
	change(1.00001, "0%");
	change(0.99, "-1.00%");
	change(NAN, "-");
	kerf_fmt_value(67108864, "B", small, sizeof(small));
	CHECK(!strcmp(small, "64.0 "), "truncated to \"%s\"", small);
	kerf_fmt_value(67108864, "ns/op", small, sizeof(small));
	CHECK(!strcmp(small, "67.1 "), "truncated to \"%s\"", small);
	return fails ? 1 : 0;
}
