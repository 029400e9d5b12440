/* SPDX-License-Identifier: MIT */
/* Running gnuplot as a child on a generated script, with no shell between. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report/util.h"

/* How long one plot may take before gnuplot is killed. */
#define GNUPLOT_TIMEOUT_MS 60000

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
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || out < 0 || chdir(dir) || dup2(in, 0) < 0 ||
		    dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(126);
		execl(gnuplot, "gnuplot", script, (char *)NULL);
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
