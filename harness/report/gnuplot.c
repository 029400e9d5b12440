/* SPDX-License-Identifier: MIT */
/* gnuplot for the report: each plot's script frame and data file, and gnuplot run on them with no shell between. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kerf/escape.h"
#include "report/report.h"

/* How long one plot may take before gnuplot is killed. */
#define GNUPLOT_TIMEOUT_MS 60000

const char *const rep_colours[REP_NCOLOURS] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
};

int kerf_gnuplot_find(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (!path || !*path)
		return -ENOENT;
	for (p = path; *p; p = *end ? end + 1 : end) {
		int n;

		end = strchrnul(p, ':');
		if (end == p)
			continue;
		n = snprintf(buf, len, "%.*s/gnuplot", (int)(end - p), p);
		if (n > 0 && (size_t)n < len && !access(buf, X_OK))
			return 0;
	}
	return -ENOENT;
}

/* The last line of LOG (gnuplot's complaint), into err. */
static void log_tail(const char *log, const char *script, char *err,
		     size_t errlen)
{
	char line[512], last[512] = "";
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " \t^")])
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	if (last[0])
		snprintf(err, errlen, "gnuplot %s: %s", script, last);
}

int kerf_gnuplot_run(const char *gnuplot, const char *dir, const char *script,
		     char *err, size_t errlen)
{
	char log[PATH_MAX];
	struct stat st;
	int status, waited = 0;
	pid_t pid, w;

	if (snprintf(log, sizeof(log), "%s/%.*s.log", dir,
		     (int)strcspn(script, "."), script) >= (int)sizeof(log))
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		/* no init file, no variable of ours steers it */
		static char *const envp[] = { "PATH=/usr/bin:/bin",
					      "HOME=/nonexistent",
					      "LC_ALL=C.UTF-8", NULL };
		int in = open("/dev/null", O_RDONLY);
		int out = open(log,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				       O_CLOEXEC,
			       0644);

		if (in < 0 || out < 0 || chdir(dir) || dup2(in, 0) < 0 ||
		    dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(126);
		execle(gnuplot, "gnuplot", "-d", script, (char *)NULL, envp);
		_exit(127);
	}
	for (;;) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return -ECHILD;
		}
		if (waited >= GNUPLOT_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, errlen,
				 "gnuplot %s took over %d s; killed", script,
				 GNUPLOT_TIMEOUT_MS / 1000);
			return -ETIMEDOUT;
		}
		nanosleep(&ts, NULL);
		waited += 10;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* keep the log only when gnuplot had something to say */
		if (!stat(log, &st) && st.st_size == 0)
			unlink(log);
		return 0;
	}
	snprintf(err, errlen, "gnuplot %s failed (status %d)", script,
		 WIFEXITED(status) ? WEXITSTATUS(status) :
				     128 + WTERMSIG(status));
	log_tail(log, script, err, errlen);
	return -EIO;
}

/* A label under the terminal rules, in place: one line, no controls. */
void rep_gp_clean(char *s)
{
	char *copy = strdup(s);

	if (!copy) {
		s[0] = '\0';
		return;
	}
	kerf_esc_term(s, strlen(s) + 1, copy);
	free(copy);
}

