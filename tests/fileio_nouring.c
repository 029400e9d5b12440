/* SPDX-License-Identifier: MIT */
/* fileio/io_uring on a kernel without io_uring (seccomp says ENOSYS) skips. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

/* io_uring_setup fails with ENOSYS, as on a kernel built without it. */
static int deny_io_uring(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]),
				   .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

int main(void)
{
	const char *kerf = getenv("KERF");
	char dir[] = "/tmp/kerf-nouring-XXXXXX", path[64], err[256];
	json_t *run, *r;
	const char *reason, *status;
	json_error_t je;
	int st, rc = 1;
	pid_t pid;

	if (!kerf || !mkdtemp(dir)) {
		fprintf(stderr, "FAIL: no $KERF or no temporary directory\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/out", dir);
	pid = fork();
	if (pid == 0) {
		if (deny_io_uring()) {
			fprintf(stderr, "SKIP: seccomp: %s\n", strerror(errno));
			_exit(77);
		}
		execl(kerf, kerf, "run", "--quick", "--out", path, "-p",
		      "size=4K", "-p", "cache=warm", "-p", "pattern=seq",
		      "fileio/io_uring", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		fprintf(stderr, "FAIL: fork or wait\n");
		goto out;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		rc = 77;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/out/run.json", dir);
	run = json_load_file(path, 0, &je);
	if (!run) {
		fprintf(stderr, "FAIL: %s: %s\n", path, je.text);
		goto out;
	}
	r = json_array_get(json_object_get(run, "results"), 0);
	status = json_string_value(json_object_get(r, "status"));
	reason = json_string_value(json_object_get(r, "reason"));
	snprintf(err, sizeof(err), "status %s, reason %s",
		 status ? status : "-", reason ? reason : "-");
	if (status && !strcmp(status, "skip") && reason &&
	    strstr(reason, "io_uring_queue_init") &&
	    strstr(reason, strerror(ENOSYS)))
		rc = 0;
	else
		fprintf(stderr, "FAIL: without io_uring: %s\n", err);
	json_decref(run);
out:
	snprintf(path, sizeof(path), "%s/out/run.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/out", dir);
	rmdir(path);
	rmdir(dir);
	return rc;
}
