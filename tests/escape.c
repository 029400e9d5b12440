/* SPDX-License-Identifier: MIT */
/* kerf/escape.h: each sink's writer against hand-written expected text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kerf/escape.h"

static int fails;

/* What FN writes for IN, compared with WANT. */
static void check(const char *what, void (*fn)(FILE *, const char *),
		  const char *in, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, in);
	fclose(f);
	if (strcmp(buf, want)) {
		printf("FAIL: %s(%s): got [%s], want [%s]\n", what, in, buf,
		       want);
		fails++;
	}
	free(buf);
}

int main(void)
{
	char b[16];

	/* terminal: controls, ESC sequences (CSI, OSC 52), C1, bidi dropped */
	check("term", kerf_put_term, "a\x1b[31mred\x1b[0m", "ared");
	check("term", kerf_put_term, "x\x1b]52;c;cHduZWQ=\x07y", "xy");
	check("term", kerf_put_term, "x\x1b]0;t\x1b\\y", "xy");
	check("term", kerf_put_term, "a\nb\tc\rd", "a b c d");
	check("term", kerf_put_term,
	      "a\x01\x7f\xc2\x9b"
	      "2Jb",
	      "a2Jb");
	check("term", kerf_put_term,
	      "\xe2\x80\xae"
	      "evil",
	      "evil");
	check("term", kerf_put_term, "caf\xc3\xa9 \xff\xfe", "caf\xc3\xa9 ");
	check("term", kerf_put_term, "end\x1b", "end");
	check("term", kerf_put_term, "end\x1b[", "end");
	/* Markdown: no new cell, row, link, heading or HTML */
	check("md", kerf_put_md, "a|b", "a\\|b");
	check("md", kerf_put_md, "x\n| y |", "x \\| y \\|");
	check("md", kerf_put_md, "[l](u) <b> `c` *e* _i_ #h \\",
	      "\\[l\\](u) \\<b\\> \\`c\\` \\*e\\* \\_i\\_ \\#h \\\\");
	check("md", kerf_put_md, "- item", "\\- item");
	check("md", kerf_put_md, "=1+2", "\\=1+2");
	/* gnuplot: single quotes, ' doubled, nothing else special */
	check("gp", kerf_put_gp, "it's `cmd` \"q\" @m \\n",
	      "'it''s `cmd` \"q\" @m \\n'");
	check("gp", kerf_put_gp, "a\n!touch x", "'a !touch x'");
	check("gp", kerf_put_gp, NULL, "''");
	check("gp data", kerf_put_gp_datum, "a \"b\" c\\", "\"a 'b' c'\"");
	/* CSV: formula prefixes neutralised, quoting per RFC 4180 */
	check("csv", kerf_put_csv, "=HYPERLINK(1)", "'=HYPERLINK(1)");
	check("csv", kerf_put_csv, "+1", "'+1");
	check("csv", kerf_put_csv, "-1+2", "'-1+2");
	check("csv", kerf_put_csv, "@SUM(A1)", "'@SUM(A1)");
	check("csv", kerf_put_csv, "\t=1", "\" =1\"");
	check("csv", kerf_put_csv, "a,\"b\"", "\"a,\"\"b\"\"\"");
	check("csv", kerf_put_csv, "ns/op", "ns/op");
	/* HTML */
	check("html", kerf_put_html, "<a href='x'>&\"",
	      "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
	check("html", kerf_put_html,
	      "a\x1b]52;c;x\x07"
	      "b",
	      "ab");
	/* a literal cut short still ends with its quote */
	kerf_esc_gp(b, sizeof(b), "0123456789abcdefghij");
	if (strcmp(b, "'0123456789abc'")) {
		printf("FAIL: kerf_esc_gp cut: [%s]\n", b);
		fails++;
	}
	kerf_esc_gp(b, sizeof(b), "''''''''''");
	if (b[strlen(b) - 1] != '\'' || strlen(b) % 2) {
		printf("FAIL: kerf_esc_gp cut between doubled quotes: [%s]\n",
		       b);
		fails++;
	}
	if (!fails)
		printf("ok: every sink escaped as expected\n");
	return fails ? 1 : 0;
}
