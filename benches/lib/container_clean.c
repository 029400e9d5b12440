/* SPDX-License-Identifier: MIT */
/* Leftovers of container benches whose kerf is gone: overlay mounts and
 * their directories under the tmpdir, and cgroups (the stressors' sweep). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kerf/cgroup.h"
#include "kerf/container.h"

/* Is pid a live kerf (its comm starts with "kerf")? */
static bool container_owner_alive(int pid)
{
	char path[64], comm[32] = "";
	int fd;

	if (pid == (int)getpid() || pid == kerf_ct_owner())
		return true;
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, comm, sizeof(comm) - 1) < 0)
		comm[0] = '\0';
	close(fd);
	return !strncmp(comm, "kerf", 4);
}

/* Detach every mount at or below dir, deepest first (mountinfo order is
 * parent before child, so walk it backwards). */
void kerf_ct_umount_below(const char *dir)
{
	char line[4096], mnt[PATH_MAX], *list[256];
	size_t dlen = strlen(dir);
	int n = 0, i;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (n < 256 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 &&
		    !strncmp(mnt, dir, dlen) &&
		    (mnt[dlen] == '/' || mnt[dlen] == '\0'))
			list[n++] = strdup(mnt);
	fclose(f);
	for (i = n - 1; i >= 0; i--) {
		if (list[i])
			umount2(list[i], MNT_DETACH);
		free(list[i]);
	}
}

static int container_rm(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Unmount and remove dir and all below it (same file system only). */
int kerf_ct_rmtree(const char *dir)
{
	kerf_ct_umount_below(dir);
	nftw(dir, container_rm, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return access(dir, F_OK) ? 0 : -ENOTEMPTY;
}

int kerf_ct_cleanup_leftovers(const char *tmpdir)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0, pid;
	DIR *d;

	if (geteuid() == 0) {
		pid = kerf_cg_cleanup_leftovers(NULL);
		n += pid > 0 ? pid : 0;
	}
	d = opendir(tmpdir);
	if (!d)
		return n;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "kerf-%d-ct", &pid) != 1 ||
		    !strstr(de->d_name, "-ct") || container_owner_alive(pid))
			continue;
		snprintf(path, sizeof(path), "%.3000s/%s", tmpdir, de->d_name);
		if (!kerf_ct_rmtree(path))
			n++;
	}
	closedir(d);
	return n;
}
