/* SPDX-License-Identifier: MIT */
/* The evloop family: echo servers on epoll, poll, select and io_uring. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kerf/bench.h"
#include "kerf/echo.h"
#include "kerf/knee.h"
#include "kerf/ratesearch.h"
#include "kerf/stats.h"
#include "kerf/topo.h"

#define EVL_MAX_PUS 1024

struct evl_priv {
	int64_t conns;
	int transport;
	uint64_t msg;
	int64_t depth;
	int placement;
	int64_t reqs;
	int trigger; /* epoll: level, edge */
	int mode; /* io_uring: poll, recv */
	bool sqpoll;
	int taskrun;
	bool fixed_files;
	int load; /* closed, open */
	int64_t rate;
	int arrival; /* const, poisson */
	int wait; /* open load, the client: spin, sleep */
	const char *slo;
	double slo_q;
	uint64_t slo_ns;
	struct kerf_echo *echo;
};

/* A value of slo, at plan time: none, or what kerf_slo_parse takes. */
static int evl_slo_check(const char *val, char *msg, size_t len)
{
	uint64_t ns;
	double q;
	int ret;

	if (!strcmp(val, "none"))
		return 0;
	ret = kerf_slo_parse(val, &q, &ns, msg, len);
	if (ret && strlen(msg) + 12 < len)
		strcat(msg, "; or none");
	return ret;
}

/* The parameters that go together: an slo with open load, search with one. */
static int evl_check(const void *priv, char *msg, size_t len)
{
	const struct evl_priv *p = priv;
	bool slo = p->slo && strcmp(p->slo, "none");

	if (slo && p->load == 0) {
		snprintf(
			msg, len,
			"slo=%s needs load=open or load=search: load=closed offers no rate, it keeps depth requests in flight",
			p->slo);
		return -EINVAL;
	}
	if (p->load == 2 && !slo) {
		snprintf(
			msg, len,
			"load=search needs a target: -p slo=pQ:TIME such as slo=p99:1ms");
		return -EINVAL;
	}
	return 0;
}

/* clang-format off */
#define EVL_COMMON_PARAMS						\
	KERF_INT("conns", struct evl_priv, conns, "1,100,1000", "1",	\
		 "100000", "connections, each its own server socket"),	\
	KERF_ENUM("transport", struct evl_priv, transport, "unix",	\
		  "unix,tcp",						\
		  "connected AF_UNIX stream sockets, or TCP over 127.0.0.1"), \
	KERF_SIZE("msg", struct evl_priv, msg, "64", "16", "64K",	\
		  "bytes per request and per reply"),			\
	KERF_INT("depth", struct evl_priv, depth, "1", "1", "64",	\
		 "requests in flight per connection"),			\
	KERF_ENUM("placement", struct evl_priv, placement, "near",	\
		  KERF_PLACEMENT_CHOICES,				\
		  "client PU versus server PU (see kerf_topo_pair); near: " \
		  "the nearest distinct pair there is"),		\
	KERF_INT("reqs", struct evl_priv, reqs, "5000", "100",	\
		 "10000000", "requests completed per sample"),		\
	KERF_ENUM("load", struct evl_priv, load, "closed",		\
		  "closed,open,search",					\
		  "closed: depth requests in flight per connection; open: requests sent at rate whatever the replies do; search: each sample is the knee for slo, doubling from rate then bisecting"), \
	KERF_INT("rate", struct evl_priv, rate, "10000", "1", "10000000", \
		 "open load: requests offered per second, all connections"), \
	KERF_ENUM("arrival", struct evl_priv, arrival, "const",	\
		  "const,poisson",					\
		  "open load: constant spacing, or Poisson arrivals"),	\
	KERF_ENUM("wait", struct evl_priv, wait, "sleep", "sleep,spin",	\
		  "open load: the client waits for the next arrival asleep in epoll_pwait2 (a halted vCPU can wake late: send_lag_p99 says how late), or spinning on its PU, yielding between looks (not counted in its busy time)"), \
	KERF_STR_CHECK("slo", struct evl_priv, slo, "none", evl_slo_check, \
		 "open load: latency target pQ:TIME (p99:1ms) or none; a rate sweep then gives the knee")
/* clang-format on */

static const struct kerf_param evl_params[] = {
	EVL_COMMON_PARAMS,
	{},
};

static const struct kerf_param epoll_params[] = {
	EVL_COMMON_PARAMS,
	KERF_ENUM("trigger", struct evl_priv, trigger, "level", "level,edge",
		  "epoll readiness: level-triggered, or EPOLLET"),
	{},
};

