/* SPDX-License-Identifier: MIT */
/* Test helper for kerf stress fit: read FILE once from disk (cache dropped first). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	ssize_t r;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: fit_stream FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* Its pages must be read into this cgroup's page cache, not found in
	 * a cache another cgroup paid for. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return r < 0;
}
