/* SPDX-License-Identifier: MIT */
/* The fileio test file: its data reads back, and a cold drop empties the cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kerf/fileio_lib.h"
#include "check.h"

#define SIZE ((4u << 20) + 1234) /* not a whole number of pages */
#define PIECE 1000u

/*
 * Read the whole file back in odd-sized pieces: every byte non-zero, the
 * words are kerf_file_word(), the sums add up to what create said.
 */
static void check_data(const struct kerf_file *f)
{
	uint64_t sum = 0, pages = 0, off, len, i, w;
	unsigned char *buf = malloc(PIECE);
	bool zero = false;

	for (off = 0; off < f->size; off += len) {
		len = f->size - off < PIECE ? f->size - off : PIECE;
		if (pread(f->fd, buf, len, (off_t)off) != (ssize_t)len) {
			CHECK(0, "short read at %llu", (unsigned long long)off);
			break;
		}
		for (i = 0; i < len; i++)
			zero |= buf[i] == 0;
		sum += kerf_sum64_at(buf, len, off);
		for (i = 0; i < len; i++) {
			if ((off + i) % KERF_FILE_PAGE)
				continue;
			w = 0;
			memcpy(&w, buf + i, len - i < 8 ? len - i : 8);
			pages += w;
		}
		if (off % 8 == 0 && len >= 8) {
			memcpy(&w, buf, 8);
			CHECK(w == kerf_file_word(off / 8),
			      "word at %llu is not kerf_file_word()",
			      (unsigned long long)off);
		}
	}
	free(buf);
	CHECK(!zero, "the file has a zero byte");
	CHECK(sum == f->sum_all, "sum of all words %#llx, create said %#llx",
	      (unsigned long long)sum, (unsigned long long)f->sum_all);
	CHECK(pages == f->sum_pages,
	      "sum of page words %#llx, create said %#llx",
	      (unsigned long long)pages, (unsigned long long)f->sum_pages);
}

/* A file's checksum is the sum of its pieces', wherever they are cut. */
static void check_split(void)
{
	unsigned char b[64];
	uint64_t whole, parts, cut;
	size_t i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(i * 37 + 1);
	whole = kerf_sum64_at(b, sizeof(b), 0);
	for (cut = 0; cut <= sizeof(b); cut++) {
		parts = kerf_sum64_at(b, cut, 0) +
			kerf_sum64_at(b + cut, sizeof(b) - cut, cut);
		CHECK(parts == whole, "cut at %llu: %#llx, whole %#llx",
		      (unsigned long long)cut, (unsigned long long)parts,
		      (unsigned long long)whole);
	}
	/* Changing one byte changes the sum. */
	b[13] ^= 0x40;
	CHECK(kerf_sum64_at(b, sizeof(b), 0) != whole, "a changed byte");
}

static void check_perm(void)
{
	uint32_t a[1000], b[1000], seen[1000] = { 0 }, i, fixed = 0;

	kerf_perm(a, 1000, 42);
	kerf_perm(b, 1000, 42);
	CHECK(!memcmp(a, b, sizeof(a)), "kerf_perm is not deterministic");
	for (i = 0; i < 1000; i++) {
		CHECK(a[i] < 1000, "kerf_perm out of range");
		if (a[i] < 1000)
			seen[a[i]]++;
		fixed += a[i] == i;
	}
	for (i = 0; i < 1000; i++)
		CHECK(seen[i] == 1, "block %u visited %u times", i, seen[i]);
	CHECK(fixed < 20, "kerf_perm left %u of 1000 blocks in place", fixed);
}

int main(void)
{
	struct kerf_file f;
	unsigned long magic;
	char fs[32], why[256];
	double res = -1;
	struct stat st;
	int ret;

	check_perm();
	check_split();
	CHECK(kerf_file_create(&f, ".", 0) == -EINVAL, "size 0 accepted");
	CHECK(kerf_file_room(".", 1ull << 62, why, sizeof(why)) == -ENOSPC,
	      "4 EiB fits in .");
	if (!kerf_fs_type("/dev/shm", &magic, fs, sizeof(fs)) &&
	    !strcmp(fs, "tmpfs"))
		CHECK(!kerf_fs_can_drop(magic), "tmpfs said droppable");

	/* ctest runs this in the build directory: a disk, unless it is not. */
	if (kerf_fs_type(".", &magic, fs, sizeof(fs)) ||
	    !kerf_fs_can_drop(magic)) {
		fprintf(stderr, "SKIP: . is on %s: no page cache to drop\n",
			fs);
		return fails ? 1 : 77;
	}
	ret = kerf_file_create(&f, ".", SIZE);
	if (ret) {
		fprintf(stderr, "FAIL: kerf_file_create: %s\n", strerror(-ret));
		return 1;
	}
	CHECK(stat(f.path, &st) == -1 && errno == ENOENT,
	      "%s is still in the directory", f.path);
	check_data(&f);

	CHECK(!kerf_file_resident(f.fd, SIZE, &res) && res > 0.99,
	      "after reading, %.3f resident", res);
	ret = kerf_file_drop(f.fd, SIZE, &res);
	CHECK(!ret && res < 0.01, "after the drop, %.3f resident (ret %d)", res,
	      ret);
	check_data(&f);
	CHECK(!kerf_file_resident(f.fd, SIZE, &res) && res > 0.99,
	      "after reading again, %.3f resident", res);
	kerf_file_close(&f);
	CHECK(f.fd == -1, "fd not reset");
	return fails ? 1 : 0;
}