static const struct kerf_param uring_params[] = {
	EVL_COMMON_PARAMS,
	KERF_ENUM(
		"mode", struct evl_priv, mode, "poll,recv", "poll,recv",
		"multishot poll then read/send SQEs, or multishot recv into a provided buffer ring then send"),
	KERF_BOOL("sqpoll", struct evl_priv, sqpoll, "0",
		  "IORING_SETUP_SQPOLL: a kernel thread polls the SQ"),
	KERF_ENUM(
		"taskrun", struct evl_priv, taskrun, "default",
		"default,coop,defer",
		"task work: default, COOP_TASKRUN, or DEFER_TASKRUN with SINGLE_ISSUER"),
	KERF_BOOL("fixed_files", struct evl_priv, fixed_files, "0",
		  "register the sockets (IOSQE_FIXED_FILE)"),
	{},
};

static int evl_result(struct kerf_ctx *ctx, int ret, const char *why)
{
	if (ret == KERF_SKIP)
		return kerf_skip(ctx, "%s", why);
	return kerf_fail(ctx, ret, "%s", why);
}

static int evl_setup(struct kerf_ctx *ctx, enum kerf_echo_engine engine)
{
	struct evl_priv *p = kerf_priv(ctx);
	struct kerf_echo_cfg cfg = {
		.engine = engine,
		.transport = (enum kerf_echo_transport)p->transport,
		.conns = (int)p->conns,
		.msg = (size_t)p->msg,
		.depth = (int)p->depth,
		.edge = p->trigger == 1,
		.uring_mode = (enum kerf_echo_uring_mode)p->mode,
		.sqpoll = p->sqpoll,
		.taskrun = (enum kerf_echo_taskrun)p->taskrun,
		.fixed_files = p->fixed_files,
		.open = p->load >= 1,
		.poisson = p->arrival == 1,
		.spin = p->wait == 1,
		.rate = (double)p->rate,
	};
	char why[1024], placed[1024];
	int pus[EVL_MAX_PUS], n, a, b, ret;

	/* the plan checked these (evl_check); jobs from elsewhere too */
	ret = evl_check(p, why, sizeof(why));
	if (!ret && p->slo && strcmp(p->slo, "none"))
		ret = kerf_slo_parse(p->slo, &p->slo_q, &p->slo_ns, why,
				     sizeof(why));
	if (ret)
		return kerf_fail(ctx, ret, "%s", why);
	cfg.slo_q = p->slo_q;
	n = kerf_cpus_allowed(ctx, pus, EVL_MAX_PUS);
	if (n > EVL_MAX_PUS)
		n = EVL_MAX_PUS;
	ret = kerf_topo_pair((enum kerf_placement)p->placement, pus, n,
			     kerf_cpu(ctx), &a, &b, placed, sizeof(placed));
	if (ret == -ENOENT)
		return kerf_skip(ctx, "placement: %s", placed);
	if (ret < 0)
		return kerf_fail(ctx, ret, "placement: hwloc topology");
	if (a != kerf_cpu(ctx) && kerf_topo_pin(a) < 0)
		return kerf_fail(ctx, -EPERM, "cannot pin the client to PU %d",
				 a);
	cfg.server_pu = b;
	kerf_cpus_used(ctx, b);
	ret = kerf_echo_start(&cfg, &p->echo, why, sizeof(why));
	if (ret)
		return evl_result(ctx, ret, why);
	kerf_info(ctx, "asked", "%s", kerf_echo_asked(p->echo));
	kerf_info(ctx, "obtained", "%s", kerf_echo_obtained(p->echo));
	kerf_info(ctx, "client_pu", "%d", a);
	kerf_info(ctx, "server_pu", "%d", b);
	kerf_placed(ctx, p->placement, a, b, placed);
	return 0;
}

/*
 * Open load: what was offered, what went out, the target, and who held the
 * rate back. The client was the bottleneck when it sent under 97% of the
 * rate with every window open (the server never made it wait), when its
 * PU was busy over 95% of the time, or when, never made to wait, its sends
 * left so late that the lateness is half the p99 (a client starved of CPU).
 */
/*
 * Requests a measurement at rate needs to tell a rate above the server's
 * capacity: queueing delay grows over the run by the fraction offered
 * beyond capacity, so a run shorter than the target's bound cannot miss
 * it whatever the rate. At least reqs, and at least 20 bounds long (5%
 * overload then pushes the p99 past the bound).
 */
static uint64_t evl_min_reqs(const struct evl_priv *p, double rate)
{
	double need = rate * 20 * (double)p->slo_ns / 1e9;

	return need > (double)p->reqs ? (uint64_t)need : (uint64_t)p->reqs;
}

