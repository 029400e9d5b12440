/* SPDX-License-Identifier: MIT */
/*
 * An independent check of a few call/ benches: each call in a plain loop of
 * N, timed with CLOCK_MONOTONIC: the median and the best of 21 rounds
 * (ns per call).
 *   cc -O2 -o /tmp/price-check docs/price-check.c && /tmp/price-check
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define N 20000
static char buf[65536];

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* 21 rounds of N calls: the median round (kerf's headline) and the best. */
#define LOOP(name, body)                                          \
	do {                                                      \
		double t[21];                                     \
		for (int r = 0; r < 21; r++) {                    \
			double t0 = now();                        \
			for (int i = 0; i < N; i++) {             \
				body;                             \
			}                                         \
			t[r] = (now() - t0) / N;                  \
		}                                                 \
		qsort(t, 21, sizeof(t[0]), cmp);                  \
		printf("%-28s %8.1f %8.1f\n", name, t[10], t[0]); \
	} while (0)

int main(void)
{
	int z = open("/dev/zero", O_RDONLY), nul = open("/dev/null", O_WRONLY);
	int f = open("/tmp/price-check.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	int e = eventfd(1, 0), ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, out[8];
	struct statx sx;
	unsigned int word = 0;

	for (int i = 0; i < 16; i++)
		write(f, buf, sizeof(buf)); /* 1 MiB, cached */
	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	LOOP("syscall/getppid", syscall(SYS_getppid));
	LOOP("call/read{on=dev,size=4K}", read(z, buf, 4096));
	LOOP("call/write{on=dev,size=4K}", write(nul, buf, 4096));
	LOOP("call/pread{size=4K}", pread(f, buf, 4096, (i & 255) * 4096L));
	LOOP("call/pread{size=64K}", pread(f, buf, 65536, (i & 15) * 65536L));
	LOOP("call/statx", statx(AT_FDCWD, "/tmp/price-check.dat", 0,
				 STATX_BASIC_STATS, &sx));
	LOOP("call/epoll_wait", epoll_wait(ep, out, 8, 0));
	/* wake with no waiter and wait on a changed word, in turn */
	LOOP("call/futex",
	     syscall(SYS_futex, &word,
		     (i & 1) ? FUTEX_WAIT_PRIVATE : FUTEX_WAKE_PRIVATE, 1, 0, 0,
		     0));
	unlink("/tmp/price-check.dat");
	return 0;
}
