/* SPDX-License-Identifier: MIT */
/* kerf export's dispatch: a format's document, written whole or not at all. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kerf/report.h"
#include "report/export.h"
#include "report/util.h"

json_t *export_real(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

bool export_rate_unit(const char *unit, char *per, size_t len)
{
	size_t n = unit ? strlen(unit) : 0;

	if (n < 3 || strcmp(unit + n - 2, "/s") || n - 2 >= len)
		return false;
	memcpy(per, unit, n - 2);
	per[n - 2] = '\0';
	return true;
}

bool kerf_export_known(const char *format)
{
	static const char *const known[] = { "gbench", "bmf", "csv",
					     "gab-smaller", "gab-bigger" };

	for (size_t i = 0; format && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(format, known[i]))
			return true;
	return false;
}

const char *kerf_export_file(const char *format)
{
	if (!strcmp(format, "csv"))
		return "run.csv";
	if (!strcmp(format, "gab-smaller"))
		return "run.gab-smaller.json";
	if (!strcmp(format, "gab-bigger"))
		return "run.gab-bigger.json";
	return !strcmp(format, "bmf") ? "run.bmf.json" : "run.gbench.json";
}

static json_t *export_doc(const json_t *run, const char *format)
{
	if (!strcmp(format, "gbench"))
		return export_gbench(run);
	if (!strcmp(format, "bmf"))
		return export_bmf(run);
	if (!strcmp(format, "gab-smaller"))
		return export_gab(run, false);
	if (!strcmp(format, "gab-bigger"))
		return export_gab(run, true);
	return NULL; /* csv: written row by row */
}

int kerf_export_write(const json_t *run, const char *format, const char *path,
		      char *err, size_t errlen)
{
	struct kerf_outfile out;
	json_t *doc;
	bool ok = true;
	int ret;

	if (!kerf_export_known(format)) {
		snprintf(err, errlen,
			 "unknown export format '%s' (accepted: %s)",
			 format ? format : "", KERF_EXPORT_FORMATS);
		return -EINVAL;
	}
	doc = export_doc(run, format);
	/* every export file is opened here, and only here */
	ret = kerf_out_open(&out, path);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		json_decref(doc);
		return ret;
	}
	if (doc) {
		ok = json_dumpf(doc, out.f,
				JSON_INDENT(2) | JSON_REAL_PRECISION(15) |
					JSON_ENSURE_ASCII) == 0;
		fputc('\n', out.f);
		json_decref(doc);
	} else {
		export_csv(run, out.f);
	}
	ret = kerf_out_close(&out, ok);
	if (!ret && !ok)
		ret = -EIO;
	if (ret)
		snprintf(err, errlen, "%s: %s", path ? path : "stdout",
			 strerror(-ret));
	return ret;
}
