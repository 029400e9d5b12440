/* SPDX-License-Identifier: MIT */
/* kerf compare --history: the baseline runs kept in a directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kerf/gate.h"

#define HISTORY_MAX_FILES 10000 /* entries of DIR looked at, at most */

/* Newest `started` first (ISO 8601 UTC strings sort as times). */
static int history_cmp(const void *a, const void *b)
{
	const struct kerf_gate_run *x = a, *y = b;
	const char *sx = json_string_value(json_object_get(x->run, "started"));
	const char *sy = json_string_value(json_object_get(y->run, "started"));

	return strcmp(sy ? sy : "", sx ? sx : "");
}

/* The run file an entry of DIR names, into path; false when none. */
static bool history_path(const char *dir, const char *name, char *path,
			 size_t len)
{
	size_t n = strlen(name);
	struct stat st;

	if (name[0] == '.')
		return false;
	if (n > 5 && !strcmp(name + n - 5, ".json")) {
		snprintf(path, len, "%s/%s", dir, name);
		return !stat(path, &st) && S_ISREG(st.st_mode);
	}
	if ((size_t)snprintf(path, len, "%s/%s/run.json", dir, name) >= len)
		return false;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Whether path is one of skip (the same file). */
static bool history_skipped(const char *path, char *const *skip, int n)
{
	struct stat a, b;

	if (stat(path, &a))
		return true;
	for (int i = 0; i < n; i++) {
		char p[4096];

		snprintf(p, sizeof(p), "%s/run.json", skip[i]);
		if ((!stat(skip[i], &b) && S_ISREG(b.st_mode) &&
		     a.st_ino == b.st_ino && a.st_dev == b.st_dev) ||
		    (!stat(p, &b) && a.st_ino == b.st_ino &&
		     a.st_dev == b.st_dev))
			return true;
	}
	return false;
}

int kerf_gate_history(const char *dir, int last,
		      const struct kerf_gate_run *ref, char *const *skip,
		      int n_skip, struct kerf_gate_run **runs)
{
	struct kerf_gate_run *r = NULL;
	struct dirent *e;
	int n = 0, seen = 0;
	char path[4096];
	DIR *d = opendir(dir);

	*runs = NULL;
	if (!d) {
		fprintf(stderr, "kerf compare: --history %s: %s\n", dir,
			strerror(errno));
		return -EINVAL;
	}
	while ((e = readdir(d)) && seen++ < HISTORY_MAX_FILES) {
		struct kerf_gate_run *t;
		char *dup;

		if (!history_path(dir, e->d_name, path, sizeof(path)) ||
		    history_skipped(path, skip, n_skip))
			continue;
		t = realloc(r, (size_t)(n + 1) * sizeof(*r));
		if (!t)
			break;
		r = t;
		/* A file that does not load is said and left out. */
		dup = strdup(path);
		if (!dup || kerf_gate_load(dup, &r[n])) {
			free(dup);
			continue;
		}
		if (!kerf_gate_env_matches(ref, &r[n])) {
			free((void *)r[n].path);
			kerf_gate_run_free(&r[n]);
			continue;
		}
		n++;
	}
	closedir(d);
	qsort(r, (size_t)n, sizeof(*r), history_cmp);
	for (int i = last; i < n; i++) {
		free((void *)r[i].path);
		kerf_gate_run_free(&r[i]);
	}
	*runs = r;
	return n < last ? n : last;
}

void kerf_gate_history_free(struct kerf_gate_run *runs, int n)
{
	for (int i = 0; i < n; i++) {
		free((void *)runs[i].path);
		kerf_gate_run_free(&runs[i]);
	}
	free(runs);
}
