/* SPDX-License-Identifier: MIT */
/* The bench registry (benches/list.h) and parameter checking. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kerf/parse.h"

#define KERF_BENCH(sym) extern const struct kerf_bench sym;
#include "list.h"
#undef KERF_BENCH

#define KERF_BENCH(sym) &sym,
const struct kerf_bench *const kerf_benches[] = {
#include "list.h"
	NULL
};
#undef KERF_BENCH

const int kerf_nbenches =
	(int)(sizeof(kerf_benches) / sizeof(kerf_benches[0])) - 1;

const struct kerf_bench *kerf_bench_find(const char *name)
{
	for (int i = 0; i < kerf_nbenches; i++)
		if (!strcmp(kerf_benches[i]->name, name))
			return kerf_benches[i];
	return NULL;
}

void kerf_suggest(const char *name)
{
	int best = 1 << 20, shown = 0;

	for (int i = 0; i < kerf_nbenches; i++) {
		int d = kerf_levenshtein(name, kerf_benches[i]->name);

		if (d < best)
			best = d;
	}
	if (best > 3 && best * 2 > (int)strlen(name))
		return;
	for (int i = 0; i < kerf_nbenches && shown < 5; i++) {
		if (kerf_levenshtein(name, kerf_benches[i]->name) != best)
			continue;
		fprintf(stderr, "%s %s\n",
			shown ? "          " : "did you mean",
			kerf_benches[i]->name);
		shown++;
	}
}

const struct kerf_param *kerf_param_find(const struct kerf_bench *b,
					 const char *name)
{
	for (const struct kerf_param *p = b->params; p && p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

const char *kerf_ptype_name(enum kerf_ptype t)
{
	switch (t) {
	case KERF_PT_INT:
		return "int";
	case KERF_PT_SIZE:
		return "size";
	case KERF_PT_TIME:
		return "time";
	case KERF_PT_ENUM:
		return "enum";
	case KERF_PT_BOOL:
		return "bool";
	case KERF_PT_STR:
		return "string";
	}
	return "?";
}

void kerf_param_range(const struct kerf_param *p, char *buf, size_t len)
{
	switch (p->type) {
	case KERF_PT_ENUM:
	case KERF_PT_BOOL: {
		size_t o = 0;

		for (const char *c = p->choices; *c && o + 1 < len; c++)
			buf[o++] = *c == ',' ? '|' : *c;
		buf[o] = 0;
		break;
	}
	case KERF_PT_STR:
		snprintf(buf, len, "any text");
		break;
	default:
		snprintf(buf, len, "%s..%s", p->min ? p->min : "",
			 p->max ? p->max : "");
		break;
	}
}

static const char *form_of(enum kerf_ptype t)
{
	switch (t) {
	case KERF_PT_INT:
		return "an integer";
	case KERF_PT_SIZE:
		return "a size in bytes with an optional K, M, G or T suffix (4K, 64M, 1G)";
	case KERF_PT_TIME:
		return "a duration with a unit ns, us, ms, s or m (10ms, 2s)";
	default:
		return "a value";
	}
}

/* Parse v as p's type into a uint64 (INT: as int64 bits). */
static int parse_num(const struct kerf_param *p, const char *v, uint64_t *out)
{
	int64_t i;
	int err;

	switch (p->type) {
	case KERF_PT_INT:
		err = kerf_parse_int(v, &i);
		*out = (uint64_t)i;
		return err;
	case KERF_PT_SIZE:
		return kerf_parse_size(v, out);
	case KERF_PT_TIME:
		return kerf_parse_time(v, out);
	default:
		return -EINVAL;
	}
}

static bool num_below(const struct kerf_param *p, uint64_t a, uint64_t b)
{
	if (p->type == KERF_PT_INT)
		return (int64_t)a < (int64_t)b;
	return a < b;
}

static int enum_index(const struct kerf_param *p, const char *v)
{
	const char *c = p->choices;
	size_t lv = strlen(v);

	for (int idx = 0; c && *c; idx++) {
		const char *e = strchr(c, ',');
		size_t l = e ? (size_t)(e - c) : strlen(c);

		if (l == lv && !strncmp(c, v, l))
			return idx;
		if (!e)
			break;
		c = e + 1;
	}
	return -1;
}

int kerf_param_check(const struct kerf_param *p, const char *val, char *canon,
		     size_t clen, char *err, size_t elen)
{
	char range[256];
	uint64_t v, lim;
	int e;

	kerf_param_range(p, range, sizeof(range));
	switch (p->type) {
	case KERF_PT_ENUM:
	case KERF_PT_BOOL:
		if (enum_index(p, val) < 0) {
			snprintf(err, elen,
				 "parameter %s: '%s' is not one of %s", p->name,
				 val, range);
			return -EINVAL;
		}
		snprintf(canon, clen, "%s", val);
		return 0;
	case KERF_PT_STR:
		if (!*val) {
			snprintf(err, elen, "parameter %s: the value is empty",
				 p->name);
			return -EINVAL;
		}
		if (p->check && p->check(val, err, elen))
			return -EINVAL;
		snprintf(canon, clen, "%s", val);
		return 0;
	default:
		break;
	}
	e = parse_num(p, val, &v);
	if (e) {
		snprintf(err, elen,
			 "parameter %s: '%s' is %s; expected %s in %s", p->name,
			 val, e == -ERANGE ? "out of range" : "not valid",
			 form_of(p->type), range);
		return -EINVAL;
	}
	if ((p->min && !parse_num(p, p->min, &lim) && num_below(p, v, lim)) ||
	    (p->max && !parse_num(p, p->max, &lim) && num_below(p, lim, v))) {
		snprintf(err, elen, "parameter %s: '%s' is outside %s", p->name,
			 val, range);
		return -EINVAL;
	}
	if (p->type == KERF_PT_SIZE)
		kerf_fmt_size(v, canon, clen);
	else if (p->type == KERF_PT_TIME)
		kerf_fmt_time(v, canon, clen);
	else
		snprintf(canon, clen, "%" PRId64, (int64_t)v);
	return 0;
}

int kerf_param_store(const struct kerf_param *p, void *priv, const char *val)
{
	char *field = (char *)priv + p->off;
	uint64_t v;
	bool on;
	int idx;

	switch (p->type) {
	case KERF_PT_ENUM:
		idx = enum_index(p, val);
		if (idx < 0)
			return -EINVAL;
		memcpy(field, &idx, sizeof(idx));
		return 0;
	case KERF_PT_BOOL:
		/* Choices "0,1": the index is the value. */
		idx = enum_index(p, val);
		if (idx < 0)
			return -EINVAL;
		on = idx == 1;
		memcpy(field, &on, sizeof(on));
		return 0;
	case KERF_PT_STR:
		memcpy(field, &val, sizeof(val));
		return 0;
	default:
		if (parse_num(p, val, &v))
			return -EINVAL;
		memcpy(field, &v, sizeof(v));
		return 0;
	}
}
