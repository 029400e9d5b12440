/* SPDX-License-Identifier: MIT */
/*
 * kerf price: each call of a profile mapped to a bench result, its cost
 * interpolated along the size parameter, summed per unit of work with an
 * interval from the results' bootstrap intervals.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/parse.h"
#include "kerf/price.h"
#include "kerf/result.h"

struct price_rule {
	const char *call;
	const char *bench;
	const char *params; /* fixed "k=v,k2=v2", "" for none */
	enum kerf_price_how how;
	const char *note;
	double bytes; /* bytes per call when the profile has none; 0: none */
};

#define P_DIRECT(c, b, p)                         \
	{                                         \
		c, b, p, KERF_PRICE_DIRECT, "", 0 \
	}
#define P_PROXY(c, b, p, n)                     \
	{                                       \
		c, b, p, KERF_PRICE_PROXY, n, 0 \
	}
#define P_NULL(c)                                           \
	{                                                   \
		c, "syscall/getppid", "", KERF_PRICE_PROXY, \
			"a null call's cost", 0             \
	}

/* The catalogue: what each call is priced with by default (--map changes). */
static const struct price_rule price_rules[] = {
	P_DIRECT("read", "call/read", "on=file"),
	P_DIRECT("write", "call/write", "on=file"),
	P_DIRECT("pread64", "call/pread", "on=file"),
	P_DIRECT("pwrite64", "call/pwrite", "on=file"),
	P_PROXY("readv", "call/read", "on=file", "as read"),
	P_PROXY("writev", "call/write", "on=file", "as write"),
	P_DIRECT("sendto", "call/sendto", "on=tcp"),
	P_DIRECT("recvfrom", "call/recvfrom", "on=tcp"),
	P_DIRECT("sendmsg", "call/sendmsg", "on=tcp"),
	P_DIRECT("recvmsg", "call/recvmsg", "on=tcp"),
	P_DIRECT("openat", "call/openat", ""),
	P_PROXY("open", "call/openat", "", "as openat"),
	P_PROXY("creat", "call/openat", "", "as openat (no create)"),
	P_DIRECT("close", "call/close", ""),
	P_DIRECT("fstat", "syscall/fstat", ""),
	P_DIRECT("statx", "call/statx", ""),
	P_PROXY("newfstatat", "call/statx", "", "as statx by path"),
	P_PROXY("stat", "call/statx", "", "as statx by path"),
	P_PROXY("lstat", "call/statx", "", "as statx by path"),
	P_PROXY("access", "call/statx", "", "a path lookup, as statx"),
	P_PROXY("faccessat", "call/statx", "", "a path lookup, as statx"),
	P_PROXY("faccessat2", "call/statx", "", "a path lookup, as statx"),
	P_PROXY("readlink", "call/statx", "", "a path lookup, as statx"),
	P_DIRECT("getdents64", "call/getdents64", ""),
	P_DIRECT("mmap", "call/mmap", ""),
	P_DIRECT("munmap", "call/munmap", ""),
	P_DIRECT("madvise", "call/madvise", ""),
	P_DIRECT("mprotect", "call/mprotect", ""),
	P_DIRECT("brk", "call/brk", ""),
	P_DIRECT("epoll_wait", "call/epoll_wait", ""),
	P_PROXY("epoll_pwait", "call/epoll_wait", "", "as epoll_wait"),
	P_DIRECT("epoll_ctl", "call/epoll_ctl", ""),
	P_DIRECT("poll", "call/poll", ""),
	P_PROXY("ppoll", "call/poll", "", "as poll"),
	P_PROXY("select", "call/poll", "", "as poll of one fd"),
	P_PROXY("pselect6", "call/poll", "", "as poll of one fd"),
	P_DIRECT("futex", "call/futex", ""),
	P_DIRECT("getrandom", "call/getrandom", ""),
	P_DIRECT("nanosleep", "call/nanosleep", ""),
	P_PROXY("clock_nanosleep", "call/nanosleep", "", "as nanosleep"),
	P_DIRECT("clock_gettime", "vdso/clock_gettime",
		 "clock=monotonic,via=syscall"),
	P_DIRECT("gettimeofday", "vdso/gettimeofday", "via=syscall"),
	P_DIRECT("fork", "spawn/fork", "rss=0"),
	P_PROXY("vfork", "spawn/fork", "rss=0", "as fork"),
	P_PROXY("clone", "spawn/fork", "rss=0", "as fork (+exit +wait)"),
	P_PROXY("clone3", "spawn/pthread", "rss=0",
		"as a thread (+exit +join): glibc's pthread_create uses clone3"),
	P_DIRECT("execve", "spawn/exec", "rss=0"),
	{ "wait4", "spawn/fork", "", KERF_PRICE_INCLUDED, "in fork's price",
	  0 },
	{ "exit_group", "spawn/fork", "", KERF_PRICE_INCLUDED,
	  "in fork's price", 0 },
	P_NULL("getpid"),
	P_NULL("getppid"),
	P_NULL("gettid"),
	P_NULL("getuid"),
	P_NULL("geteuid"),
	P_NULL("getgid"),
	P_NULL("getegid"),
	P_NULL("rt_sigaction"),
	P_NULL("rt_sigprocmask"),
	P_NULL("sigaltstack"),
	P_NULL("lseek"),
	P_NULL("fcntl"),
	P_NULL("dup"),
	P_NULL("dup2"),
	P_NULL("dup3"),
	P_NULL("umask"),
	P_NULL("arch_prctl"),
	P_NULL("set_tid_address"),
	P_NULL("set_robust_list"),
	P_NULL("rseq"),
	P_NULL("prlimit64"),
	P_NULL("getrlimit"),
	P_NULL("uname"),
	P_NULL("getcwd"),
	P_NULL("sched_getaffinity"),
	P_NULL("getpgrp"),
	P_NULL("setpgid"),
	P_NULL("getsid"),
	P_NULL("geteuid32"),
	P_NULL("sysinfo"),
};

