/* SPDX-License-Identifier: MIT */
/*
 * The worker process: one fresh process runs one bench with one parameter
 * set, calibrates, warms up, subtracts the loop and clock overhead, takes
 * samples, and hands everything back to the runner as JSON on fd 3.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"
#include "kerf/stats.h"
#include "kerf/topo.h"

#define RESULT_FD 3

struct wspec {
	uint64_t iters; /* 0: calibrate */
	int samples;
	uint64_t target_ns;
	uint64_t warmup_ns;
	uint64_t budget_ns; /* samples stop once this much time is spent */
	bool linearity;
};

/* The loop a bench's run() has around its operation, without the work. */
static __attribute__((noinline)) void empty_loop(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		kerf_barrier();
}

static int time_run(struct kerf_ctx *ctx, uint64_t n, uint64_t *ns)
{
	uint64_t t0, t1;
	int rc;

	t0 = kerf_now_ns();
	rc = ctx->bench->run(ctx, n);
	t1 = kerf_now_ns();
	*ns = t1 - t0;
	return rc;
}

static double median_of(double *v, int n)
{
	return kerf_median(v, (size_t)n);
}

/*
 * Overheads are the minimum of several timings: a preemption can only add
 * time, and a median taken while the machine is busy would subtract too
 * much and could make samples negative.
 */
static double clock_overhead(void)
{
	double best = 1e18;

	for (int i = 0; i < 1001; i++) {
		uint64_t a = kerf_now_ns(), b = kerf_now_ns();

		if ((double)(b - a) < best)
			best = (double)(b - a);
	}
	return best;
}

static double loop_overhead(uint64_t n)
{
	double best = 1e18;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = kerf_now_ns();
		double d;

		empty_loop(n);
		d = (double)(kerf_now_ns() - t0) / (double)n;
		if (d < best)
			best = d;
	}
	return best;
}

/*
 * Double n until one batch lasts a tenth of the target, then scale n to the
 * target from the fastest of three batches at that n: one preemption in the
 * timing would otherwise leave n far too small.
 */
static int calibrate(struct kerf_ctx *ctx, const struct wspec *ws,
		     uint64_t *iters)
{
	uint64_t n = 1, t, best;
	int rc;

	for (;;) {
		rc = time_run(ctx, n, &t);
		if (rc)
			return rc;
		if (t >= ws->target_ns / 10 || n >= (1ull << 40))
			break;
		n *= t < ws->target_ns / 1000 ? 10 : 2;
	}
	best = t;
	for (int i = 0; i < 2 && t < ws->target_ns; i++) {
		rc = time_run(ctx, n, &t);
		if (rc)
			return rc;
		if (t < best)
			best = t;
	}
	if (best < ws->target_ns) {
		double scale =
			(double)ws->target_ns / (double)(best ? best : 1);

		n = (uint64_t)ceil((double)n * scale);
	}
	*iters = n ? n : 1;
	return 0;
}

static int timed(struct kerf_ctx *ctx, const struct wspec *ws, json_t *out)
{
	uint64_t n = ws->iters, t, start, spent;
	json_t *preempted;
	double clock_ns, loop_ns;
	int rc;

	if (!n) {
		rc = calibrate(ctx, ws, &n);
		if (rc)
			return rc;
	}
	start = kerf_now_ns();
	do {
		rc = time_run(ctx, n, &t);
		if (rc)
			return rc;
	} while (kerf_now_ns() - start < ws->warmup_ns);

	clock_ns = clock_overhead();
	loop_ns = loop_overhead(n);
	json_object_set_new(out, "overhead",
			    json_pack("{s:f, s:f}", "loop_ns", loop_ns,
				      "clock_ns", clock_ns));

	/* With one operation per batch there is nothing to split: skip. */
	if (ws->linearity && n > 1) {
		double t1[3], t2[3], ratio;
		uint64_t a, b;

		/* lmbench's check: twice the work should take twice the time. */
		for (int i = 0; i < 3; i++) {
			rc = time_run(ctx, n, &a);
			if (!rc)
				rc = time_run(ctx, 2 * n, &b);
			if (rc)
				return rc;
			t1[i] = (double)a;
			t2[i] = (double)b;
		}
		ratio = median_of(t2, 3) / median_of(t1, 3);
		json_object_set_new(out, "linearity",
				    json_pack("{s:f, s:b}", "ratio", ratio,
					      "ok", fabs(ratio - 2.0) <= 0.2));
	}

	start = kerf_now_ns();
	preempted = json_array();
	json_object_set_new(out, "preempted", preempted);
	for (int i = 0; i < ws->samples; i++) {
		struct rusage r0, r1;
		double v;

		/* Involuntary switches of the timing thread during the sample:
		 * another task had its PU. */
		getrusage(RUSAGE_THREAD, &r0);
		rc = time_run(ctx, n, &t);
		getrusage(RUSAGE_THREAD, &r1);
		if (rc)
			return rc;
		v = ((double)t - clock_ns) / (double)n - loop_ns;
		json_array_append_new(ctx->out_samples, json_real(v));
		json_array_append_new(
			preempted, json_integer(r1.ru_nivcsw - r0.ru_nivcsw));
		spent = kerf_now_ns() - start;
		/* Past the budget, stop, keeping at least three samples. */
		if (i >= 2 && spent > ws->budget_ns)
			break;
	}
	json_object_set_new(out, "iterations", json_integer((json_int_t)n));
	return 0;
}