static const char *evl_who(const struct kerf_echo_summary *s, double rate)
{
	bool slow = s->rate_sent < 0.97 * rate;

	if ((slow && !s->held_back) || s->client_util > 0.95 ||
	    (!s->held_back && s->lag_p99_ns > 0.5 * s->p99_ns))
		return "client";
	if (slow || s->held_back)
		return "server";
	return "none";
}

static void evl_open_metrics(struct kerf_ctx *ctx,
			     const struct kerf_echo_summary *s)
{
	struct evl_priv *p = kerf_priv(ctx);
	const char *who = evl_who(s, (double)p->rate);

	kerf_metric(ctx, "rate_offered", (double)p->rate, "req/s");
	kerf_metric(ctx, "rate_sent", s->rate_sent, "req/s");
	kerf_metric(ctx, "send_lag_p99", s->lag_p99_ns, "ns");
	kerf_metric(ctx, "held_back", (double)s->held_back, "waits");
	if (p->slo_ns) {
		kerf_metric(ctx, "latency_slo", s->slo_ns, "ns");
		kerf_metric(ctx, "slo_met", s->slo_ns <= (double)p->slo_ns,
			    "bool");
	}
	kerf_info(ctx, "bottleneck", "%s", who);
	if (evl_min_reqs(p, (double)p->rate) > (uint64_t)p->reqs)
		kerf_warn(
			ctx,
			"open load: a sample lasts under 20 times the slo bound (reqs / rate): a rate above capacity may still meet the target; raise reqs");
	if (!strcmp(who, "client"))
		kerf_warn(
			ctx,
			"open load: the client, not the server, set the rate or the tail (rate_sent below rate with no window full, client PU busy over 95%%, or send_lag_p99 over half of latency_p99)");
}

/* Search: one open-load measurement at rate; met and who held it back. */
static int evl_step(void *arg, double rate, bool *met, bool *client)
{
	struct kerf_ctx *ctx = arg;
	struct evl_priv *p = kerf_priv(ctx);
	struct kerf_echo_summary s;
	uint64_t done, reqs = evl_min_reqs(p, rate);
	char why[1024];
	int ret;

	kerf_echo_set_rate(p->echo, rate);
	ret = kerf_echo_begin(p->echo, reqs / 5, why, sizeof(why));
	if (!ret)
		ret = kerf_echo_run(p->echo, reqs, &done, why, sizeof(why));
	if (!ret)
		ret = kerf_echo_end(p->echo, &s, why, sizeof(why));
	if (ret)
		return evl_result(ctx, ret, why);
	*met = s.slo_ns <= (double)p->slo_ns;
	*client = !strcmp(evl_who(&s, rate), "client");
	return 0;
}

/*
 * load=search: each sample is one knee (kerf_rate_search from rate, up to
 * 1e7 req/s, to 5%): the highest rate that met the target (0: not even
 * rate).
 */
static int evl_search(struct kerf_ctx *ctx, uint64_t n)
{
	struct evl_priv *p = kerf_priv(ctx);
	struct kerf_rate_search s = {
		.start = (double)p->rate,
		.cap = 1e7,
		.tol = 0.05,
	};
	int steps = 0, nclient = 0, nbelow = 0, ncapped = 0, ret;
	double highs[64];
	uint64_t i;

	for (i = 0; i < n; i++) {
		ret = kerf_rate_search(&s, evl_step, ctx);
		if (ret)
			return ret;
		steps += s.steps;
		nclient += s.client;
		nbelow += s.below;
		ncapped += s.capped;
		kerf_sample(ctx, s.knee);
		highs[i % 64] = s.above;
	}
	kerf_metric(ctx, "knee_above",
		    kerf_median(highs, n < 64 ? (size_t)n : 64), "req/s");
	kerf_metric(ctx, "search_steps", (double)steps / (double)n, "steps");
	if (nclient)
		kerf_warn(
			ctx,
			"load=search: the client, not the server, missed the target at a rate that bounds the knee");
	if (nbelow)
		kerf_warn(
			ctx,
			"load=search: the first rate already missed the target: the knee is below rate (sample 0); start lower");
	if (ncapped)
		kerf_warn(
			ctx,
			"load=search: the target held at every rate up to 1e7 req/s: the knee is above (knee_above 0)");
	return 0;
}

