/* SPDX-License-Identifier: MIT */
/* Strings from files written safely for each sink: terminal, Markdown, gnuplot, CSV, HTML. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kerf/escape.h"

/* Where escaped text goes: a stream, or a buffer that keeps RESERVE free. */
struct esc_out {
	FILE *f;
	char *buf;
	size_t len, off, reserve;
	bool full;
};

static void esc_put(struct esc_out *o, const char *p, size_t n)
{
	if (o->f) {
		fwrite(p, 1, n, o->f);
		return;
	}
	if (o->full || o->off + n + o->reserve + 1 > o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->off, p, n);
	o->off += n;
	o->buf[o->off] = '\0';
}

/* The end of the escape sequence that starts at s[0] == ESC. */
static const char *esc_skip_seq(const char *s)
{
	unsigned char c = s[1];

	s += 2;
	if (!c)
		return s - 1;
	if (c == '[') { /* CSI: parameters, intermediates, one final byte */
		while (*s && !(*s >= 0x40 && *s <= 0x7e))
			s++;
		return *s ? s + 1 : s;
	}
	if (strchr("]PX^_", c)) { /* OSC, DCS, SOS, PM, APC: up to ST or BEL */
		for (; *s; s++) {
			if (*s == '\a')
				return s + 1;
			if (*s == 0x1b && s[1] == '\\')
				return s + 2;
			if (*s == 0x1b)
				return s;
		}
		return s;
	}
	while (c >= 0x20 && c <= 0x2f && *s) /* intermediates, then final */
		c = *s++;
	return s;
}

/* Length of the valid UTF-8 character at s (0: not UTF-8), its code point. */
static int esc_utf8(const unsigned char *s, uint32_t *cp)
{
	int n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, *cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && *cp < 0x10000) ||
	    *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* Code points that change how a terminal or viewer lays out the line. */
static bool esc_cp_bad(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/*
 * The next character of S under the terminal rules into ch (empty when it
 * was dropped); returns where the following one starts. Always advances.
 */
static const char *esc_next(const char *s, char ch[5])
{
	uint32_t cp;
	int n;

	ch[0] = '\0';
	if (*s == 0x1b)
		return esc_skip_seq(s);
	if (*s == '\n' || *s == '\t' || *s == '\r') {
		strcpy(ch, " ");
		return s + 1;
	}
	n = esc_utf8((const unsigned char *)s, &cp);
	if (!n)
		return s + 1;
	if (!esc_cp_bad(cp)) {
		memcpy(ch, s, n);
		ch[n] = '\0';
	}
	return s + n;
}

static void esc_term(struct esc_out *o, const char *s)
{
	char ch[5];

	while (s && *s) {
		s = esc_next(s, ch);
		esc_put(o, ch, strlen(ch));
	}
}

void kerf_put_term(FILE *f, const char *s)
{
	struct esc_out o = { .f = f };

	esc_term(&o, s);
}

void kerf_esc_term(char *buf, size_t len, const char *s)
{
	struct esc_out o = { .buf = buf, .len = len };

	if (!len)
		return;
	buf[0] = '\0';
	esc_term(&o, s);
}

void kerf_put_md(FILE *f, const char *s)
{
	bool first = true;
	char ch[5];

	while (s && *s) {
		s = esc_next(s, ch);
		if (!ch[0])
			continue;
		if ((ch[1] == '\0' && strchr("|`*_[]<>\\#", ch[0])) ||
		    (first && strchr("-+=", ch[0])))
			fputc('\\', f);
		fputs(ch, f);
		first = false;
	}
}

static void esc_gp(struct esc_out *o, const char *s)
{
	char ch[5];

	o->reserve = 1;
	esc_put(o, "'", 1);
	while (s && *s) {
		s = esc_next(s, ch);
		esc_put(o, ch[0] == '\'' ? "''" : ch,
			ch[0] == '\'' ? 2 : strlen(ch));
	}
	o->reserve = 0;
	o->full = false;
	esc_put(o, "'", 1);
}

void kerf_put_gp(FILE *f, const char *s)
{
	struct esc_out o = { .f = f };

	esc_gp(&o, s);
}

const char *kerf_esc_gp(char *buf, size_t len, const char *s)
{
	struct esc_out o = { .buf = buf, .len = len };

	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = '\0';
	esc_gp(&o, s);
	return buf;
}

void kerf_put_gp_datum(FILE *f, const char *s)
{
	char ch[5];

	fputc('"', f);
	while (s && *s) {
		s = esc_next(s, ch);
		fputs(ch[0] == '"' || ch[0] == '\\' ? "'" : ch, f);
	}
	fputc('"', f);
}

void kerf_put_csv(FILE *f, const char *s)
{
	char clean[4096], *c = clean;
	size_t n;
	bool quote;

	/* a longer cell is cut: CSV cells from run.json are names and units */
	kerf_esc_term(clean, sizeof(clean), s);
	n = strlen(clean);
	quote = strpbrk(clean, ",\"") ||
		(n && (clean[0] == ' ' || clean[n - 1] == ' '));
	if (quote)
		fputc('"', f);
	if (strchr("=+-@", clean[0]) && clean[0])
		fputc('\'', f);
	for (; *c; c++) {
		if (*c == '"')
			fputc('"', f);
		fputc(*c, f);
	}
	if (quote)
		fputc('"', f);
}

void kerf_put_html(FILE *f, const char *s)
{
	static const char *const ent[] = {
		['&'] = "&amp;",  ['<'] = "&lt;",   ['>'] = "&gt;",
		['"'] = "&quot;", ['\''] = "&#39;",
	};
	char ch[5];

	while (s && *s) {
		s = esc_next(s, ch);
		if (ch[0] && !ch[1] &&
		    (unsigned char)ch[0] < sizeof(ent) / sizeof(*ent) &&
		    ent[(unsigned char)ch[0]])
			fputs(ent[(unsigned char)ch[0]], f);
		else
			fputs(ch, f);
	}
}
