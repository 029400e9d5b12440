/* SPDX-License-Identifier: MIT */
/* The context API a bench calls: its private data, skip, warn, metrics,
 * samples and their timing window. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kerf/topo.h"
#include "reason.h"

void *kerf_priv(struct kerf_ctx *ctx)
{
	return ctx->priv;
}

int kerf_skip(struct kerf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kerf_vskip(ctx->reason, sizeof(ctx->reason), fmt, ap);
	va_end(ap);
	return ret;
}

int kerf_fail(struct kerf_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kerf_vfail(ctx->reason, sizeof(ctx->reason), err, fmt, ap);
	va_end(ap);
	return ret;
}

void kerf_warn(struct kerf_ctx *ctx, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	size_t i;
	json_t *w;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_foreach(ctx->out_warnings, i,
			   w) if (!strcmp(json_string_value(w), buf)) return;
	json_array_append_new(ctx->out_warnings, json_string(buf));
}

void kerf_info(struct kerf_ctx *ctx, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_set_new(ctx->out_info, key, json_string(buf));
}

void kerf_metric(struct kerf_ctx *ctx, const char *name, double value,
		 const char *unit)
{
	json_object_set_new(ctx->out_metrics, name,
			    json_pack("{s:f, s:s}", "value", value, "unit",
				      unit ? unit : ""));
}

void kerf_sample(struct kerf_ctx *ctx, double value)
{
	json_array_append_new(ctx->out_samples, json_real(value));
}

void kerf_time_start(struct kerf_ctx *ctx)
{
	ctx->window_t0 = kerf_now_ns();
}

uint64_t kerf_time_stop(struct kerf_ctx *ctx)
{
	return kerf_now_ns() - ctx->window_t0;
}

int kerf_cpu(struct kerf_ctx *ctx)
{
	return ctx->cpu;
}

void kerf_placed(struct kerf_ctx *ctx, int asked, int a, int b, const char *why)
{
	enum kerf_placement got = kerf_topo_relation(a, b);

	kerf_info(ctx, "placement_got", "%s", kerf_placement_name(got));
	if (why && why[0])
		kerf_info(ctx, "placement_why", "%s", why);
	if (got == KERF_PL_SAME && asked != KERF_PL_SAME)
		kerf_warn(
			ctx,
			"one PU only: both ends share PU %d, so every exchange is a context switch",
			a);
}

int kerf_cpus_allowed(struct kerf_ctx *ctx, int *pus, int max)
{
	int n = ctx->nallowed < max ? ctx->nallowed : max;

	memcpy(pus, ctx->allowed, (size_t)n * sizeof(*pus));
	return ctx->nallowed;
}

void kerf_cpus_used(struct kerf_ctx *ctx, int pu)
{
	size_t i;
	json_t *v;

	json_array_foreach(ctx->out_cpus, i,
			   v) if (json_integer_value(v) == pu) return;
	json_array_append_new(ctx->out_cpus, json_integer(pu));
}

int kerf_profile(struct kerf_ctx *ctx)
{
	return ctx->profile;
}

const char *kerf_tmpdir(struct kerf_ctx *ctx)
{
	return ctx->tmpdir;
}

/*
 * An installed kerf finds its helpers in ../libexec/kerf/ from its binary
 * (KERF_HELPER_DIR, relative to the binary's directory, set by CMake from
 * the install dirs); a build tree has them beside the binary.
 */
int kerf_helper_path(struct kerf_ctx *ctx, const char *name, char *buf,
		     size_t len)
{
	char self[PATH_MAX], beside[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	self[n] = 0;
	slash = strrchr(self, '/');
	if (slash)
		*slash = 0;
	if (snprintf(beside, sizeof(beside), "%s/%s", self, name) >=
		    (int)sizeof(beside) ||
	    snprintf(buf, len, "%s/%s/%s", self, KERF_HELPER_DIR, name) >=
		    (int)len)
		return -ENAMETOOLONG;
	if (!access(buf, X_OK))
		return 0;
	if (!access(beside, X_OK)) {
		snprintf(buf, len, "%s", beside);
		return 0;
	}
	return -errno;
}