/* n samples, each the throughput of one batch of reqs echo requests. */
static int evl_run(struct kerf_ctx *ctx, uint64_t n)
{
	struct evl_priv *p = kerf_priv(ctx);
	uint64_t warm = (uint64_t)(2 * p->conns * p->depth), done;
	struct kerf_echo_summary s;
	char why[1024];
	int ret;

	if (p->load == 2)
		return evl_search(ctx, n);
	if (warm < (uint64_t)p->reqs / 5)
		warm = (uint64_t)p->reqs / 5;
	ret = kerf_echo_begin(p->echo, warm, why, sizeof(why));
	if (ret)
		return evl_result(ctx, ret, why);
	for (uint64_t i = 0; i < n; i++) {
		kerf_time_start(ctx);
		ret = kerf_echo_run(p->echo, (uint64_t)p->reqs, &done, why,
				    sizeof(why));
		if (ret)
			return evl_result(ctx, ret, why);
		kerf_sample(ctx,
			    (double)done * 1e9 / (double)kerf_time_stop(ctx));
	}
	ret = kerf_echo_end(p->echo, &s, why, sizeof(why));
	if (ret)
		return evl_result(ctx, ret, why);
	kerf_metric(ctx, "latency_p50", s.p50_ns, "ns");
	kerf_metric(ctx, "latency_p99", s.p99_ns, "ns");
	kerf_metric(ctx, "latency_p99.9", s.p999_ns, "ns");
	kerf_metric(ctx, "latency_max", s.max_ns, "ns");
	kerf_metric(ctx, "cpu_client_per_req", s.client_cpu_ns, "ns");
	kerf_metric(ctx, "cpu_client_util", s.client_util * 100, "%");
	if (p->load == 1)
		evl_open_metrics(ctx, &s);
	if (s.have_runq) {
		kerf_metric(ctx, "runq_wait_client", s.client_runq * 100, "%");
		kerf_metric(ctx, "runq_wait_server", s.server_runq * 100, "%");
		/* Constant text: the harness keeps one copy per result. */
		if (s.client_runq > 0.1 || s.server_runq > 0.1)
			kerf_warn(
				ctx,
				"client or server waited for a CPU over 10%% of the time (runq_wait_*): req/s measures the CPU share they got, CPU per request is the steadier figure");
	}
	if (!s.have_server_cpu)
		return 0;
	kerf_metric(ctx, "cpu_server_per_req", s.server_cpu_ns, "ns");
	kerf_metric(ctx, "cpu_server_util", s.server_util * 100, "%");
	kerf_metric(ctx, "cpu_total_per_req", s.server_cpu_ns + s.client_cpu_ns,
		    "ns");
	if (p->sqpoll)
		kerf_metric(ctx, "cpu_sqpoll_per_req", s.sqpoll_cpu_ns, "ns");
	return 0;
}

static void evl_teardown(struct kerf_ctx *ctx)
{
	struct evl_priv *p = kerf_priv(ctx);

	kerf_echo_stop(p->echo);
	p->echo = NULL;
}

static int epoll_setup(struct kerf_ctx *ctx)
{
	return evl_setup(ctx, KERF_ECHO_EPOLL);
}

static int poll_setup(struct kerf_ctx *ctx)
{
	return evl_setup(ctx, KERF_ECHO_POLL);
}

static int select_setup(struct kerf_ctx *ctx)
{
	return evl_setup(ctx, KERF_ECHO_SELECT);
}

static int uring_setup(struct kerf_ctx *ctx)
{
	return evl_setup(ctx, KERF_ECHO_URING);
}

#define EVL_DESC(setup_fn, params_tbl)                                      \
	.unit = "req/s", .better = KERF_HIGHER_IS_BETTER,                   \
	.flags = KERF_F_SAMPLES, .params = params_tbl,                      \
	.priv_size = sizeof(struct evl_priv),                               \
	.quick = "conns=1,100 reqs=1000", .full = "conns=1,100,1000,10000", \
	.check = evl_check, .setup = setup_fn, .run = evl_run,              \
	.teardown = evl_teardown

const struct kerf_bench evloop_epoll = {
	.name = "evloop/epoll",
	.summary =
		"echo server on epoll_wait(), one client process, N connections",
	EVL_DESC(epoll_setup, epoll_params),
	.derive = &kerf_derive_knee,
};

const struct kerf_bench evloop_poll = {
	.name = "evloop/poll",
	.summary = "echo server on poll(), one client process, N connections",
	EVL_DESC(poll_setup, evl_params),
	.derive = &kerf_derive_knee,
};

const struct kerf_bench evloop_select = {
	.name = "evloop/select",
	.summary =
		"echo server on select() (fds below 1024 only), N connections",
	EVL_DESC(select_setup, evl_params),
	.derive = &kerf_derive_knee,
};

const struct kerf_bench evloop_io_uring = {
	.name = "evloop/io_uring",
	.summary =
		"echo server on io_uring (multishot poll or recv), N connections",
	EVL_DESC(uring_setup, uring_params),
	.derive = &kerf_derive_knee,
};
