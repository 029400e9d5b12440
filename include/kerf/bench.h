/* SPDX-License-Identifier: MIT */
/* The bench descriptor and the context API every bench is written against. */
#ifndef KERF_BENCH_H
#define KERF_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct kerf_ctx;

/*
 * Parameter types and the C type of the field each one fills in the
 * bench's private struct:
 *   INT  int64_t   plain integer ("12", "-3"), checked against min/max
 *   SIZE uint64_t  bytes with an optional binary suffix ("4K", "1G")
 *   TIME uint64_t  nanoseconds with a unit ("10ms", "2s", "500us")
 *   ENUM int       index into the comma-separated choices
 *   BOOL bool      "0" or "1" (a switch; printed back as "0" or "1")
 *   STR  const char * (valid until teardown returns)
 */
enum kerf_ptype {
	KERF_PT_INT,
	KERF_PT_SIZE,
	KERF_PT_TIME,
	KERF_PT_ENUM,
	KERF_PT_BOOL,
	KERF_PT_STR,
};

struct kerf_param {
	const char *name;
	enum kerf_ptype type;
	size_t off;
	const char *def; /* default value; "a,b,c" is a default sweep */
	const char *min; /* INT, SIZE, TIME: bounds, as text */
	const char *max;
	const char *choices; /* ENUM: "a,b,c"; BOOL: "0,1" */
	const char *help;
	/*
	 * Optional, checked at plan time after the type: 0, or -EINVAL with
	 * msg naming the value and the accepted form (STR formats).
	 */
	int (*check)(const char *val, char *msg, size_t len);
};

/* Fails to compile when the field is not of the type the parameter fills. */
#define KERF__OFF(st, fld, ctype) \
	(offsetof(st, fld) + 0 * sizeof(_Generic(((st *)0)->fld, ctype : 1)))

#define KERF_INT(nm, st, fld, dflt, lo, hi, hlp)                            \
	{                                                                   \
		.name = nm, .type = KERF_PT_INT,                            \
		.off = KERF__OFF(st, fld, int64_t), .def = dflt, .min = lo, \
		.max = hi, .help = hlp                                      \
	}
#define KERF_SIZE(nm, st, fld, dflt, lo, hi, hlp)                            \
	{                                                                    \
		.name = nm, .type = KERF_PT_SIZE,                            \
		.off = KERF__OFF(st, fld, uint64_t), .def = dflt, .min = lo, \
		.max = hi, .help = hlp                                       \
	}
#define KERF_TIME(nm, st, fld, dflt, lo, hi, hlp)                            \
	{                                                                    \
		.name = nm, .type = KERF_PT_TIME,                            \
		.off = KERF__OFF(st, fld, uint64_t), .def = dflt, .min = lo, \
		.max = hi, .help = hlp                                       \
	}
#define KERF_ENUM(nm, st, fld, dflt, chs, hlp)                               \
	{                                                                    \
		.name = nm, .type = KERF_PT_ENUM,                            \
		.off = KERF__OFF(st, fld, int), .def = dflt, .choices = chs, \
		.help = hlp                                                  \
	}
#define KERF_BOOL(nm, st, fld, dflt, hlp)                     \
	{                                                     \
		.name = nm, .type = KERF_PT_BOOL,             \
		.off = KERF__OFF(st, fld, bool), .def = dflt, \
		.choices = "0,1", .help = hlp                 \
	}
/* A STR parameter whose values chk checks at plan time. */
#define KERF_STR_CHECK(nm, st, fld, dflt, chk, hlp)                   \
	{                                                             \
		.name = nm, .type = KERF_PT_STR,                      \
		.off = KERF__OFF(st, fld, const char *), .def = dflt, \
		.help = hlp, .check = chk                             \
	}
#define KERF_STR(nm, st, fld, dflt, hlp)                              \
	{                                                             \
		.name = nm, .type = KERF_PT_STR,                      \
		.off = KERF__OFF(st, fld, const char *), .def = dflt, \
		.help = hlp                                           \
	}

enum kerf_better {
	KERF_LOWER_IS_BETTER,
	KERF_HIGHER_IS_BETTER,
};

/* Bench flags. */
#define KERF_F_SAMPLES \
	(1u << 0) /* run() hands samples over with kerf_sample() */
#define KERF_F_ROOT (1u << 1) /* needs root (CAP_SYS_ADMIN or similar) */
#define KERF_F_NODEFAULT (1u << 2) /* not part of the default suite */
#define KERF_F_DESTRUCTIVE \
	(1u << 3) /* changes system state (drops caches...) */
#define KERF_F_ONEPROC (1u << 4) /* all samples in one worker process */

/* What run() and setup() return besides 0 and a negative errno. */
#define KERF_SKIP 1

struct json_t; /* run.json, jansson's; only benches/lib/ looks inside */

