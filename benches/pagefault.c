/* SPDX-License-Identifier: MIT */
/* pagefault family: what first touch of anonymous, file and populated memory costs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "kerf/bench.h"
#include "kerf/memlib.h"
#include "kerf/perf.h"

#define PF_PAGE 4096

struct pf_priv {
	uint64_t size;
	int pages; /* anon: 4k, thp */
	int how; /* populate: populate, touch */
	int fd; /* file: its fd, -1: none */
	bool thp_was_on; /* populate: PR_SET_THP_DISABLE to undo */
	struct kerf_perf perf;
	struct kerf_vmstat vm0;
	/* Over the timed windows of the last run() call: */
	uint64_t npages, faults, ns;
	double huge_sum;
	int huge_n;
};

static uint64_t minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
}

static void pf_common_setup(struct kerf_ctx *ctx, struct pf_priv *pf)
{
	char en[32], df[32];

	pf->fd = -1;
	kerf_vmstat_read(&pf->vm0);
	kerf_thp_setting("enabled", en, sizeof(en));
	kerf_thp_setting("defrag", df, sizeof(df));
	kerf_info(ctx, "thp", "enabled=%s defrag=%s", en, df);
	kerf_perf_open(&pf->perf, (1u << KERF_PEV_DTLB_LOAD_MISSES) |
					  (1u << KERF_PEV_PAGE_FAULTS) |
					  (1u << KERF_PEV_MINOR_FAULTS) |
					  (1u << KERF_PEV_MAJOR_FAULTS));
}

static void pf_begin(struct pf_priv *pf)
{
	pf->npages = pf->faults = pf->ns = 0;
	pf->huge_sum = 0;
	pf->huge_n = 0;
	kerf_perf_reset(&pf->perf);
}

/* One timed window: account it and hand its sample over. */
static void pf_account(struct kerf_ctx *ctx, struct pf_priv *pf, uint64_t ns,
		       uint64_t faults, size_t len)
{
	uint64_t n = len / PF_PAGE;

	pf->npages += n;
	pf->faults += faults;
	pf->ns += ns;
	kerf_sample(ctx, (double)ns / (double)n);
}

static void pf_teardown(struct kerf_ctx *ctx)
{
	struct pf_priv *pf = kerf_priv(ctx);

	if (pf->npages) {
		kerf_metric(ctx, "faults_per_page",
			    (double)pf->faults / (double)pf->npages,
			    "faults/4KiB (getrusage)");
		if (pf->faults)
			kerf_metric(ctx, "ns_per_fault",
				    (double)pf->ns / (double)pf->faults, "ns");
		kerf_perf_report(ctx, &pf->perf, (double)pf->npages, "page");
	}
	if (pf->huge_n)
		kerf_metric(ctx, "huge_fraction", pf->huge_sum / pf->huge_n,
			    "fraction");
	kerf_perf_close(&pf->perf);
	if (pf->fd >= 0)
		close(pf->fd);
	pf->fd = -1;
	if (pf->thp_was_on)
		prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	pf->thp_was_on = false;
	kerf_vmstat_metrics(ctx, &pf->vm0);
}

/* Write one byte per 4 KiB page. */
static void touch(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PF_PAGE)
		((volatile char *)p)[off] = 1;
}

/* pagefault/anon */

static int anon_setup(struct kerf_ctx *ctx)
{
	struct pf_priv *pf = kerf_priv(ctx);
	struct kerf_buf b;
	char why[256] = "";
	int rc;

	pf_common_setup(ctx, pf);
	rc = kerf_buf_map(&b, KERF_SZ_2M, pf->pages, why, sizeof(why));
	if (rc == -ENOTSUP)
		return kerf_skip(ctx, "%s", why);
	if (rc)
		return kerf_fail(ctx, rc, "%s", why);
	kerf_buf_unmap(&b);
	return 0;
}

