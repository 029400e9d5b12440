/* SPDX-License-Identifier: MIT */
/* perf_event_open(2) counting groups for benches, and what was unavailable. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kerf/bench.h"
#include "kerf/perf.h"

struct pev_def {
	const char *name;
	uint32_t type;
	uint64_t config;
};

#define HWC(cache, op, res) \
	((uint64_t)(cache) | ((uint64_t)(op) << 8) | ((uint64_t)(res) << 16))

static const struct pev_def pevs[KERF_PEV_N] = {
	[KERF_PEV_DTLB_LOAD_MISSES] = { "dtlb_load_misses", PERF_TYPE_HW_CACHE,
					HWC(PERF_COUNT_HW_CACHE_DTLB,
					    PERF_COUNT_HW_CACHE_OP_READ,
					    PERF_COUNT_HW_CACHE_RESULT_MISS) },
	[KERF_PEV_DTLB_LOADS] = { "dtlb_loads", PERF_TYPE_HW_CACHE,
				  HWC(PERF_COUNT_HW_CACHE_DTLB,
				      PERF_COUNT_HW_CACHE_OP_READ,
				      PERF_COUNT_HW_CACHE_RESULT_ACCESS) },
	[KERF_PEV_CYCLES] = { "cycles", PERF_TYPE_HARDWARE,
			      PERF_COUNT_HW_CPU_CYCLES },
	[KERF_PEV_PAGE_FAULTS] = { "page_faults", PERF_TYPE_SOFTWARE,
				   PERF_COUNT_SW_PAGE_FAULTS },
	[KERF_PEV_MINOR_FAULTS] = { "minor_faults", PERF_TYPE_SOFTWARE,
				    PERF_COUNT_SW_PAGE_FAULTS_MIN },
	[KERF_PEV_MAJOR_FAULTS] = { "major_faults", PERF_TYPE_SOFTWARE,
				    PERF_COUNT_SW_PAGE_FAULTS_MAJ },
};

const char *kerf_pev_name(enum kerf_pev e)
{
	return e < KERF_PEV_N ? pevs[e].name : "?";
}

static int pev_open(const struct pev_def *d, int group, bool exclude_kernel)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = d->type;
	a.config = d->config;
	a.disabled = group < 0; /* members follow their leader */
	a.exclude_kernel = exclude_kernel;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, group, 0);
}

static const char *open_hint(int err)
{
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
		return " (no PMU exposed: a virtual machine or a CPU perf does not know)";
	case EACCES:
	case EPERM:
		return " (kernel.perf_event_paranoid forbids it)";
	case ENOSYS:
		return " (kernel built without perf events)";
	default:
		return "";
	}
}

/* Open the events of mask & kind as one group; returns how many opened. */
static int open_group(struct kerf_perf *p, unsigned int mask, int *lead,
		      char *why, size_t whylen)
{
	int n = 0;

	*lead = -1;
	for (int e = 0; e < KERF_PEV_N; e++) {
		int group = *lead < 0 ? -1 : p->fd[*lead] - 1;
		int fd;

		if (!(mask & (1u << e)))
			continue;
		fd = pev_open(&pevs[e], group, p->exclude_kernel);
		if (fd < 0 && (errno == EACCES || errno == EPERM) &&
		    !p->exclude_kernel) {
			/* perf_event_paranoid >= 2: user space only. */
			p->exclude_kernel = true;
			fd = pev_open(&pevs[e], group, true);
		}
		if (fd < 0) {
			if (!why[0])
				snprintf(why, whylen,
					 "%s: perf_event_open: %s%s",
					 pevs[e].name, strerror(errno),
					 open_hint(errno));
			continue;
		}
		p->fd[e] = fd + 1;
		if (*lead < 0)
			*lead = e;
		n++;
	}
	return n;
}

int kerf_perf_open(struct kerf_perf *p, unsigned int mask)
{
	int n;

	memset(p, 0, sizeof(*p));
	p->hw_lead = p->sw_lead = -1;
	n = open_group(p, mask & KERF_PEV_HW, &p->hw_lead, p->hw_why,
		       sizeof(p->hw_why));
	n += open_group(p, mask & KERF_PEV_SW, &p->sw_lead, p->sw_why,
			sizeof(p->sw_why));
	return n;
}

static void group_ioctl(struct kerf_perf *p, unsigned long req)
{
	if (p->hw_lead >= 0 && p->fd[p->hw_lead])
		ioctl(p->fd[p->hw_lead] - 1, req, PERF_IOC_FLAG_GROUP);
	if (p->sw_lead >= 0 && p->fd[p->sw_lead])
		ioctl(p->fd[p->sw_lead] - 1, req, PERF_IOC_FLAG_GROUP);
}

void kerf_perf_start(struct kerf_perf *p)
{
	group_ioctl(p, PERF_EVENT_IOC_ENABLE);
}

void kerf_perf_stop(struct kerf_perf *p)
{
	group_ioctl(p, PERF_EVENT_IOC_DISABLE);
}

void kerf_perf_reset(struct kerf_perf *p)
{
	group_ioctl(p, PERF_EVENT_IOC_RESET);
}

bool kerf_perf_read(struct kerf_perf *p, enum kerf_pev e, uint64_t *count)
{
	if (e >= KERF_PEV_N || !p->fd[e])
		return false;
	return read(p->fd[e] - 1, count, sizeof(*count)) == sizeof(*count);
}

void kerf_perf_close(struct kerf_perf *p)
{
	for (int e = 0; e < KERF_PEV_N; e++)
		if (p->fd[e])
			close(p->fd[e] - 1);
	memset(p, 0, sizeof(*p));
	p->hw_lead = p->sw_lead = -1;
}

void kerf_perf_report(struct kerf_ctx *ctx, struct kerf_perf *p, double ops,
		      const char *per)
{
	char names[256] = "", metric[96], unit[48];
	size_t off = 0;
	bool any_hw = false;

	for (int e = 0; e < KERF_PEV_N; e++) {
		uint64_t c;

		if (!kerf_perf_read(p, e, &c))
			continue;
		if ((1u << e) & KERF_PEV_HW)
			any_hw = true;
		off += (size_t)snprintf(names + off, sizeof(names) - off,
					"%s%s", off ? "," : "", pevs[e].name);
		if (off >= sizeof(names))
			off = sizeof(names) - 1;
		if (ops > 0) {
			snprintf(metric, sizeof(metric), "%s_per_%s",
				 pevs[e].name, per);
			snprintf(unit, sizeof(unit), "count/%s", per);
			kerf_metric(ctx, metric, (double)c / ops, unit);
		}
	}
	if (any_hw)
		kerf_info(ctx, "counters", "available: %s%s", names,
			  p->exclude_kernel ? " (user space only)" : "");
	else
		kerf_info(ctx, "counters",
			  "unavailable: %s; software only: %s%s",
			  p->hw_why[0] ? p->hw_why : "no hardware event asked",
			  names[0] ? names : "none",
			  p->exclude_kernel ? " (user space only)" : "");
	if (p->sw_why[0])
		kerf_info(ctx, "counters_sw", "%s", p->sw_why);
}
