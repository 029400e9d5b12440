/* SPDX-License-Identifier: MIT */
/* What the echo client and its server process tell each other (echo*.c). */
#ifndef KERF_ECHO_PROTO_H
#define KERF_ECHO_PROTO_H

#include "kerf/echo.h"

/* Kinds of status message the server writes on its status pipe. */
enum echo_status {
	ECHO_ENGINE_OK = 1, /* event loop set up; text: what it obtained */
	ECHO_READY, /* every connection accepted and armed */
	ECHO_SKIP, /* text: what this host lacks */
	ECHO_ERROR, /* text: what failed */
};

/* One message, written whole (smaller than PIPE_BUF). */
struct echo_msg {
	int kind;
	char text[1020];
};

/*
 * The server process's body: set up the event loop, accept cfg->conns
 * connections on lfd, echo until every connection is closed. Reports on
 * stfd. Returns the exit status for the process.
 */
int kerf_echo_serve(const struct kerf_echo_cfg *cfg, int lfd, int stfd);

#endif
