/* SPDX-License-Identifier: MIT */
/* kerf price's output: a terminal table, Markdown, and JSON (kerf.price/1). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kerf/price.h"

/* Printed with every result: what a price can and cannot say. */
static const char *const price_limits[] = {
	"counts only: the profile gives no arguments beyond a CSV's bytes; a sized call without bytes is priced at the smallest measured size",
	"the times in a strace or perf trace profile are never used (their own overhead inflates them); only the counts are",
	"calls that block (futex wait, epoll_wait or poll with a timeout, nanosleep) are priced at their CPU cost, not their waiting time",
	"not in a call profile: page faults, interrupts, and kernel work outside the calls (writeback, softirqs on other CPUs)",
	"the interval adds the results' bootstrap ci95 half-widths in quadrature (each bench was measured on its own)",
};

static const char *const price_how_names[] = { "direct", "proxy", "included",
					       "unpriced" };

/* "12.3 us" with a unit picked for v (nanoseconds). */
static void price_fmt_ns(double v, char *buf, size_t len)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.3g s", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.3g ms", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.3g us", v / 1e3);
	else
		snprintf(buf, len, "%.3g ns", v);
}

/* The ratio B/A and its interval (log half-widths in quadrature). */
static void price_ratio(const struct kerf_price *a, const struct kerf_price *b,
			double *r, double *lo, double *hi)
{
	double la_lo = a->unit_lo > 0 ? log(a->unit_ns / a->unit_lo) : 0;
	double la_hi = a->unit_ns > 0 ? log(a->unit_hi / a->unit_ns) : 0;
	double lb_lo = b->unit_lo > 0 ? log(b->unit_ns / b->unit_lo) : 0;
	double lb_hi = b->unit_ns > 0 ? log(b->unit_hi / b->unit_ns) : 0;

	*r = a->unit_ns > 0 ? b->unit_ns / a->unit_ns : 0;
	*lo = *r * exp(-sqrt(la_hi * la_hi + lb_lo * lb_lo));
	*hi = *r * exp(sqrt(la_lo * la_lo + lb_hi * lb_hi));
}

static const struct kerf_price_line *price_find(const struct kerf_price *p,
						const char *name)
{
	for (int i = 0; i < p->nlines; i++)
		if (!strcmp(p->lines[i].name, name))
			return &p->lines[i];
	return NULL;
}

static void price_print_head(FILE *f, bool md, const struct kerf_profile *pr,
			     const struct kerf_price *ps, int np)
{
	fprintf(f,
		"%sprofile %s (%s, %.0f calls of %d kinds), %.6g units of work\n",
		md ? "# kerf price\n\n" : "", pr->path, pr->format, pr->total,
		pr->ncalls, ps[0].per);
	for (int k = 0; k < np; k++)
		fprintf(f, "%srun %c: %s (host %s)\n", md ? "\n" : "", 'A' + k,
			ps[k].run_path, ps[k].host[0] ? ps[k].host : "?");
	fprintf(f, "\n");
	if (md) {
		fprintf(f, "| call | calls/unit |");
		for (int k = 0; k < np; k++)
			fprintf(f,
				" %c ns/call [ci95] | %c per unit | %c share |",
				'A' + k, 'A' + k, 'A' + k);
		fprintf(f, " priced with | note |\n|---|---:|");
		for (int k = 0; k < np; k++)
			fprintf(f, "---:|---:|---:|");
		fprintf(f, "---|---|\n");
	} else {
		fprintf(f, "%-16s %11s", "call", "calls/unit");
		for (int k = 0; k < np; k++)
			fprintf(f, "  %c %-27s %10s %6s", 'A' + k,
				"ns/call [ci95]", "per unit", "share");
		fprintf(f, "  priced with\n");
	}
}

static void price_print_line(FILE *f, bool md, const struct kerf_price_line *l0,
			     const struct kerf_price *ps, int np)
{
	char ci[64], u[32];

	fprintf(f, md ? "| %s | %.4g |" : "%-16s %11.4g", l0->name,
		l0->count / ps[0].per);
	for (int k = 0; k < np; k++) {
		const struct kerf_price_line *l = price_find(&ps[k], l0->name);

		if (!l || l->how == KERF_PRICE_NONE ||
		    l->how == KERF_PRICE_INCLUDED) {
			fprintf(f, md ? " %s | | |" : "  %-29s %10s %6s",
				l && l->how == KERF_PRICE_INCLUDED ?
					"included" :
					"-",
				"", "");
			continue;
		}
		snprintf(ci, sizeof(ci), "%.4g [%.4g, %.4g]", l->ns, l->lo,
			 l->hi);
		price_fmt_ns(l->unit_ns, u, sizeof(u));
		fprintf(f, md ? " %s | %s | %.1f%% |" : "  %-29s %10s %5.1f%%",
			ci, u, 100 * l->share);
	}
	fprintf(f, md ? " %s | %s%s |\n" : "  %s%s%s\n",
		l0->how == KERF_PRICE_NONE ? "" : l0->key,
		!md && l0->note[0] ? "  " : "", l0->note);
}

