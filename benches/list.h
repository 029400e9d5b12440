/* SPDX-License-Identifier: MIT */
/*
 * The registry: one line per bench, KERF_BENCH(symbol) where symbol is the
 * descriptor's variable name in its family file. The build checks that every
 * descriptor defined in benches/ is listed here (tests/registry.sh).
 * Keep each family in its own block; order here is the order of `kerf list`.
 */

/* calib */
KERF_BENCH(calib_spin)

/* syscall */
KERF_BENCH(syscall_getppid)
KERF_BENCH(syscall_read)
KERF_BENCH(syscall_write)
KERF_BENCH(syscall_fstat)
KERF_BENCH(syscall_einval)

/* call (the catalogue kerf price uses) */
KERF_BENCH(call_read)
KERF_BENCH(call_write)
KERF_BENCH(call_pread)
KERF_BENCH(call_pwrite)
KERF_BENCH(call_sendto)
KERF_BENCH(call_recvfrom)
KERF_BENCH(call_sendmsg)
KERF_BENCH(call_recvmsg)
KERF_BENCH(call_openat)
KERF_BENCH(call_close)
KERF_BENCH(call_statx)
KERF_BENCH(call_mmap)
KERF_BENCH(call_munmap)
KERF_BENCH(call_madvise)
KERF_BENCH(call_mprotect)
KERF_BENCH(call_brk)
KERF_BENCH(call_epoll_wait)
KERF_BENCH(call_epoll_ctl)
KERF_BENCH(call_poll)
KERF_BENCH(call_futex)
KERF_BENCH(call_getrandom)
KERF_BENCH(call_nanosleep)
KERF_BENCH(call_getdents64)

/* vdso */
KERF_BENCH(vdso_clock_gettime)
KERF_BENCH(vdso_gettimeofday)
KERF_BENCH(vdso_time)
KERF_BENCH(vdso_getcpu)

/* spawn, sched, signal (process benches) */
KERF_BENCH(spawn_fork)
KERF_BENCH(spawn_vfork)
KERF_BENCH(spawn_clone)
KERF_BENCH(spawn_clone3)
KERF_BENCH(spawn_posix_spawn)
KERF_BENCH(spawn_pthread)
KERF_BENCH(spawn_exec)
KERF_BENCH(spawn_posix_spawn_exec)
KERF_BENCH(spawn_cow)
KERF_BENCH(spawn_exit)
KERF_BENCH(sched_pipe)
KERF_BENCH(sched_futex)
KERF_BENCH(sched_eventfd)
KERF_BENCH(signal_roundtrip)
KERF_BENCH(signal_handler)
KERF_BENCH(signal_term)

/* evloop */
KERF_BENCH(evloop_epoll)
KERF_BENCH(evloop_poll)
KERF_BENCH(evloop_select)
KERF_BENCH(evloop_io_uring)

/* fileio */
KERF_BENCH(fileio_read)
KERF_BENCH(fileio_pread)
KERF_BENCH(fileio_mmap)
KERF_BENCH(fileio_io_uring)

/* tlb, pagefault, thp, numa (memory benches) */
KERF_BENCH(tlb_chase)
KERF_BENCH(pagefault_anon)
KERF_BENCH(pagefault_file)
KERF_BENCH(pagefault_populate)
KERF_BENCH(thp_fault_latency)
KERF_BENCH(numa_access)

/* container */
KERF_BENCH(container_unshare)
KERF_BENCH(container_cgroup)
KERF_BENCH(container_overlay)
KERF_BENCH(container_copyup)
KERF_BENCH(container_start)
KERF_BENCH(container_runtime)

/* end */
