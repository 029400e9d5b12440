/* SPDX-License-Identifier: MIT */
/* The API a stressor calls (kerf/stress.h): its run, workers, figures. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "reason.h"
#include "stress_run.h"

void *kerf_stress_priv(const struct kerf_stress *st)
{
	return st->priv;
}

void *kerf_stress_shared(const struct kerf_stress *st)
{
	return st->shared;
}

uint64_t kerf_stress_limit(const struct kerf_stress *st)
{
	return st->limit;
}

uint64_t kerf_stress_duration_ns(const struct kerf_stress *st)
{
	return st->duration_ns;
}

uint64_t kerf_stress_sample_ns(const struct kerf_stress *st)
{
	return st->sample_ns;
}

const char *kerf_stress_tmpdir(const struct kerf_stress *st)
{
	return st->tmpdir;
}

struct kerf_cg *kerf_stress_cg(struct kerf_stress *st)
{
	return &st->cg;
}

int kerf_stress_nworkers(const struct kerf_stress *st)
{
	return st->nworkers;
}

const struct kerf_worker *kerf_stress_worker(const struct kerf_stress *st,
					     int i)
{
	return i >= 0 && i < st->nworkers ? &st->w[i] : NULL;
}

int kerf_stress_nkilled(const struct kerf_stress *st)
{
	return st->nkilled;
}

uint64_t kerf_stress_first_kill_ns(const struct kerf_stress *st)
{
	return st->t_first_kill_ns;
}

/* What a worker runs, handed through the spawn. */
struct stress_spawn_arg {
	struct kerf_stress *st;
	int (*fn)(struct kerf_stress *st, int idx);
	int idx;
};

/* Runs in the worker: name it for top, then the stressor's loop. */
static int stress_trampoline(void *a)
{
	struct stress_spawn_arg *arg = a;
	char name[16];

	snprintf(name, sizeof(name), "kerf-w%d", arg->idx);
	prctl(PR_SET_NAME, name);
	return arg->fn(arg->st, arg->idx);
}

pid_t kerf_stress_spawn(struct kerf_stress *st, const char *role,
			int (*fn)(struct kerf_stress *st, int idx), int idx)
{
	struct stress_spawn_arg arg = { st, fn, idx };
	struct kerf_worker *w;
	pid_t pid;

	if (st->nworkers >= KERF_STRESS_MAXW)
		return -ENOSPC;
	pid = kerf_cg_spawn(&st->cg, stress_trampoline, &arg);
	if (pid < 0)
		return pid;
	w = &st->w[st->nworkers++];
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->oom_score = -1;
	snprintf(w->role, sizeof(w->role), "%s", role);
	return pid;
}

bool kerf_stress_expired(const struct kerf_stress *st)
{
	return kerf_now_ns() >= st->t0_ns + st->duration_ns;
}

int kerf_stress_skip(struct kerf_stress *st, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kerf_vskip(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
	return ret;
}

int kerf_stress_fail(struct kerf_stress *st, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kerf_vfail(st->reason, sizeof(st->reason), err, fmt, ap);
	va_end(ap);
	return ret;
}

void kerf_stress_col(struct kerf_stress *st, const char *name, double v)
{
	json_t *a = json_object_get(st->timeline, name);

	if (!a) {
		a = json_array();
		json_object_set_new(st->timeline, name, a);
	}
	if (v == floor(v) && fabs(v) < 9e15)
		json_array_append_new(a, json_integer((json_int_t)v));
	else
		json_array_append_new(a, json_real(v));
}

size_t kerf_stress_col_len(const struct kerf_stress *st, const char *name)
{
	return json_array_size(json_object_get(st->timeline, name));
}

double kerf_stress_col_at(const struct kerf_stress *st, const char *name,
			  size_t i)
{
	json_t *a = json_object_get(st->timeline, name);

	if (!a || i >= json_array_size(a))
		return NAN;
	return json_number_value(json_array_get(a, i));
}

int64_t kerf_stress_event_delta(const struct kerf_stress *st, const char *event)
{
	json_t *ev = json_object_get(st->outcome, "events_delta");

	return (int64_t)json_integer_value(json_object_get(ev, event));
}

void kerf_stress_figure(struct kerf_stress *st, const char *name, double v,
			const char *unit)
{
	if (!isfinite(v))
		return;
	json_object_set_new(st->figures, name, json_real(v));
	json_object_set_new(st->units, name, json_string(unit ? unit : ""));
}

double kerf_stress_figure_value(const struct kerf_stress *st, const char *name)
{
	json_t *v = json_object_get(st->figures, name);

	return v ? json_number_value(v) : NAN;
}

/* Set key of obj to the formatted string. */
static void stress_vset(json_t *obj, const char *key, const char *fmt,
			va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	json_object_set_new(obj, key, json_string(buf));
}

void kerf_stress_info(struct kerf_stress *st, const char *key, const char *fmt,
		      ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vset(st->info, key, fmt, ap);
	va_end(ap);
}

void kerf_stress_observed(struct kerf_stress *st, bool as_expected,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vset(st->outcome, "observed", fmt, ap);
	va_end(ap);
	json_object_set_new(st->outcome, "as_expected",
			    json_boolean(as_expected));
}

void kerf_stress_outcome(struct kerf_stress *st, const char *key,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	stress_vset(st->outcome, key, fmt, ap);
	va_end(ap);
}

void kerf_stress_outcome_bool(struct kerf_stress *st, const char *key, bool v)
{
	json_object_set_new(st->outcome, key, json_boolean(v));
}

void kerf_stress_pace(uint64_t *next, uint64_t period_ns)
{
	struct timespec ts;

	*next += period_ns;
	ts.tv_sec = (time_t)(*next / 1000000000ull);
	ts.tv_nsec = (long)(*next % 1000000000ull);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}