static void price_print_total(FILE *f, bool md, const struct kerf_price *ps,
			      int np)
{
	char a[32], b[32], c[32];

	for (int k = 0; k < np; k++) {
		const struct kerf_price *p = &ps[k];

		price_fmt_ns(p->unit_ns, a, sizeof(a));
		price_fmt_ns(p->unit_lo, b, sizeof(b));
		price_fmt_ns(p->unit_hi, c, sizeof(c));
		fprintf(f,
			"%s%c: kernel time per unit of work %s [%s, %s]; ceiling %.4g units/s per core [%.4g, %.4g]\n",
			md ? "\n" : "", 'A' + k, a, b, c, p->ceiling,
			p->ceiling_lo, p->ceiling_hi);
		fprintf(f, "%s%c: unpriced %.0f calls, %.2f%% of the count\n",
			md ? "\n" : "", 'A' + k, p->unpriced_calls,
			100 * p->unpriced_share);
	}
	if (np == 2) {
		double r, lo, hi;

		price_ratio(&ps[0], &ps[1], &r, &lo, &hi);
		fprintf(f,
			"%sB/A: %.3fx the kernel time per unit [%.3f, %.3f]\n",
			md ? "\n" : "", r, lo, hi);
	}
}

void kerf_price_print(FILE *f, const char *format,
		      const struct kerf_profile *pr,
		      const struct kerf_price *ps, int np)
{
	bool md = !strcmp(format, "md");

	price_print_head(f, md, pr, ps, np);
	for (int i = 0; i < ps[0].nlines; i++)
		price_print_line(f, md, &ps[0].lines[i], ps, np);
	fprintf(f, "\n");
	price_print_total(f, md, ps, np);
	fprintf(f, "\n%s\n", md ? "Limits:\n" : "limits:");
	for (size_t i = 0; i < sizeof(price_limits) / sizeof(price_limits[0]);
	     i++)
		fprintf(f, "%s%s\n", md ? "- " : "  - ", price_limits[i]);
}

static json_t *price_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *price_pair(double a, double b)
{
	return json_pack("[oo]", price_num(a), price_num(b));
}

static json_t *price_run_json(const struct kerf_price *p)
{
	json_t *lines = json_array();

	for (int i = 0; i < p->nlines; i++) {
		const struct kerf_price_line *l = &p->lines[i];
		json_t *o = json_pack("{ss sf ss}", "call", l->name, "count",
				      l->count, "how", price_how_names[l->how]);

		if (l->key[0])
			json_object_set_new(o, "result", json_string(l->key));
		if (l->note[0])
			json_object_set_new(o, "note", json_string(l->note));
		if (l->how == KERF_PRICE_DIRECT || l->how == KERF_PRICE_PROXY) {
			json_object_set_new(o, "ns", price_num(l->ns));
			json_object_set_new(o, "ci95",
					    price_pair(l->lo, l->hi));
			json_object_set_new(o, "unit_ns",
					    price_num(l->unit_ns));
			json_object_set_new(o, "share", price_num(l->share));
		}
		json_array_append_new(lines, o);
	}
	return json_pack("{ss ss so so so so so so so}", "path", p->run_path,
			 "host", p->host, "unit_ns", price_num(p->unit_ns),
			 "unit_ci95", price_pair(p->unit_lo, p->unit_hi),
			 "ceiling_per_s", price_num(p->ceiling), "ceiling_ci95",
			 price_pair(p->ceiling_lo, p->ceiling_hi),
			 "unpriced_calls", price_num(p->unpriced_calls),
			 "unpriced_share", price_num(p->unpriced_share),
			 "lines", lines);
}

json_t *kerf_price_json(const struct kerf_profile *pr,
			const struct kerf_price *ps, int np)
{
	json_t *runs = json_array(), *limits = json_array();
	json_t *o;

	for (int k = 0; k < np; k++)
		json_array_append_new(runs, price_run_json(&ps[k]));
	for (size_t i = 0; i < sizeof(price_limits) / sizeof(price_limits[0]);
	     i++)
		json_array_append_new(limits, json_string(price_limits[i]));
	o = json_pack("{ss s{ss ss sf si} sf so so}", "schema", "kerf.price/1",
		      "profile", "path", pr->path, "format", pr->format,
		      "calls", pr->total, "kinds", pr->ncalls, "per", ps[0].per,
		      "runs", runs, "limits", limits);
	if (np == 2) {
		double r, lo, hi;

		price_ratio(&ps[0], &ps[1], &r, &lo, &hi);
		json_object_set_new(o, "ratio",
				    json_pack("{so so}", "unit_ns",
					      price_num(r), "ci95",
					      price_pair(lo, hi)));
	}
	return o;
}
