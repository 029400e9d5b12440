/* SPDX-License-Identifier: MIT */
/* HTML reports with gnuplot plots, and exports for other tools' formats. */
#ifndef KERF_REPORT_H
#define KERF_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Write DIR/index.html and DIR/plots/ (per plot: NAME.gp, NAME.dat, NAME.svg,
 * NAME.png) for nruns loaded runs (kerf_run_load()); names[i] labels run i
 * (NULL: "run1", "run2"...). Several runs make a comparison report, runs[0]
 * being the base. DIR is created when missing.
 *
 * Returns 0 when everything was written; 1 when the page and the tables
 * were written without plots because gnuplot is not on PATH; 2 when
 * gnuplot failed on a plot (the reason is printed on stderr and shown in
 * the page); a negative errno with a message in err when the report could
 * not be written. Files are created as kerf/outfile.h says; as root, a DIR
 * that other users can write is refused.
 */
int kerf_report_write(json_t *const *runs, const char *const *names, int nruns,
		      const char *dir, char *err, size_t errlen);

/*
 * Export one run in FORMAT: "gbench" (Google Benchmark JSON), "bmf" (Bencher
 * Metric Format), "gab-smaller" / "gab-bigger" (github-action-benchmark's
 * customSmallerIsBetter / customBiggerIsBetter) or "csv" (one row per
 * sample, skip or failure). PATH NULL or "-" writes to
 * stdout; a file is written whole or not at all (temporary file, rename).
 * Returns 0, -EINVAL for an unknown format, or a negative errno; err says why.
 */
int kerf_export_write(const json_t *run, const char *format, const char *path,
		      char *err, size_t errlen);

/* FORMAT is one kerf_export_write() accepts. */
bool kerf_export_known(const char *format);
/* The file kerf run --export writes for FORMAT: "run.gbench.json"... */
const char *kerf_export_file(const char *format);
/* The formats kerf_export_write() accepts, for messages. */
#define KERF_EXPORT_FORMATS "gbench|bmf|csv|gab-smaller|gab-bigger"

#endif
