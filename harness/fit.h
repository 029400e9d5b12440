/* SPDX-License-Identifier: MIT */
/* `kerf stress fit`: the smallest memory limit a command runs well in. */
#ifndef KERF_FIT_H
#define KERF_FIT_H

/* argv[0] is "fit"; returns the exit status (see kerf stress fit --help). */
int kerf_stress_fit(int argc, char **argv);

#endif
