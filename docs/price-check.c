/* SPDX-License-Identifier: MIT */
/*
 * An independent check of a few call/ benches: each call in a plain loop of
 * N, timed with CLOCK_MONOTONIC, best of 20 rounds (ns per call).
 *   cc -O2 -o /tmp/price-check docs/price-check.c && /tmp/price-check
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
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

#define LOOP(name, body)                                                  \
	do {                                                              \
		double best = 1e30;                                       \
		for (int r = 0; r < 20; r++) {                            \
			double t0 = now();                                \
			for (int i = 0; i < N; i++) {                     \
				body;                                     \
			}                                                 \
			double t = (now() - t0) / N;                      \
			best = t < best ? t : best;                       \
		}                                                         \
		printf("%-28s %8.1f\n", name, best);                      \
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
	LOOP("call/futex (wake, no waiter)",
	     syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0));
	unlink("/tmp/price-check.dat");
	return 0;
}
