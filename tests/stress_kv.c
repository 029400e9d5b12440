/* SPDX-License-Identifier: MIT */
/* kerf_kv reads the right counter out of memory.stat, memory.events, PSI. */
#include <stdio.h>
#include <string.h>

#include "kerf/cgroup.h"

static int fails;

static void expect(const char *text, const char *key, int err, uint64_t val)
{
	uint64_t v = 0;
	int e = kerf_kv(text, key, &v);

	if (e != err || (!err && v != val)) {
		printf("FAIL: %s: got %d/%llu, want %d/%llu\n", key, e,
		       (unsigned long long)v, err, (unsigned long long)val);
		fails++;
	}
}

int main(void)
{
	const char *stat = "anon_thp 7\nanon 4096\nfile_mapped 3\nfile 8192\n"
			   "shmem 12\npgscan_kswapd 5\npgscan 9\n";
	/* Longer keys first: a prefix match would take them. */
	const char *events = "oom_group_kill 0\noom_kill 3\nlow 0\nhigh 2\n"
			     "max 31\noom 1\n";
	const char *psi = "some avg10=1.50 avg60=0.00 avg300=0.00 total=777\n"
			  "full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n";
	const char *v1 = "total_cache 999\ntotal_rss 999\nrss_huge 0\n"
			 "cache 100\nrss 200\nshmem 0\n";

	expect(stat, "anon", 0, 4096);
	expect(stat, "file", 0, 8192);
	expect(stat, "shmem", 0, 12);
	expect(stat, "pgscan", 0, 9);
	expect(stat, "pgsteal", -2, 0);
	expect(events, "max", 0, 31);
	expect(events, "oom", 0, 1);
	expect(events, "oom_kill", 0, 3);
	expect(events, "high", 0, 2);
	expect(psi, "total", 0, 777);
	expect(v1, "rss", 0, 200);
	expect(v1, "cache", 0, 100);
	return fails ? 1 : 0;
}
