/* SPDX-License-Identifier: MIT */
/* Strings from files (run.json, directory names) written safely where they go: one function per sink. */
#ifndef KERF_ESCAPE_H
#define KERF_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Every function here first applies the terminal rules: C0 controls, DEL,
 * C1 controls (U+0080..U+009F), bidirectional overrides and bytes that are
 * not UTF-8 are dropped; ESC is dropped with the sequence it starts (CSI,
 * OSC such as OSC 52, DCS, ...); a newline, tab or CR becomes one space. A
 * NULL string writes nothing (kerf_put_gp writes '').
 */

/* Text for a terminal or a log line. */
void kerf_put_term(FILE *f, const char *s);

/*
 * A Markdown table cell or line: the terminal rules, then a backslash
 * before | ` * _ [ ] < > \ # and before a leading - + =, so a cell cannot
 * forge rows, links or headings.
 */
void kerf_put_md(FILE *f, const char *s);

/*
 * A gnuplot string literal, quotes included: 'text' with ' doubled. gnuplot
 * runs `cmd` inside double-quoted strings; it expands nothing (backquotes,
 * @macros, escapes) inside single-quoted ones (checked with gnuplot 5.4).
 */
void kerf_put_gp(FILE *f, const char *s);

/*
 * A string column of a gnuplot data file: "text" with " and \ turned into
 * ' (gnuplot reads data files without expanding anything; the quotes keep
 * the row's columns).
 */
void kerf_put_gp_datum(FILE *f, const char *s);

/*
 * One CSV cell (RFC 4180): quoted when it holds , " or a space at an end;
 * a cell starting with = + - @ gets a leading ' so no spreadsheet reads it
 * as a formula (tab and CR are already spaces).
 */
void kerf_put_csv(FILE *f, const char *s);

/* HTML text or an attribute value: & < > " ' as entities. */
void kerf_put_html(FILE *f, const char *s);

/* The terminal rules into buf (truncated on a character boundary). */
void kerf_esc_term(char *buf, size_t len, const char *s);

/* kerf_put_gp into buf, returned; a literal cut short still ends with its quote. */
const char *kerf_esc_gp(char *buf, size_t len, const char *s);

#endif