int rep_plot_new(struct report *rep, const char *hint, const char *title)
{
	struct plot *p;
	char stem[128], base[100];
	int n = 1;

	kerf_slug(hint, base, sizeof(base));
	snprintf(stem, sizeof(stem), "%s", base);
	while (json_object_get(rep->stems, stem))
		snprintf(stem, sizeof(stem), "%s-%d", base, ++n);
	json_object_set_new(rep->stems, stem, json_true());
	if (rep->nplots == rep->cap) {
		int cap = rep->cap ? rep->cap * 2 : 16;
		struct plot *np = realloc(rep->plots, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		rep->plots = np;
		rep->cap = cap;
	}
	p = &rep->plots[rep->nplots];
	memset(p, 0, sizeof(*p));
	snprintf(p->stem, sizeof(p->stem), "%s", stem);
	snprintf(p->title, sizeof(p->title), "%s", title);
	return rep->nplots++;
}

/* A new file in kerf's own work directory: never an existing one. */
static FILE *gnuplot_create(const char *path)
{
	int fd = open(path,
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (fd >= 0 && !f)
		close(fd);
	return f;
}

/* Open STEM.gp and STEM.dat, write the SVG half of the script's header. */
int rep_plot_open(struct report *rep, int id, int w, int h, FILE **gp,
		  FILE **dat)
{
	struct plot *p = &rep->plots[id];
	char path[PATH_MAX + 160], title[256], q[600];

	snprintf(path, sizeof(path), "%s/%s.gp", rep->workdir, p->stem);
	*gp = gnuplot_create(path);
	snprintf(path, sizeof(path), "%s/%s.dat", rep->workdir, p->stem);
	*dat = gnuplot_create(path);
	if (!*gp || !*dat) {
		int e = -errno;

		if (*gp)
			fclose(*gp);
		if (*dat)
			fclose(*dat);
		return e;
	}
	snprintf(title, sizeof(title), "%s", p->title);
	rep_gp_clean(title);
	fprintf(*gp,
		"# kerf report plot: %s\n"
		"# Data in %s.dat; run `gnuplot %s.gp` here to redraw.\n"
		"set terminal svg size %d,%d fixed noenhanced "
		"font \"sans,13\" background rgb \"white\"\n"
		"set output \"%s.svg\"\n"
		"set title %s\n"
		"set border lc rgb \"#555555\"\n"
		"set grid lc rgb \"#dddddd\"\n"
		"set key noenhanced\n",
		title, p->stem, p->stem, w, h, p->stem,
		kerf_esc_gp(q, sizeof(q), title));
	fprintf(*dat, "# kerf report data for %s.gp\n", p->stem);
	return 0;
}

/* The PNG half: the same plot again on pngcairo (png where it lacks). */
int rep_plot_close(struct report *rep, int id, int w, int h, FILE *gp,
		   FILE *dat)
{
	struct plot *p = &rep->plots[id];
	int ret = 0;

	fprintf(gp,
		"set output\n"
		"if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
		"\tset terminal pngcairo size %d,%d noenhanced "
		"font \"sans,10\" background rgb \"white\"\n"
		"} else {\n"
		"\tset terminal png size %d,%d noenhanced\n"
		"}\n"
		"set output \"%s.png\"\n"
		"replot\n"
		"set output\n",
		w, h, w, h, p->stem);
	if (ferror(gp) || ferror(dat))
		ret = -EIO;
	if (fclose(gp) && !ret)
		ret = -errno;
	if (fclose(dat) && !ret)
		ret = -errno;
	return ret;
}

/* Explicit tics: ('label' pos, ...); a '\n' in a label breaks its line. */
void rep_gp_tics(FILE *gp, const char *axis, char (*labels)[160],
		 const double *pos, int n, const char *extra)
{
	int i;

	fprintf(gp, "set %s (", axis);
	for (i = 0; i < n; i++) {
		char line[160];
		const char *c = labels[i];

		fprintf(gp, "%s", i ? ", " : "");
		for (;;) {
			size_t l = strcspn(c, "\n");

			snprintf(line, sizeof(line), "%.*s", (int)l, c);
			kerf_put_gp(gp, line);
			if (!c[l])
				break;
			fputs(".\"\\n\".", gp);
			c += l + 1;
		}
		fprintf(gp, " %g", pos[i]);
	}
	fprintf(gp, ") %s\n", extra ? extra : "");
}

/*
 * Horizontal bars from BASE to column 2 at height column 1, HALF high, with
 * the interval of columns 3 and 4 as whiskers: one run of a bars plot.
 */
void rep_gp_hbars(FILE *gp, const char *stem, int index, double base,
		  double half, const char *colour, const char *title,
		  bool first)
{
	char q[400];

	fprintf(gp,
		"%s\"%s.dat\" index %d using (%g):1:(%g):2:($1-%g):($1+%g) "
		"with boxxyerror lc rgb \"%s\" title %s, \\\n"
		"  \"%s.dat\" index %d using 2:1:3:4 with xerrorbars "
		"lc rgb \"#222222\" pt 7 ps 0.35 lw 1.5 notitle",
		first ? "" : ", \\\n  ", stem, index, base, base, half, half,
		colour, kerf_esc_gp(q, sizeof(q), title), stem, index);
}

/* Every plot of the report drawn; failures counted, the first kept. */
void rep_gnuplot_all(struct report *rep)
{
	char script[160], err[512], path[PATH_MAX + 160];
	struct stat st;
	int i;

	for (i = 0; i < rep->nplots; i++) {
		struct plot *p = &rep->plots[i];
		bool svg, png;

		if (!rep->gnuplot[0])
			break;
		snprintf(script, sizeof(script), "%s.gp", p->stem);
		err[0] = '\0';
		if (kerf_gnuplot_run(rep->gnuplot, rep->workdir, script, err,
				     sizeof(err))) {
			if (!rep->plot_failures++)
				snprintf(rep->plot_err, sizeof(rep->plot_err),
					 "%s", err);
			fprintf(stderr, "kerf report: %s\n", err);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.svg", rep->workdir,
			 p->stem);
		svg = !stat(path, &st) && st.st_size > 0;
		snprintf(path, sizeof(path), "%s/%s.png", rep->workdir,
			 p->stem);
		png = !stat(path, &st) && st.st_size > 0;
		p->made = svg && png;
		if (!p->made && !rep->plot_failures++)
			snprintf(rep->plot_err, sizeof(rep->plot_err),
				 "gnuplot %s wrote no image", script);
	}
}

static const char *const gnuplot_exts[] = { "gp", "dat", "svg", "png", "log" };
#define GNUPLOT_NEXTS (sizeof(gnuplot_exts) / sizeof(gnuplot_exts[0]))

/*
 * The plots' files moved from the work directory into plots/: rename
 * replaces whatever has the name there (a planted symlink included)
 * without following it. Returns 0 or a negative errno, err saying which.
 */
int rep_plots_publish(struct report *rep, char *err, size_t errlen)
{
	char from[PATH_MAX + 160], to[PATH_MAX + 160];
	size_t e;
	int i;

	for (i = 0; i < rep->nplots; i++) {
		for (e = 0; e < GNUPLOT_NEXTS; e++) {
			snprintf(from, sizeof(from), "%s/%s.%s", rep->workdir,
				 rep->plots[i].stem, gnuplot_exts[e]);
			snprintf(to, sizeof(to), "%s/%s.%s", rep->plotdir,
				 rep->plots[i].stem, gnuplot_exts[e]);
			if (!rename(from, to) || errno == ENOENT)
				continue;
			snprintf(err, errlen, "%s: %s", to, strerror(errno));
			return -errno;
		}
	}
	return kerf_out_sync_dir(rep->plotdir);
}

/* The work directory (kerf's own, 0700) removed with what is left in it. */
void rep_plots_cleanup(struct report *rep)
{
	struct dirent *de;
	DIR *d;

	if (!rep->workdir[0])
		return;
	d = opendir(rep->workdir);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	if (rmdir(rep->workdir))
		fprintf(stderr, "kerf report: %s: %s\n", rep->workdir,
			strerror(errno));
	rep->workdir[0] = '\0';
}
