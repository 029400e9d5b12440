/* SPDX-License-Identifier: MIT */
/* Echo client and server processes for the event-loop benches (the evloop family). */
#ifndef KERF_ECHO_H
#define KERF_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The server's event loop. */
enum kerf_echo_engine {
	KERF_ECHO_EPOLL,
	KERF_ECHO_POLL,
	KERF_ECHO_SELECT,
	KERF_ECHO_URING,
};

enum kerf_echo_transport {
	KERF_ECHO_UNIX, /* connected AF_UNIX stream sockets */
	KERF_ECHO_TCP, /* TCP over 127.0.0.1 */
};

enum kerf_echo_uring_mode {
	KERF_ECHO_URING_POLL, /* multishot poll, then read and send SQEs */
	KERF_ECHO_URING_RECV, /* multishot recv into a provided buffer ring */
};

enum kerf_echo_taskrun {
	KERF_ECHO_TASKRUN_DEFAULT,
	KERF_ECHO_TASKRUN_COOP, /* IORING_SETUP_COOP_TASKRUN */
	KERF_ECHO_TASKRUN_DEFER, /* IORING_SETUP_DEFER_TASKRUN + SINGLE_ISSUER */
};

/* Smallest message: it carries the connection and the request number. */
#define KERF_ECHO_HDR 16
/* Open loop: requests in flight per connection before sending waits. */
#define KERF_ECHO_OPEN_WIN 256

struct kerf_echo_cfg {
	enum kerf_echo_engine engine;
	enum kerf_echo_transport transport;
	int conns;
	size_t msg; /* bytes per request and per reply */
	int depth; /* requests in flight per connection */
	int server_pu; /* OS index, -1: not pinned */
	bool edge; /* epoll: EPOLLET */
	enum kerf_echo_uring_mode uring_mode;
	bool sqpoll;
	enum kerf_echo_taskrun taskrun;
	bool fixed_files;
	/* Open loop: requests go out at rate per second (constant spacing or
	 * Poisson arrivals) whatever the replies do, up to KERF_ECHO_OPEN_WIN
	 * in flight per connection (depth is ignored); each latency runs from
	 * the request's intended send time. slo_q: the quantile reported as
	 * slo_ns (0: none). */
	bool open, poisson;
	double rate, slo_q;
	/* Open loop: wait for the next arrival spinning on the client's PU
	 * (epoll_wait with a zero timeout), not asleep: a vCPU that halts can
	 * wake milliseconds late, and that lateness would count as latency.
	 * The spinning is not counted in client_util. */
	bool spin;
	/* Tests only: OR-ed into the io_uring setup flags asked for. */
	unsigned int extra_setup_flags;
	/* Tests only: the server flips byte number corrupt_at - 1 of the
	 * stream it sends back (0: never). */
	uint64_t corrupt_at;
};

/* What one sampled region measured, from kerf_echo_end(). */
struct kerf_echo_summary {
	uint64_t reqs;
	double p50_ns, p99_ns, p999_ns, max_ns;
	double client_cpu_ns; /* per request */
	double server_cpu_ns; /* per request, all server tasks */
	double sqpoll_cpu_ns; /* per request, the iou-sqp task (in server) */
	/* CPU time over wall time: 1.0 is a PU busy all along. */
	double client_util, server_util;
	/* Time runnable but waiting for a CPU, over wall time (the client
	 * thread, the server's event loop thread). */
	double client_runq, server_runq;
	bool have_server_cpu, have_runq;
	/* Open loop: requests that went out per second, the lateness of
	 * sends behind their intended time, how often a due request waited
	 * for a full window, and the latency at cfg.slo_q. */
	double rate_sent, lag_p99_ns, slo_ns;
	uint64_t held_back;
};

struct kerf_echo;

/*
 * Check cfg, raise RLIMIT_NOFILE if needed, start the server process,
 * connect. Returns 0, KERF_SKIP (why says what this host lacks) or a
 * negative errno (why says what failed).
 */
int kerf_echo_start(const struct kerf_echo_cfg *cfg, struct kerf_echo **out,
		    char *why, size_t whylen);
/* What was asked of the server's event loop, and what it obtained. */
const char *kerf_echo_asked(const struct kerf_echo *e);
const char *kerf_echo_obtained(const struct kerf_echo *e);
/* Open loop: the rate of the next kerf_echo_begin (between end and begin). */
void kerf_echo_set_rate(struct kerf_echo *e, double rate);
/* Fill depth requests per connection and run warm requests unrecorded. */
int kerf_echo_begin(struct kerf_echo *e, uint64_t warm, char *why,
		    size_t whylen);
/*
 * Complete at least reqs requests (one sample), recording their latencies;
 * done says how many completed (one read can finish several).
 */
int kerf_echo_run(struct kerf_echo *e, uint64_t reqs, uint64_t *done, char *why,
		  size_t whylen);
/* Summarise the region since kerf_echo_begin, then drain the connections. */
int kerf_echo_end(struct kerf_echo *e, struct kerf_echo_summary *s, char *why,
		  size_t whylen);
/* Close the connections, reap the server, free everything. */
void kerf_echo_stop(struct kerf_echo *e);

/* The bytes of request seq on connection conn (buf holds msg bytes). */
void kerf_echo_fill(uint8_t *buf, size_t msg, uint32_t conn, uint64_t seq);
/*
 * Check len bytes received at offset off of the reply to request seq on
 * connection conn. Returns -1 when every byte is the one sent, else the
 * index in got of the first byte that differs.
 */
long kerf_echo_verify(const uint8_t *got, size_t len, size_t off, size_t msg,
		      uint32_t conn, uint64_t seq);

#endif