static int anon_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct pf_priv *pf = kerf_priv(ctx);
	char why[256] = "";

	pf_begin(pf);
	for (uint64_t i = 0; i < n; i++) {
		struct kerf_buf b;
		uint64_t f0, f1, ns;
		double h;
		int rc;

		rc = kerf_buf_map(&b, pf->size, pf->pages, why, sizeof(why));
		if (rc)
			return kerf_fail(ctx, rc, "%s", why);
		f0 = minflt();
		kerf_perf_start(&pf->perf);
		kerf_time_start(ctx);
		touch(b.p, b.len);
		ns = kerf_time_stop(ctx);
		kerf_perf_stop(&pf->perf);
		f1 = minflt();
		pf_account(ctx, pf, ns, f1 - f0, b.len);
		h = kerf_huge_fraction(b.p, b.len);
		if (h >= 0) {
			pf->huge_sum += h;
			pf->huge_n++;
		}
		kerf_buf_unmap(&b);
	}
	return 0;
}

static const struct kerf_param anon_params[] = {
	KERF_SIZE("size", struct pf_priv, size, "64M", "2M", "1G",
		  "fresh memory touched per sample (a multiple of 2M)"),
	KERF_ENUM("pages", struct pf_priv, pages, "4k,thp", "4k,thp",
		  "4k (MADV_NOHUGEPAGE) or thp (MADV_HUGEPAGE)"),
	{}
};

const struct kerf_bench pagefault_anon = {
	.name = "pagefault/anon",
	.summary = "first write to fresh anonymous memory, per 4 KiB",
	.unit = "ns/4KiB",
	.better = KERF_LOWER_IS_BETTER,
	.flags = KERF_F_SAMPLES,
	.params = anon_params,
	.priv_size = sizeof(struct pf_priv),
	.quick = "size=8M",
	.setup = anon_setup,
	.run = anon_run,
	.teardown = pf_teardown,
};

/* pagefault/file */

static int file_setup(struct kerf_ctx *ctx)
{
	struct pf_priv *pf = kerf_priv(ctx);
	uint64_t avail = kerf_mem_available();
	char path[4096], *chunk;
	struct statfs sfs;
	size_t off;
	int fd;

	pf_common_setup(ctx, pf);
	if (avail && pf->size > avail / 4)
		return kerf_skip(ctx,
				 "size=%llu bytes is over a quarter of "
				 "MemAvailable (%llu bytes)",
				 (unsigned long long)pf->size,
				 (unsigned long long)avail);
	snprintf(path, sizeof(path), "%s/kerf-pagefault-XXXXXX",
		 kerf_tmpdir(ctx));
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return kerf_fail(ctx, -errno, "mkstemp %s: %s", path,
				 strerror(errno));
	/* Unlinked at once: nothing is left behind, whatever happens. */
	unlink(path);
	pf->fd = fd;
	if (!fstatfs(fd, &sfs))
		kerf_info(ctx, "file", "%s, filesystem magic 0x%lx",
			  kerf_tmpdir(ctx), (unsigned long)sfs.f_type);
	chunk = malloc(1 << 20);
	if (!chunk)
		return kerf_fail(ctx, -ENOMEM, "no memory for a 1 MiB chunk");
	memset(chunk, 0x5a, 1 << 20);
	for (off = 0; off < pf->size; off += 1 << 20) {
		size_t len = pf->size - off < (1 << 20) ? pf->size - off :
							  1 << 20;

		if (pwrite(fd, chunk, len, (off_t)off) != (ssize_t)len) {
			free(chunk);
			return kerf_fail(ctx, -EIO, "writing %s: %s",
					 kerf_tmpdir(ctx), strerror(errno));
		}
	}
	/* Clean and cached: read faults then find every page in the cache. */
	fdatasync(fd);
	for (off = 0; off < pf->size; off += 1 << 20)
		if (pread(fd, chunk, 1 << 20, (off_t)off) < 0)
			break;
	free(chunk);
	return 0;
}