static const struct price_rule *price_rule(const char *call,
					   const struct kerf_price_map *maps,
					   int nmaps, struct price_rule *user)
{
	for (int i = nmaps - 1; i >= 0; i--)
		if (!strcmp(maps[i].name, call)) {
			*user = (struct price_rule){
				maps[i].name,	maps[i].bench,
				maps[i].params, KERF_PRICE_DIRECT,
				"--map",	maps[i].bytes,
			};
			return user;
		}
	for (size_t i = 0; i < sizeof(price_rules) / sizeof(price_rules[0]);
	     i++)
		if (!strcmp(price_rules[i].call, call))
			return &price_rules[i];
	return NULL;
}

/* Take "bytes=N" out of a map's params into m->bytes; -1 when N is bad. */
static int price_map_bytes(struct kerf_price_map *m)
{
	char buf[sizeof(m->params)], *save = NULL, *kv;
	uint64_t v;

	snprintf(buf, sizeof(buf), "%s", m->params);
	m->params[0] = 0;
	for (kv = strtok_r(buf, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		if (!strncmp(kv, "bytes=", 6)) {
			if (kerf_parse_size(kv + 6, &v) || !v)
				return -1;
			m->bytes = (double)v;
			continue;
		}
		if (!strchr(kv, '='))
			return -1;
		snprintf(m->params + strlen(m->params),
			 sizeof(m->params) - strlen(m->params), "%s%s",
			 m->params[0] ? "," : "", kv);
	}
	return 0;
}

int kerf_price_map_parse(const char *arg, struct kerf_price_map *m, char *err,
			 size_t errlen)
{
	const char *s = arg, *eq = strchr(s, '='), *br;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (!eq || eq == s || (size_t)(eq - s) >= sizeof(m->name))
		goto bad;
	memcpy(m->name, s, (size_t)(eq - s));
	s = eq + 1;
	br = strchr(s, '{');
	n = br ? (size_t)(br - s) : strlen(s);
	if (!n || n >= sizeof(m->bench) || !strchr(s, '/'))
		goto bad;
	memcpy(m->bench, s, n);
	if (br) {
		size_t pl = strlen(br + 1);

		if (!pl || br[pl] != '}' || pl - 1 >= sizeof(m->params))
			goto bad;
		memcpy(m->params, br + 1, pl - 1);
		if (strchr(m->params, '{') || strchr(m->params, '}') ||
		    price_map_bytes(m))
			goto bad;
	}
	for (const char *c = m->name; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= '0' && *c <= '9') &&
		    *c != '_')
			goto bad;
	return 0;
bad:
	snprintf(
		err, errlen,
		"--map: '%.80s' is not CALL=FAMILY/BENCH or CALL=FAMILY/BENCH{k=v,...,bytes=N} (such as read=call/read{on=dev,bytes=4K})",
		arg);
	return -EINVAL;
}

