/* SPDX-License-Identifier: MIT */
/* A stressor's latency probe over time: the application's delay on its own log axis, the spike threshold, and each spike marked with the counters that moved with it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"
#include "kerf/fmt.h"
#include "report/report.h"

#define PROBE_W 900
#define PROBE_H 360
#define PROBE_LABELS 6 /* spikes labelled, the worst first */
#define PROBE_LABEL_CHARS 34 /* 9 pt text up the plot area's height */

/* The worst spikes first: indexes into spikes[], at most max. */
static int probe_worst(const json_t *spikes, int *idx, int max)
{
	size_t i, n = json_array_size(spikes);
	int k = 0, j;

	for (i = 0; i < n; i++) {
		double d, dj;

		if (!ju_num(json_array_get(spikes, i), "delay_max_us", &d))
			continue;
		for (j = k; j > 0; j--) {
			ju_num(json_array_get(spikes, idx[j - 1]),
			       "delay_max_us", &dj);
			if (dj >= d)
				break;
			if (j < max)
				idx[j] = idx[j - 1];
		}
		if (j < max)
			idx[j] = (int)i;
		if (k < max)
			k++;
	}
	return k;
}

/* "pswpout+412 events_max+9": what moved with a spike, its largest first. */
static void probe_moved(const json_t *spike, char *buf, size_t len)
{
	const json_t *moved = json_object_get(spike, "moved"), *v;
	const char *k;
	size_t o = 0;
	char num[32];

	buf[0] = '\0';
	json_object_foreach((json_t *)moved, k, v)
	{
		if (!json_is_number(v) || o + 1 >= len)
			continue;
		if (json_number_value(v) == floor(json_number_value(v)) &&
		    fabs(json_number_value(v)) < 1e6)
			snprintf(num, sizeof(num), "%.0f",
				 json_number_value(v));
		else
			kerf_fmt_num(json_number_value(v), num, sizeof(num));
		o += (size_t)snprintf(buf + o, len - o, "%s%.24s+%s",
				      o ? " " : "", k, num);
	}
}

/* The spikes: shaded bands, and labels on the worst few. */
static void probe_marks(const json_t *probe, FILE *gp)
{
	const json_t *spikes = json_object_get(probe, "spikes");
	int idx[PROBE_LABELS], k, i;
	char moved[256], label[320], q[800];
	double t0, t1, d;
	size_t j;
	json_t *s;

	json_array_foreach((json_t *)spikes, j, s)
	{
		if (!ju_num(s, "t_ms", &t0) || !ju_num(s, "end_ms", &t1))
			continue;
		fprintf(gp,
			"set object rect from %.6g, graph 0 to %.6g, graph 1 "
			"behind fc rgb \"#d55e00\" fs transparent solid 0.15 "
			"noborder\n",
			t0 / 1000, fmax(t1, t0 + 1) / 1000);
	}
	k = probe_worst(spikes, idx, PROBE_LABELS);
	for (i = 0; i < k; i++) {
		s = json_array_get(spikes, idx[i]);
		ju_num(s, "t_ms", &t0);
		ju_num(s, "delay_max_us", &d);
		probe_moved(s, moved, sizeof(moved));
		snprintf(label, sizeof(label), "%s%s%s",
			 kerf_fmt_num(d / 1000, q, sizeof(q)),
			 moved[0] ? " ms: " : " ms", moved);
		/* Up from the axis, cut to what the plot's height holds. */
		if (strlen(label) > PROBE_LABEL_CHARS)
			memcpy(label + PROBE_LABEL_CHARS - 3, "...", 4);
		fprintf(gp,
			"set label %d %s at %.6g, graph 0.03 rotate by 90 "
			"font \",9\" front\n",
			i + 1, kerf_esc_gp(q, sizeof(q), label), t0 / 1000);
	}
}

int rep_plot_probe(struct report *rep, const json_t *r, int run)
{
	const json_t *tl = json_object_get(r, "timeline");
	const json_t *probe = json_object_get(r, "probe");
	const json_t *t = json_object_get(tl, "t_ms");
	const json_t *dl = json_object_get(tl, "probe_delay_max_us");
	size_t n = json_array_size(t), i;
	double spike = NAN, ymax = 1;
	char title[256], hint[200];
	int id, ret;
	FILE *gp, *dat;

	if (n < 2 || json_array_size(dl) != n || !json_is_object(probe))
		return 0;
	if (rep->nruns > 1)
		snprintf(title, sizeof(title), "%s (%s): the probe's delay",
			 ju_str(r, "bench"), rep->names[run]);
	else
		snprintf(title, sizeof(title), "%s: the probe's delay",
			 ju_str(r, "bench"));
	snprintf(hint, sizeof(hint), "%s-probe-%d", ju_str(r, "bench"), run);
	id = rep_plot_new(rep, hint, title);
	if (id < 0)
		return id;
	ret = rep_plot_open(rep, id, PROBE_W, PROBE_H, &gp, &dat);
	if (ret)
		return ret;
	fprintf(dat, "# t_s probe_delay_max_us\n");
	for (i = 0; i < n; i++) {
		double v = json_number_value(json_array_get(dl, i));

		/* A log axis: an on-time row (0 us late) sits at 1 us. */
		fprintf(dat, "%.6g %.6g\n",
			json_number_value(json_array_get(t, i)) / 1000,
			fmax(v, 1));
		ymax = fmax(ymax, v);
	}
	if (ju_num(probe, "spike_ns", &spike))
		fprintf(gp,
			"set arrow from graph 0, first %.6g to graph 1, first "
			"%.6g nohead lc rgb \"#d55e00\" dt 2\n",
			spike / 1000, spike / 1000);
	probe_marks(probe, gp);
	fprintf(gp,
		"set xlabel 'time since start (s)'\n"
		"set ylabel 'delay beyond schedule (us, log)'\n"
		"set logscale y\nset yrange [1:%.6g]\n"
		"set key outside bottom center horizontal\n"
		"plot \"%s.dat\" using 1:2 with lines lc rgb \"#0072b2\" "
		"lw 1.5 title 'probe delay (worst in each sample)', "
		"NaN with lines lc rgb \"#d55e00\" dt 2 title 'spike "
		"threshold'\n",
		ymax * 8, rep->plots[id].stem);
	return rep_plot_close(rep, id, PROBE_W, PROBE_H, gp, dat);
}
