/* SPDX-License-Identifier: MIT */
/* kerf-exit0: the program spawn/exec and spawn/posix_spawn_exec start; it
 * exits at once with status 0. */
#include <unistd.h>

int main(void)
{
	_exit(0);
}