static int sampled(struct kerf_ctx *ctx, const struct wspec *ws, json_t *out)
{
	uint64_t t;
	int rc, k;
	double per;

	/* One warm-up sample, discarded; it also prices a sample. */
	rc = time_run(ctx, 1, &t);
	if (rc)
		return rc;
	json_array_clear(ctx->out_samples);
	per = (double)(t ? t : 1);
	k = ws->samples;
	if ((double)k * per > (double)ws->budget_ns)
		k = (int)((double)ws->budget_ns / per);
	if (k < 3)
		k = 3;
	rc = ctx->bench->run(ctx, (uint64_t)k);
	if (rc)
		return rc;
	if (!json_array_size(ctx->out_samples))
		return kerf_fail(ctx, -EIO, "the bench handed over no sample");
	json_object_set_new(out, "iterations", json_integer(1));
	return 0;
}

static int fill_params(struct kerf_ctx *ctx, json_t *params)
{
	const struct kerf_param *p;

	for (p = ctx->bench->params; p && p->name; p++) {
		const char *v =
			json_string_value(json_object_get(params, p->name));

		if (!v)
			v = p->def;
		if (kerf_param_store(p, ctx->priv, v))
			return kerf_fail(ctx, -EINVAL,
					 "parameter %s: bad value '%s'",
					 p->name, v);
	}
	return 0;
}

static void emit(json_t *out)
{
	char *text = json_dumps(out, JSON_COMPACT);
	size_t len, off = 0;

	if (!text)
		return;
	len = strlen(text);
	while (off < len) {
		ssize_t w = write(RESULT_FD, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(text);
}

/* kerf __worker SPEC-JSON */
int kerf_worker_main(int argc, char **argv)
{
	struct kerf_ctx ctx = { 0 };
	struct wspec ws = { 0 };
	json_error_t je;
	json_t *spec, *out, *a, *v;
	int rc = 0;
	size_t i;

	if (argc < 2 || !(spec = json_loads(argv[1], 0, &je))) {
		fprintf(stderr, "kerf __worker: bad spec\n");
		return 2;
	}
	ctx.bench = kerf_bench_find(
		json_string_value(json_object_get(spec, "bench")));
	if (!ctx.bench) {
		fprintf(stderr, "kerf __worker: unknown bench\n");
		return 2;
	}
	ctx.params = json_object_get(spec, "params");
	ctx.cpu = (int)json_integer_value(json_object_get(spec, "cpu"));
	ctx.profile = (int)json_integer_value(json_object_get(spec, "profile"));
	ctx.tmpdir = json_string_value(json_object_get(spec, "tmpdir"));
	a = json_object_get(spec, "allowed");
	ctx.nallowed = (int)json_array_size(a);
	ctx.allowed = calloc((size_t)ctx.nallowed + 1, sizeof(int));
	json_array_foreach(a, i, v) ctx.allowed[i] = (int)json_integer_value(v);
	ws.iters = (uint64_t)json_integer_value(json_object_get(spec, "iters"));
	ws.samples = (int)json_integer_value(json_object_get(spec, "samples"));
	ws.target_ns = (uint64_t)json_integer_value(
		json_object_get(spec, "target_ns"));
	ws.warmup_ns = (uint64_t)json_integer_value(
		json_object_get(spec, "warmup_ns"));
	ws.budget_ns = (uint64_t)json_integer_value(
		json_object_get(spec, "budget_ns"));
	ws.linearity = json_is_true(json_object_get(spec, "linearity"));

	ctx.out_samples = json_array();
	ctx.out_metrics = json_object();
	ctx.out_info = json_object();
	ctx.out_warnings = json_array();
	ctx.out_cpus = json_array();
	out = json_object();

	/* top and perf show which bench is on the CPU. */
	prctl(PR_SET_NAME, ctx.bench->name, 0, 0, 0);
	json_array_append_new(ctx.out_cpus, json_integer(ctx.cpu));
	if (kerf_topo_pin_process(ctx.cpu))
		kerf_warn(&ctx, "could not pin to PU %d", ctx.cpu);

	ctx.priv = calloc(1, ctx.bench->priv_size ? ctx.bench->priv_size : 1);
	rc = fill_params(&ctx, ctx.params);
	if (!rc) {
		/* teardown runs whenever setup ran: it finds priv zeroed where
		 * setup did not get to. */
		if (ctx.bench->setup)
			rc = ctx.bench->setup(&ctx);
		if (!rc && (ctx.bench->flags & KERF_F_SAMPLES))
			rc = sampled(&ctx, &ws, out);
		else if (!rc)
			rc = timed(&ctx, &ws, out);
		if (ctx.bench->teardown)
			ctx.bench->teardown(&ctx);
	}

	if (rc == KERF_SKIP) {
		json_object_set_new(out, "status", json_string("skip"));
		json_object_set_new(out, "reason", json_string(ctx.reason));
	} else if (rc) {
		json_object_set_new(out, "status", json_string("error"));
		json_object_set_new(out, "reason",
				    json_string(ctx.reason[0] ? ctx.reason :
								strerror(-rc)));
	} else {
		json_object_set_new(out, "status", json_string("ok"));
		json_object_set(out, "samples", ctx.out_samples);
	}
	json_object_set(out, "metrics", ctx.out_metrics);
	json_object_set(out, "info", ctx.out_info);
	json_object_set(out, "warnings", ctx.out_warnings);
	json_object_set(out, "cpus", ctx.out_cpus);
	emit(out);
	json_decref(out);
	json_decref(ctx.out_samples);
	json_decref(ctx.out_metrics);
	json_decref(ctx.out_info);
	json_decref(ctx.out_warnings);
	json_decref(ctx.out_cpus);
	json_decref(spec);
	free(ctx.priv);
	free(ctx.allowed);
	return 0;
}
