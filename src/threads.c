/* The thread count, in one place (data.table's model): a default decided
 * from the machine, which the user may set (sg_threads(), the environment
 * variable SMOTEGUARD_NUM_THREADS read at load, or per call the option
 * smoteguard.threads); capped by OpenMP's limits; one thread for small
 * work; and one thread in a child made by fork() (parallel::mclapply(),
 * future's multicore plan), where an OpenMP runtime that the parent used
 * may hang. */
#include "smoteguard.h"

#if defined(_OPENMP) && !defined(_WIN32)
#include <pthread.h>
#define SG_HAVE_ATFORK 1
#endif

/* 0: not set, the machine's default */
static int sg_user_threads = 0;
/* 1 in a child process made by fork() after the package was loaded */
static int sg_forked = 0;

#ifdef SG_HAVE_ATFORK
static void sg_after_fork_child(void) { sg_forked = 1; }
#endif

void sg_threads_init(void) {
#ifdef SG_HAVE_ATFORK
  pthread_atfork(NULL, NULL, sg_after_fork_child);
#endif
}

/* Every processor but one on machines of four or more (the session and
 * the rest of the machine keep one), all of them on smaller ones; never
 * more than OpenMP allows (OMP_NUM_THREADS, OMP_THREAD_LIMIT). */
static int sg_machine_threads(void) {
#ifdef _OPENMP
  int procs = omp_get_num_procs();
  int n = procs >= 4 ? procs - 1 : procs;
  if (n > omp_get_max_threads()) n = omp_get_max_threads();
  return n < 1 ? 1 : n;
#else
  return 1;
#endif
}

/* The count a large call uses when it asks for the default. */
static int sg_default_threads(void) {
  if (sg_forked) return 1;
  return sg_user_threads > 0 ? sg_user_threads : sg_machine_threads();
}

/* The count for one parallel region: the request (NA or <= 0: the
 * default), capped by OpenMP's limit and the processors (each thread has
 * its own scratch), and 1 for small work or in a forked child. */
int sg_threads_for(int requested, double work) {
  if (work < SG_MIN_PARALLEL_WORK || sg_forked) return 1;
#ifdef _OPENMP
  int n = (requested == NA_INTEGER || requested <= 0) ? sg_default_threads() : requested;
  int limit = omp_get_thread_limit();
  if (n > limit) n = limit;
  int procs = omp_get_num_procs();
  if (n > procs) n = procs;
  return n < 1 ? 1 : n;
#else
  (void) requested;
  return 1;
#endif
}

int sg_copy_threads(int requested, double values) {
  return values < SG_COPY_MIN ? 1 : sg_threads_for(requested, SG_MIN_PARALLEL_WORK);
}

/* ffi_threads_get(): list(threads = the default count, machine = the
 * machine's default, forked = in a forked child, openmp = built with it) */
SEXP ffi_threads_get(void) {
  int nprot = 0;
  const char *names[] = {"threads", "machine", "user", "forked", "openmp"};
#ifdef _OPENMP
  const int openmp = 1;
#else
  const int openmp = 0;
#endif
  SEXP vals[5];
  vals[0] = PROTECT(Rf_ScalarInteger(sg_default_threads())); nprot++;
  vals[1] = PROTECT(Rf_ScalarInteger(sg_machine_threads())); nprot++;
  vals[2] = PROTECT(Rf_ScalarInteger(sg_user_threads > 0 ? sg_user_threads : NA_INTEGER)); nprot++;
  vals[3] = PROTECT(Rf_ScalarLogical(sg_forked)); nprot++;
  vals[4] = PROTECT(Rf_ScalarLogical(openmp)); nprot++;
  SEXP out = PROTECT(sg_named_list(5, vals, names)); nprot++;
  UNPROTECT(nprot);
  return out;
}

/* ffi_threads_set(n): n >= 1 sets the default, NA returns to the machine's.
 * The R side checks n first. */
SEXP ffi_threads_set(SEXP n) {
  int v = sg_int_scalar(n, "threads");
  if (v != NA_INTEGER && v < 1) Rf_error("`threads` must be NA or at least 1.");
  sg_user_threads = v == NA_INTEGER ? 0 : v;
  return Rf_ScalarInteger(sg_default_threads());
}
