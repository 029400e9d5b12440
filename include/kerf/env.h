/* SPDX-License-Identifier: MIT */
/* The environment fingerprint: what decides whether two runs compare. */
#ifndef KERF_ENV_H
#define KERF_ENV_H

#include <jansson.h>

/* Capture the fingerprint of this host now (see DESIGN.md). */
json_t *kerf_env_capture(void);
/* The warnings that follow from a fingerprint: an array of strings. */
json_t *kerf_env_warnings(const json_t *env);

#endif