/* Every k=v of params (comma-separated) is in the result's params. */
static bool price_params_match(const json_t *result, const char *params)
{
	const json_t *rp = json_object_get(result, "params");
	char buf[128], *save = NULL, *kv;

	snprintf(buf, sizeof(buf), "%s", params);
	for (kv = strtok_r(buf, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *v;

		if (!eq)
			return false;
		*eq = 0;
		v = json_string_value(json_object_get(rp, kv));
		if (!v || strcmp(v, eq + 1))
			return false;
	}
	return true;
}

struct price_point {
	double size; /* bytes, -1 without a size parameter */
	double med, lo, hi;
	const json_t *result;
};

static int price_cmp_point(const void *a, const void *b)
{
	const struct price_point *x = a, *y = b;

	return (x->size > y->size) - (x->size < y->size);
}

/* The ok results of rule's bench whose params match; sorted by size. */
static int price_points(const json_t *run, const struct price_rule *rule,
			struct price_point *pts, int max)
{
	const json_t *res;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(run, "results"), i, res)
	{
		const json_t *st = json_object_get(res, "stats");
		const json_t *ci = json_object_get(st, "ci95");
		const char *b =
			json_string_value(json_object_get(res, "bench"));
		const char *sz = json_string_value(json_object_get(
			json_object_get(res, "params"), "size"));
		const char *status =
			json_string_value(json_object_get(res, "status"));
		uint64_t bytes;

		if (n >= max || !b || strcmp(b, rule->bench) || !status ||
		    strcmp(status, "ok") ||
		    !json_is_number(json_object_get(st, "median")) ||
		    !price_params_match(res, rule->params))
			continue;
		pts[n].med = json_number_value(json_object_get(st, "median"));
		pts[n].lo = pts[n].hi = pts[n].med;
		if (json_array_size(ci) == 2 &&
		    json_is_number(json_array_get(ci, 0)) &&
		    json_is_number(json_array_get(ci, 1))) {
			pts[n].lo = json_number_value(json_array_get(ci, 0));
			pts[n].hi = json_number_value(json_array_get(ci, 1));
		}
		pts[n].size = -1;
		if (sz && !kerf_parse_size(sz, &bytes))
			pts[n].size = (double)bytes;
		pts[n].result = res;
		if (!isfinite(pts[n].med) || pts[n].med < 0)
			continue;
		n++;
	}
	qsort(pts, (size_t)n, sizeof(*pts), price_cmp_point);
	return n;
}

/* Linear through points a and b at x; none below 0. */
static double price_lerp(double x, double xa, double ya, double xb, double yb)
{
	double y = xb == xa ? ya : ya + (yb - ya) * (x - xa) / (xb - xa);

	return y > 0 ? y : 0;
}

/* The cost at target bytes per call: exact, between two sizes, or beyond. */
static void price_at_size(struct kerf_price_line *l, struct price_point *pts,
			  int n, double target)
{
	int j = 0;

	while (j < n - 1 && pts[j + 1].size <= target)
		j++;
	if (j == n - 1 && n > 1)
		j = n - 2; /* beyond the last size: the last two points */
	if (n == 1 || pts[j].size == target) {
		l->ns = pts[j].med, l->lo = pts[j].lo, l->hi = pts[j].hi;
	} else {
		struct price_point *a = &pts[j], *b = &pts[j + 1];

		l->ns = price_lerp(target, a->size, a->med, b->size, b->med);
		l->lo = price_lerp(target, a->size, a->lo, b->size, b->lo);
		l->hi = price_lerp(target, a->size, a->hi, b->size, b->hi);
	}
	if (target < pts[0].size || target > pts[n - 1].size)
		snprintf(l->note + strlen(l->note),
			 sizeof(l->note) - strlen(l->note),
			 "%s%.0f B/call: beyond the measured sizes",
			 l->note[0] ? "; " : "", target);
}

static void price_line_raw(struct kerf_price_line *l,
			   const struct kerf_profile_call *c, const json_t *run,
			   const struct price_rule *rule)
{
	struct price_point pts[64];
	int n;

	snprintf(l->note, sizeof(l->note), "%s", rule->note);
	n = price_points(run, rule, pts, 64);
	snprintf(l->key, sizeof(l->key), "%s{%s}", rule->bench, rule->params);
	if (!n) {
		l->how = KERF_PRICE_NONE;
		kerf_price_label(l->key, l->note, sizeof(l->note));
		snprintf(l->key, sizeof(l->key), "%s", l->note);
		snprintf(l->note, sizeof(l->note),
			 "no ok result of %.120s in the run", l->key);
		return;
	}
	l->how = rule->how;
	if (pts[0].size < 0 || n == 1) {
		kerf_result_key(pts[0].result, l->key, sizeof(l->key));
		l->ns = pts[0].med, l->lo = pts[0].lo, l->hi = pts[0].hi;
		return;
	}
	if (c->bytes > 0 || rule->bytes > 0) {
		double target = c->bytes > 0 ? c->bytes / c->count :
					       rule->bytes;

		price_at_size(l, pts, n, target);
		snprintf(l->key, sizeof(l->key), "%s{%s%ssize=%.0f}",
			 rule->bench, rule->params, rule->params[0] ? "," : "",
			 target);
	} else {
		kerf_result_key(pts[0].result, l->key, sizeof(l->key));
		l->ns = pts[0].med, l->lo = pts[0].lo, l->hi = pts[0].hi;
		snprintf(l->note + strlen(l->note),
			 sizeof(l->note) - strlen(l->note),
			 "%sno bytes: the smallest size",
			 l->note[0] ? "; " : "");
	}
}

