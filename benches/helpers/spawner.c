/* SPDX-License-Identifier: MIT */
/* kerf-spawner: the lean process the spawn benches' fork, clone and spawn
 * calls run in, so that they copy RSS bytes and a bare C runtime, not kerf's
 * address space (see include/kerf/spawner.h for the protocol). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kerf/spawner.h"

extern char **environ;

#define SPAWNER_HUGE (2ul << 20)
#define SPAWNER_STACK (64ul << 10)
/* posix_spawn() of this path fails in the child at execve (ENOENT). */
#define SPAWNER_NO_PROGRAM "/nonexistent-kerf/no-such-program"

enum spawner_op {
	OP_FORK,
	OP_VFORK,
	OP_CLONE,
	OP_CLONE3,
	OP_PSPAWN,
	OP_EXEC,
	OP_PSPAWN_EXEC
};

static const char *const spawner_ops[] = {
	"fork",	       "vfork", "clone",	   "clone3",
	"posix_spawn", "exec",	"posix_spawn_exec"
};

static char *spawner_program;
static char *spawner_stack;

/* The clone3() argument block, version 0 (64 bytes), as in linux/sched.h. */
struct spawner_clone3 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls;
};

static int spawner_child(void *arg)
{
	return 0;
}

/* The child never returns from here, so nothing of the caller is shared. */
static __attribute__((noinline)) pid_t spawner_vfork(void)
{
	pid_t pid = vfork();

	if (!pid)
		_exit(0);
	return pid;
}

/* Start one child of op; returns its pid (0: none to reap) or -errno. */
static pid_t spawner_start(int op)
{
	char *argv[] = { op == OP_PSPAWN ? SPAWNER_NO_PROGRAM : spawner_program,
			 NULL };
	struct spawner_clone3 args = { .exit_signal = SIGCHLD };
	pid_t pid = -1;
	int ret;

	switch (op) {
	case OP_FORK:
	case OP_EXEC:
		pid = fork();
		if (!pid && op == OP_EXEC)
			execve(argv[0], argv, environ);
		break;
	case OP_VFORK:
		pid = spawner_vfork();
		break;
	case OP_CLONE:
		pid = clone(spawner_child, spawner_stack + SPAWNER_STACK,
			    SIGCHLD, NULL);
		break;
	case OP_CLONE3:
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		break;
	case OP_PSPAWN:
	case OP_PSPAWN_EXEC:
		ret = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
		/* The failed exec is the operation: libc reaped the child. */
		if (op == OP_PSPAWN)
			return ret == ENOENT ? 0 : -(ret ? ret : EEXIST);
		return ret ? -ret : pid;
	}
	if (!pid)
		_exit(op == OP_EXEC ? 127 : 0);
	return pid < 0 ? -errno : pid;
}

/* n operations: create, then reap with status 0. */
static int64_t spawner_run(int op, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		pid_t pid = spawner_start(op);
		int st;

		if (pid < 0)
			return pid;
		if (!pid)
			continue;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return -errno;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return -ECHILD;
	}
	return 0;
}

/* Map rss bytes (2 MiB aligned) and touch each 4 KiB page. */
static int spawner_map(size_t rss, int thp)
{
	char *p;

	if (!rss)
		return 0;
	p = mmap(NULL, rss + SPAWNER_HUGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	p = (char *)(((uintptr_t)p + SPAWNER_HUGE - 1) & ~(SPAWNER_HUGE - 1));
	if (madvise(p, rss, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) && thp)
		return -errno;
	for (size_t off = 0; off < rss; off += 4096)
		p[off] = 1;
	return 0;
}

/* A "Key: N kB" line of a /proc/self file, or -1. */
static int64_t spawner_kb(const char *file, const char *key)
{
	char line[256];
	long long v = -1;
	size_t l = strlen(key);
	FILE *f = fopen(file, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, l) && line[l] == ':')
			sscanf(line + l + 1, "%lld", &v);
	fclose(f);
	return v;
}

static int64_t spawner_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int64_t n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int spawner_io(int fd, void *buf, size_t len, int wr)
{
	char *b = buf;

	while (len) {
		ssize_t r = wr ? write(fd, b, len) : read(fd, b, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Set up as asked, probe once, say ready; then serve requests. */
static int spawner_serve(int op, size_t rss, int thp)
{
	struct kerf_spawner_ready rd = { .huge = -1 };
	int64_t hp, res;
	uint64_t n;

	spawner_stack = mmap(NULL, SPAWNER_STACK, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rd.err = spawner_stack == MAP_FAILED ? -errno : spawner_map(rss, thp);
	if (!rd.err)
		rd.err = spawner_run(op, 1);
	hp = spawner_kb("/proc/self/smaps_rollup", "AnonHugePages");
	if (rss && hp >= 0)
		rd.huge = (double)hp * 1024 / (double)rss;
	rd.maps = spawner_maps();
	rd.rss_kb = spawner_kb("/proc/self/status", "VmRSS");
	if (spawner_io(1, &rd, sizeof(rd), 1) || rd.err)
		return 1;
	while (!spawner_io(0, &n, sizeof(n), 0) && n) {
		res = spawner_run(op, n);
		if (spawner_io(1, &res, sizeof(res), 1))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t parent = getppid();
	int op;

	/* Die with the worker, including when it died before the prctl. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 1;
	if (argc < 4) {
		fprintf(stderr,
			"usage: kerf-spawner OP RSS 4k|thp [PROGRAM] (run by kerf's spawn benches)\n");
		return 2;
	}
	for (op = 0; op <= OP_PSPAWN_EXEC; op++)
		if (!strcmp(argv[1], spawner_ops[op]))
			break;
	if (op > OP_PSPAWN_EXEC ||
	    ((op == OP_EXEC || op == OP_PSPAWN_EXEC) && argc < 5)) {
		fprintf(stderr, "kerf-spawner: '%s': want one of %s%s\n",
			argv[1], KERF_SPAWNER_OPS,
			op <= OP_PSPAWN_EXEC ? " and a PROGRAM" : "");
		return 2;
	}
	spawner_program = argc > 4 ? argv[4] : NULL;
	return spawner_serve(op, strtoull(argv[2], NULL, 10),
			     !strcmp(argv[3], "thp"));
}