static int file_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct pf_priv *pf = kerf_priv(ctx);

	pf_begin(pf);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t f0, f1, ns, sum = 0;
		char *p;

		p = mmap(NULL, pf->size, PROT_READ, MAP_SHARED, pf->fd, 0);
		if (p == MAP_FAILED)
			return kerf_fail(ctx, -errno, "mmap of the file: %s",
					 strerror(errno));
		f0 = minflt();
		kerf_perf_start(&pf->perf);
		kerf_time_start(ctx);
		for (size_t off = 0; off < pf->size; off += PF_PAGE)
			sum += ((volatile char *)p)[off];
		ns = kerf_time_stop(ctx);
		kerf_perf_stop(&pf->perf);
		f1 = minflt();
		kerf_keep(sum);
		pf_account(ctx, pf, ns, f1 - f0, pf->size);
		munmap(p, pf->size);
	}
	return 0;
}

static const struct kerf_param file_params[] = {
	KERF_SIZE("size", struct pf_priv, size, "64M", "64K", "1G",
		  "size of the cached file mapped and read once per sample"),
	{}
};

const struct kerf_bench pagefault_file = {
	.name = "pagefault/file",
	.summary =
		"first read of a mapped, cached file, per 4 KiB (fault-around)",
	.unit = "ns/4KiB",
	.better = KERF_LOWER_IS_BETTER,
	.flags = KERF_F_SAMPLES,
	.params = file_params,
	.priv_size = sizeof(struct pf_priv),
	.quick = "size=8M",
	.setup = file_setup,
	.run = file_run,
	.teardown = pf_teardown,
};

/* pagefault/populate */

static int populate_setup(struct kerf_ctx *ctx)
{
	struct pf_priv *pf = kerf_priv(ctx);

	pf_common_setup(ctx, pf);
	/* MAP_POPULATE happens before any madvise could ask for 4k pages:
	 * turn THP off for this worker instead, so both ways get 4k. */
	if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 0 &&
	    prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0)
		pf->thp_was_on = true;
	return 0;
}

static int populate_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct pf_priv *pf = kerf_priv(ctx);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;

	if (pf->how == 0)
		flags |= MAP_POPULATE;
	pf_begin(pf);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t f0, f1, ns;
		char *p;

		f0 = minflt();
		kerf_perf_start(&pf->perf);
		kerf_time_start(ctx);
		p = mmap(NULL, pf->size, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (p != MAP_FAILED && pf->how == 1)
			touch(p, pf->size);
		ns = kerf_time_stop(ctx);
		kerf_perf_stop(&pf->perf);
		f1 = minflt();
		if (p == MAP_FAILED)
			return kerf_fail(ctx, -errno, "mmap of %llu bytes: %s",
					 (unsigned long long)pf->size,
					 strerror(errno));
		pf_account(ctx, pf, ns, f1 - f0, pf->size);
		if (i == 0) {
			double h = kerf_huge_fraction(p, pf->size);

			if (h >= 0) {
				pf->huge_sum += h;
				pf->huge_n++;
			}
		}
		munmap(p, pf->size);
	}
	return 0;
}

static const struct kerf_param populate_params[] = {
	KERF_SIZE("size", struct pf_priv, size, "64M", "64K", "1G",
		  "anonymous memory made resident per sample"),
	KERF_ENUM(
		"how", struct pf_priv, how, "populate,touch", "populate,touch",
		"mmap(MAP_POPULATE), or mmap then a write to each 4 KiB page"),
	{}
};

const struct kerf_bench pagefault_populate = {
	.name = "pagefault/populate",
	.summary = "mmap(MAP_POPULATE) against mmap and touching, per 4 KiB",
	.unit = "ns/4KiB",
	.better = KERF_LOWER_IS_BETTER,
	.flags = KERF_F_SAMPLES,
	.params = populate_params,
	.priv_size = sizeof(struct pf_priv),
	.quick = "size=8M",
	.setup = populate_setup,
	.run = populate_run,
	.teardown = pf_teardown,
};
