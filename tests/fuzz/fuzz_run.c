/* SPDX-License-Identifier: MIT */
/* libFuzzer target: one input as a run.json through the reader, kerf compare, every export and the report's data path. */
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fuzz_dir[PATH_MAX], fuzz_in[PATH_MAX + 16], fuzz_out[PATH_MAX + 16];
static const char *fuzz_base; /* the golden run, NEW's base */

static int fuzz_rm(const char *p, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/kerf-fuzz-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(fuzz_in, sizeof(fuzz_in), "%s/in.json", fuzz_dir);
	snprintf(fuzz_out, sizeof(fuzz_out), "%s/report", fuzz_dir);
	fuzz_base = getenv("KERF_FUZZ_BASE");
	/* no gnuplot: the report writes its scripts, data and page only */
	setenv("PATH", "", 1);
	/* the commands' output is not the point; their crashes are
	 * (-close_fd_mask=2 quiets their messages too) */
	if (null >= 0)
		dup2(null, 1);
	return 0;
}

static void fuzz_cmd(int (*cmd)(int, char **), int argc, const char **argv)
{
	cmd(argc, (char **)argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fmts[] = { "gbench", "bmf", "csv" };
	static const char *const cfmts[] = { "text", "md", "json" };
	FILE *f = fopen(fuzz_in, "w");
	size_t i;

	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	for (i = 0; i < 3; i++) {
		const char *e[] = { "export", fuzz_in, "--format",
				    fmts[i],  "-o",    "-" };

		fuzz_cmd(cmd_export, 6, e);
	}
	{
		/* one compare format an input: the bootstrap is the slow part */
		const char *c[] = { "compare",
				    fuzz_base ? fuzz_base : fuzz_in,
				    fuzz_in,
				    "--format",
				    cfmts[size % 3],
				    "--allow-env-diff",
				    "kernel,cpu_model,microcode,mitigations,"
				    "thp,clocksource,smt,governor,boost,virt,"
				    "kerf_version" };

		fuzz_cmd(cmd_compare, 7, c);
	}
	{
		const char *r[] = { "report", fuzz_in, "-o", fuzz_out };

		fuzz_cmd(cmd_report, 4, r);
	}
	nftw(fuzz_out, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
	fflush(stdout);
	return 0;
}
