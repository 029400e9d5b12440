/* SPDX-License-Identifier: MIT */
/* Parsing of sizes, times, integers and switches: good forms, junk, overflow. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "kerf/parse.h"

static int fails;

static void size_ok(const char *s, uint64_t want, const char *canon)
{
	uint64_t v = 0;
	char buf[64];

	if (kerf_parse_size(s, &v) || v != want) {
		printf("FAIL size '%s': %llu\n", s, (unsigned long long)v);
		fails++;
		return;
	}
	kerf_fmt_size(v, buf, sizeof(buf));
	if (strcmp(buf, canon)) {
		printf("FAIL size canon '%s': %s, want %s\n", s, buf, canon);
		fails++;
	}
}

static void size_bad(const char *s, int want)
{
	uint64_t v;
	int e = kerf_parse_size(s, &v);

	if (e != want) {
		printf("FAIL size '%s' gave %d, want %d\n", s, e, want);
		fails++;
	}
}

struct bool_priv {
	int64_t before;
	bool on;
	int64_t after;
};

static const struct kerf_param bool_param =
	KERF_BOOL("on", struct bool_priv, on, "0", "a switch");

/* A KERF_BOOL takes "0" and "1" back as they are, and nothing else. */
static void bool_checks(void)
{
	struct bool_priv bp = { .before = -1, .after = -1 };
	char canon[16], err[256];

	for (int v = 0; v <= 1; v++) {
		const char *s = v ? "1" : "0";

		if (kerf_param_check(&bool_param, s, canon, sizeof(canon), err,
				     sizeof(err)) ||
		    strcmp(canon, s) || kerf_param_store(&bool_param, &bp, s) ||
		    bp.on != v || bp.before != -1 || bp.after != -1)
			fails++, printf("FAIL bool '%s'\n", s);
	}
	if (!kerf_param_check(&bool_param, "2", canon, sizeof(canon), err,
			      sizeof(err)) ||
	    !kerf_param_check(&bool_param, "true", canon, sizeof(canon), err,
			      sizeof(err)))
		fails++, printf("FAIL bool junk accepted\n");
}

int main(void)
{
	int64_t i;
	uint64_t t;
	char buf[64];

	size_ok("0", 0, "0");
	size_ok("4096", 4096, "4K");
	size_ok("4K", 4096, "4K");
	size_ok("4k", 4096, "4K");
	size_ok("4KiB", 4096, "4K");
	size_ok("4KB", 4096, "4K");
	size_ok("1536K", 1536 * 1024, "1536K");
	size_ok("1G", 1ull << 30, "1G");
	size_ok("64G", 64ull << 30, "64G");
	size_ok("100B", 100, "100");
	size_ok("15E", 15ull << 60, "15E");
	size_bad("abc", -EINVAL);
	size_bad("-1", -EINVAL);
	size_bad("1Q", -EINVAL);
	size_bad("", -EINVAL);
	size_bad("1 G", -EINVAL);
	size_bad("1GG", -EINVAL);
	size_bad("16E", -ERANGE);
	size_bad("99999999999999999999", -ERANGE);

	if (kerf_parse_int("-12", &i) || i != -12)
		fails++, printf("FAIL int -12\n");
	if (kerf_parse_int("9223372036854775808", &i) != -ERANGE)
		fails++, printf("FAIL int overflow\n");
	if (kerf_parse_int("-9223372036854775808", &i) || i != INT64_MIN)
		fails++, printf("FAIL int min\n");
	if (kerf_parse_int("12x", &i) != -EINVAL ||
	    kerf_parse_int("", &i) != -EINVAL)
		fails++, printf("FAIL int junk\n");

	if (kerf_parse_time("10ms", &t) || t != 10000000)
		fails++, printf("FAIL 10ms\n");
	if (kerf_parse_time("2s", &t) || t != 2000000000ull)
		fails++, printf("FAIL 2s\n");
	if (kerf_parse_time("10", &t) != -EINVAL)
		fails++, printf("FAIL bare number accepted as time\n");
	if (kerf_parse_time("1h", &t) != -EINVAL)
		fails++, printf("FAIL unknown unit accepted\n");
	kerf_fmt_time(1500000, buf, sizeof(buf));
	if (strcmp(buf, "1500us"))
		fails++, printf("FAIL fmt 1500us: %s\n", buf);
	kerf_fmt_time(120000000000ull, buf, sizeof(buf));
	if (strcmp(buf, "120s"))
		fails++, printf("FAIL fmt 120s: %s\n", buf);

	if (kerf_levenshtein("syscall/getpid", "syscall/getppid") != 1)
		fails++, printf("FAIL levenshtein\n");
	bool_checks();
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
