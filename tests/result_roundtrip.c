/* SPDX-License-Identifier: MIT */
/* run.json: what is written parses back to the same values; corrupt,
 * truncated and foreign files are refused with the file and the position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kerf/result.h"
#include "kerf/stats.h"

static int fails;

static void expect(int cond, const char *what)
{
	if (!cond) {
		printf("FAIL %s\n", what);
		fails++;
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/kerf-rt-XXXXXX", path[256], err[512];
	/* Awkward doubles: they must survive the text round trip exactly. */
	double x[] = { 0.1, 1.0 / 3.0, 123456.789012345678, 2.5e-9, 7.0 };
	struct kerf_stats st;
	json_t *run, *r, *back, *samples = json_array();

	if (!mkdtemp(dir))
		return 1;
	for (int i = 0; i < 5; i++)
		json_array_append_new(samples, json_real(x[i]));
	kerf_stats_compute(x, NULL, 5, 7, 100, &st);
	run = kerf_run_new();
	r = json_pack("{s:s, s:{s:s}, s:s, s:s, s:s, s:o, s:o}", "bench",
		      "syscall/getppid", "params", "size", "4K", "unit",
		      "ns/op", "better", "lower", "status", "ok", "samples",
		      samples, "stats", kerf_stats_to_json(&st));
	json_array_append_new(json_object_get(run, "results"), r);
	kerf_run_finish(run);
	expect(kerf_run_write(run, dir) == 0, "write");
	back = kerf_run_load(dir, err, sizeof(err));
	expect(back != NULL, "load the directory");
	if (back) {
		json_t *bs = json_object_get(
			json_array_get(json_object_get(back, "results"), 0),
			"samples");

		expect(json_equal(run, back),
		       "what was read equals what was written");
		for (int i = 0; i < 5; i++)
			expect(json_real_value(json_array_get(bs, (size_t)i)) ==
				       x[i],
			       "a sample survives exactly");
		json_decref(back);
	}
	snprintf(path, sizeof(path), "%s/.run.json.%d.tmp", dir, (int)getpid());
	expect(access(path, F_OK) != 0, "no temporary file left behind");

	/* Truncated: the position of the error is given. */
	snprintf(path, sizeof(path), "%s/trunc.json", dir);
	write_file(
		path,
		"{\n \"schema\": \"kerf.run/1\",\n \"results\": [\n  {\"bench\": ");
	expect(!kerf_run_load(path, err, sizeof(err)), "truncated refused");
	expect(strstr(err, "trunc.json:4:") != NULL,
	       "truncated names file:line");
	printf("  truncated: %s\n", err);
	/* Foreign JSON: named as not a kerf run. */
	snprintf(path, sizeof(path), "%s/foreign.json", dir);
	write_file(path, "{\"benchmarks\": []}");
	expect(!kerf_run_load(path, err, sizeof(err)), "foreign refused");
	expect(strstr(err, "not a kerf run") != NULL, "foreign explained");
	printf("  foreign: %s\n", err);
	write_file(path, "{\"schema\": \"kerf.run/9\", \"results\": []}");
	expect(!kerf_run_load(path, err, sizeof(err)), "other schema refused");
	printf("  schema: %s\n", err);
	/* kerf.run/1 (a run of one round) and /2 are both read. */
	for (int v = 1; v <= 2; v++) {
		char text[128];
		json_t *ok;

		snprintf(text, sizeof(text),
			 "{\"schema\": \"kerf.run/%d\", \"results\": []}", v);
		write_file(path, text);
		ok = kerf_run_load(path, err, sizeof(err));
		expect(ok != NULL, "kerf.run/1 and /2 read");
		json_decref(ok);
	}
	write_file(
		path,
		"{\"schema\": \"kerf.run/1\", \"results\": [{\"bench\": 1}]}");
	expect(!kerf_run_load(path, err, sizeof(err)), "bad result refused");
	printf("  shape: %s\n", err);

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			fails++;
	}
	json_decref(run);
	printf("%s\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
