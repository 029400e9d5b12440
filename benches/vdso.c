/* SPDX-License-Identifier: MIT */
/* The vdso family: the time calls the vDSO serves in user space, against the same
 * calls made as real system calls. */
#include <errno.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kerf/bench.h"
#include "kerf/derive.h"

enum { VIA_VDSO, VIA_SYSCALL };
#define VIA_CHOICES "vdso,syscall"
#define VIA_HELP \
	"vdso: libc's call, served in user space where the vDSO can; syscall: the same call through syscall(2)"

struct vdso_priv {
	int clock;
	int via;
	clockid_t id;
};

static const clockid_t clock_ids[] = {
	CLOCK_MONOTONIC,     CLOCK_REALTIME, CLOCK_MONOTONIC_COARSE,
	CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID,
};

static const struct kerf_param clock_gettime_params[] = {
	KERF_ENUM(
		"clock", struct vdso_priv, clock,
		"monotonic,realtime,monotonic_coarse,monotonic_raw,boottime,process_cputime",
		"monotonic,realtime,monotonic_coarse,monotonic_raw,boottime,process_cputime",
		"the clock read"),
	KERF_ENUM("via", struct vdso_priv, via, "vdso,syscall", VIA_CHOICES,
		  VIA_HELP),
	{ 0 }
};

static const struct kerf_param via_params[] = {
	KERF_ENUM("via", struct vdso_priv, via, "vdso,syscall", VIA_CHOICES,
		  VIA_HELP),
	{ 0 }
};

/* Every vdso bench records whether the process has a vDSO at all. */
static int vdso_setup(struct kerf_ctx *ctx)
{
	struct vdso_priv *p = kerf_priv(ctx);
	unsigned long base = getauxval(AT_SYSINFO_EHDR);

	if (base)
		kerf_info(ctx, "vdso", "mapped (AT_SYSINFO_EHDR present)");
	else
		kerf_info(ctx, "vdso", "absent: every call is a system call");
	p->id = clock_ids[p->clock];
	return 0;
}

static int vdso_clock_gettime_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct vdso_priv *p = kerf_priv(ctx);
	struct timespec ts;

	if (p->via == VIA_VDSO) {
		for (uint64_t i = 0; i < n; i++) {
			clock_gettime(p->id, &ts);
			kerf_keep(ts.tv_nsec);
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			syscall(SYS_clock_gettime, p->id, &ts);
			kerf_keep(ts.tv_nsec);
		}
	}
	return 0;
}

const struct kerf_bench vdso_clock_gettime = {
	.name = "vdso/clock_gettime",
	.summary =
		"clock_gettime() of each clock, through the vDSO and as a syscall",
	.unit = "ns/op",
	.params = clock_gettime_params,
	.priv_size = sizeof(struct vdso_priv),
	.setup = vdso_setup,
	.run = vdso_clock_gettime_run,
	.derive = &kerf_derive_vdso,
};

static int vdso_gettimeofday_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct vdso_priv *p = kerf_priv(ctx);
	struct timeval tv;

	if (p->via == VIA_VDSO) {
		for (uint64_t i = 0; i < n; i++) {
			gettimeofday(&tv, NULL);
			kerf_keep(tv.tv_usec);
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			syscall(SYS_gettimeofday, &tv, NULL);
			kerf_keep(tv.tv_usec);
		}
	}
	return 0;
}

const struct kerf_bench vdso_gettimeofday = {
	.name = "vdso/gettimeofday",
	.summary = "gettimeofday(), through the vDSO and as a syscall",
	.unit = "ns/op",
	.params = via_params,
	.priv_size = sizeof(struct vdso_priv),
	.setup = vdso_setup,
	.run = vdso_gettimeofday_run,
	.derive = &kerf_derive_vdso,
};

static int vdso_time_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct vdso_priv *p = kerf_priv(ctx);
	time_t t;

	if (p->via == VIA_VDSO) {
		for (uint64_t i = 0; i < n; i++) {
			t = time(NULL);
			kerf_keep(t);
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			t = (time_t)syscall(SYS_time, NULL);
			kerf_keep(t);
		}
	}
	return 0;
}

const struct kerf_bench vdso_time = {
	.name = "vdso/time",
	.summary = "time(), through the vDSO and as a syscall",
	.unit = "ns/op",
	.params = via_params,
	.priv_size = sizeof(struct vdso_priv),
	.setup = vdso_setup,
	.run = vdso_time_run,
	.derive = &kerf_derive_vdso,
};

static int vdso_getcpu_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct vdso_priv *p = kerf_priv(ctx);
	unsigned int cpu, node;

	/* getcpu(3), not sched_getcpu(3): glibc serves the latter from rseq,
	 * which would measure neither the vDSO nor the kernel. */
	if (p->via == VIA_VDSO) {
		for (uint64_t i = 0; i < n; i++) {
			getcpu(&cpu, &node);
			kerf_keep(cpu);
		}
	} else {
		for (uint64_t i = 0; i < n; i++) {
			syscall(SYS_getcpu, &cpu, &node, NULL);
			kerf_keep(cpu);
		}
	}
	return 0;
}

const struct kerf_bench vdso_getcpu = {
	.name = "vdso/getcpu",
	.summary = "getcpu(), through the vDSO and as a syscall",
	.unit = "ns/op",
	.params = via_params,
	.priv_size = sizeof(struct vdso_priv),
	.setup = vdso_setup,
	.run = vdso_getcpu_run,
	.derive = &kerf_derive_vdso,
};