/* The key comes from the run (hostile): only safe characters are kept. */
static void price_line(struct kerf_price_line *l,
		       const struct kerf_profile_call *c, const json_t *run,
		       const struct price_rule *rule)
{
	char raw[sizeof(l->key)];

	price_line_raw(l, c, run, rule);
	snprintf(raw, sizeof(raw), "%s", l->key);
	kerf_price_label(raw, l->key, sizeof(l->key));
}

static int price_cmp_line(const void *a, const void *b)
{
	const struct kerf_price_line *x = a, *y = b;

	if (x->unit_ns != y->unit_ns)
		return x->unit_ns < y->unit_ns ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Sums, the interval (half-widths in quadrature), shares and the ceiling. */
static void price_totals(struct kerf_price *p, double total_calls)
{
	double dlo = 0, dhi = 0;

	for (int i = 0; i < p->nlines; i++) {
		struct kerf_price_line *l = &p->lines[i];

		if (l->how == KERF_PRICE_NONE) {
			p->unpriced_calls += l->count;
			continue;
		}
		l->unit_ns = l->count / p->per * l->ns;
		p->unit_ns += l->unit_ns;
		dlo += pow(l->count / p->per * (l->ns - l->lo), 2);
		dhi += pow(l->count / p->per * (l->hi - l->ns), 2);
	}
	p->unit_lo = p->unit_ns - sqrt(dlo);
	p->unit_hi = p->unit_ns + sqrt(dhi);
	if (p->unit_lo < 0)
		p->unit_lo = 0;
	for (int i = 0; i < p->nlines; i++)
		p->lines[i].share =
			p->unit_ns > 0 ? p->lines[i].unit_ns / p->unit_ns : 0;
	p->unpriced_share = total_calls > 0 ? p->unpriced_calls / total_calls :
					      0;
	p->ceiling = p->unit_ns > 0 ? 1e9 / p->unit_ns : 0;
	p->ceiling_lo = p->unit_hi > 0 ? 1e9 / p->unit_hi : 0;
	p->ceiling_hi = p->unit_lo > 0 ? 1e9 / p->unit_lo : 0;
	qsort(p->lines, (size_t)p->nlines, sizeof(*p->lines), price_cmp_line);
}

int kerf_price_compute(const struct kerf_profile *pr, const json_t *run,
		       const char *run_path, const struct kerf_price_map *maps,
		       int nmaps, double per, struct kerf_price *out)
{
	memset(out, 0, sizeof(*out));
	out->run_path = run_path;
	out->per = per;
	kerf_price_label(json_string_value(json_object_get(
				 json_object_get(run, "env"), "host")),
			 out->host, sizeof(out->host));
	out->lines = calloc((size_t)pr->ncalls + 1, sizeof(*out->lines));
	if (!out->lines)
		return -ENOMEM;
	out->nlines = pr->ncalls;
	for (int i = 0; i < pr->ncalls; i++) {
		const struct kerf_profile_call *c = &pr->calls[i];
		struct kerf_price_line *l = &out->lines[i];
		struct price_rule user;
		const struct price_rule *rule =
			price_rule(c->name, maps, nmaps, &user);

		l->name = c->name;
		l->count = c->count;
		if (!rule) {
			l->how = KERF_PRICE_NONE;
			snprintf(l->note, sizeof(l->note),
				 "not in the catalogue (--map %s=BENCH)",
				 c->name);
		} else if (rule->how == KERF_PRICE_INCLUDED) {
			l->how = KERF_PRICE_INCLUDED;
			snprintf(l->key, sizeof(l->key), "%s", rule->bench);
			snprintf(l->note, sizeof(l->note), "%s", rule->note);
		} else if (c->count > 0) {
			price_line(l, c, run, rule);
		}
	}
	price_totals(out, pr->total);
	return 0;
}

void kerf_price_free(struct kerf_price *p)
{
	free(p->lines);
	p->lines = NULL;
}

int kerf_price_needs(const struct kerf_profile *const *prs, int nprs,
		     const struct kerf_price_map *maps, int nmaps,
		     const char **benches, int max)
{
	int n = 0;

	for (int k = 0; k < nprs; k++)
		for (int i = 0; i < prs[k]->ncalls; i++) {
			struct price_rule user;
			const struct price_rule *r = price_rule(
				prs[k]->calls[i].name, maps, nmaps, &user);
			int j;

			if (!r || r->how == KERF_PRICE_INCLUDED)
				continue;
			for (j = 0; j < n; j++)
				if (!strcmp(benches[j], r->bench))
					break;
			if (j == n && n < max)
				benches[n++] = r->bench;
		}
	return n;
}