/*
 * Figures a family derives across the results of a run (knees of a sweep,
 * a fit, a ratio of two benches), kept in benches/lib/ and named by each of
 * the family's descriptors. After the last result the runner calls each
 * distinct one once: derive adds to the run's "derived" object and returns
 * the number of figures or a negative errno; print, when set, writes them
 * to stdout under the result table of a finished run.
 */
struct kerf_derive {
	int (*derive)(struct json_t *run);
	void (*print)(const struct json_t *run);
};

struct kerf_bench {
	const char *name; /* "family/variant" */
	const char *summary; /* one line */
	const char *unit; /* of one sample: "ns/op", "ns/access", "req/s" */
	enum kerf_better better;
	unsigned int flags;
	const struct kerf_param *params; /* terminated by { } */
	size_t priv_size;
	/* Parameter defaults per profile, "name=v1,v2 name2=v": */
	const char *quick;
	const char *full;
	double noise_pct; /* gate threshold for this bench, 0: default */
	/*
	 * Optional, at plan time, for each parameter set: priv zeroed and
	 * the parameters stored as setup sees them (strings valid only
	 * during the call). Returns 0, or -EINVAL with msg naming the values
	 * that do not go together; the run is then refused (exit 2).
	 */
	int (*check)(const void *priv, char *msg, size_t len);
	int (*setup)(struct kerf_ctx *ctx);
	/*
	 * Timed benches: perform exactly n operations; the harness times
	 * the call. KERF_F_SAMPLES benches: take n samples, each timed with
	 * kerf_time_start()/kerf_time_stop() and handed over with
	 * kerf_sample().
	 */
	int (*run)(struct kerf_ctx *ctx, uint64_t n);
	/* Called whenever setup was called, even when it failed: it must
	 * cope with a private struct that setup filled only in part. */
	void (*teardown)(struct kerf_ctx *ctx);
	const struct kerf_derive *derive; /* NULL: no figures across results */
};

/* The bench's private struct, zeroed, parameters filled in. */
void *kerf_priv(struct kerf_ctx *ctx);

/* Skip: records the reason, returns KERF_SKIP for the caller to return. */
int kerf_skip(struct kerf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Error with a message; returns the negative errno given (or -EIO). */
int kerf_fail(struct kerf_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning attached to the result (shown in the table and the report). */
void kerf_warn(struct kerf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A named string fact: what was asked and what was obtained, and so on. */
void kerf_info(struct kerf_ctx *ctx, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A derived figure with its unit (median over worker processes is kept). */
void kerf_metric(struct kerf_ctx *ctx, const char *name, double value,
		 const char *unit);
/* One sample, in the bench's unit (KERF_F_SAMPLES benches). */
void kerf_sample(struct kerf_ctx *ctx, double value);
/*
 * The timing window of a KERF_F_SAMPLES bench (google/benchmark's
 * ResumeTiming and PauseTiming): kerf_time_start() reads the clock,
 * kerf_time_stop() reads it again and returns the nanoseconds between the
 * two readings. Only what lies between them is measured; the bench turns
 * the time into its unit and hands it over with kerf_sample().
 */
void kerf_time_start(struct kerf_ctx *ctx);
uint64_t kerf_time_stop(struct kerf_ctx *ctx);

/* The PU the harness pinned this worker to, and the PUs it may use. */
int kerf_cpu(struct kerf_ctx *ctx);
int kerf_cpus_allowed(struct kerf_ctx *ctx, int *pus, int max);
/* Record the PUs a bench used besides its own (helper threads, peers). */
void kerf_cpus_used(struct kerf_ctx *ctx, int pu);
/*
 * Record a PU pair from kerf_topo_pair: the relation it has (info
 * "placement_got": same, smt, core, l3, numa), the reason from why (info
 * "placement_why", when not empty), and a warning when both ends share one
 * PU although they were not asked to.
 */
void kerf_placed(struct kerf_ctx *ctx, int asked, int a, int b,
		 const char *why);
/* The profile: 0 quick, 1 default, 2 full (for a bench's own loop bounds). */
int kerf_profile(struct kerf_ctx *ctx);
/* Directory for scratch files (--tmpdir, default /tmp); exists. */
const char *kerf_tmpdir(struct kerf_ctx *ctx);
/* Path of a helper program installed next to the kerf binary. */
int kerf_helper_path(struct kerf_ctx *ctx, const char *name, char *buf,
		     size_t len);

/* CLOCK_MONOTONIC in nanoseconds (a sample's window: kerf_time_start). */
static inline uint64_t kerf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Keep the compiler from deleting a computation or a memory write. */
#define kerf_keep(x) __asm__ volatile("" : : "r,m"(x) : "memory")
#define kerf_barrier() __asm__ volatile("" : : : "memory")

#endif
