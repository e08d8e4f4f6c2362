/* The record's checksums (R/provenance.R): they must change when the rows
 * of a result are dropped, added or reordered, and cost little next to
 * the call that made the result. */
#include "smoteguard.h"
#include <string.h>
#include <limits.h>
#include <math.h>
#include <time.h>
#ifdef _WIN32
#include <sys/time.h>
#endif

#define SG_CHECKSUM_MOD ((uint64_t) 1 << 50)

/* 32-bit FNV-1a of a string's bytes: a code for a value that depends on
 * the value only (not on the other values, nor on the locale). */
static uint32_t sg_string_code(const char *s) {
  uint32_t h = 2166136261u;
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    h ^= *p;
    h *= 16777619u;
  }
  return h;
}

/* sum over i of code_i * w_i modulo 2^50, w_i = (i * 7919 mod 10007) + 1
 * (i 1-based): exact in 64-bit integers (each term < 2^46).  `x`: integer
 * codes (a factor's), or strings coded by their UTF-8 bytes.  NA: NA. */
SEXP ffi_record_checksum(SEXP x) {
  if (!Rf_isInteger(x) && TYPEOF(x) != STRSXP)
    Rf_error("`x` must be an integer or character vector.");
  R_xlen_t n = XLENGTH(x);
  int is_int = TYPEOF(x) == INTSXP;
  const int *xi = is_int ? INTEGER_RO(x) : NULL;
  uint64_t acc = 0;
  for (R_xlen_t i = 0; i < n; i++) {
    uint64_t code;
    if (is_int) {
      if (xi[i] == NA_INTEGER) return Rf_ScalarReal(NA_REAL);
      code = (uint32_t) xi[i];
    } else {
      SEXP s = STRING_ELT(x, i);
      if (s == NA_STRING) return Rf_ScalarReal(NA_REAL);
      code = sg_string_code(Rf_translateCharUTF8(s));
    }
    uint64_t w = ((uint64_t) (i + 1) * 7919u) % 10007u + 1u;
    acc = (acc + code * w) % SG_CHECKSUM_MOD;
  }
  return Rf_ScalarReal((double) acc);
}

/* ---- The result's numeric predictors --------------------------------
 * assemble_result() (R/oversample.R): each bare double or integer
 * predictor of the result is its n real values followed by the G
 * synthetic ones, column `which[c]` (1-based) of `values` (G x p
 * doubles). Integer columns take as.integer(round(v)): half to even (R's
 * round() to 0 digits is nearbyint()), NA for a missing value, and NA
 * with R's warning outside the integer range. One vector of the result's
 * length per column and nothing else: on a table of 300,000 rows the
 * values' columns copied out one by one (and, for integers, rounded) were
 * tens of megabytes that a session's first call pays in fresh pages.
 * The columns are allocated first; then the call's threads share them,
 * so that the writes and the page faults of that fresh memory are not all
 * on one thread. */
typedef struct {
  const void *real;  /* the n real values (double or int) */
  const double *v;   /* the G synthetic ones */
  void *out;         /* n + G, of the column's type */
  R_xlen_t n;
  int is_double;
} sg_result_col;

/* Writes one column; returns 1 when a rounded value was outside the
 * integer range. Plain C: run by any thread. */
static int sg_result_column(const sg_result_col *c, R_xlen_t G) {
  R_xlen_t n = c->n;
  if (c->is_double) {
    double *o = (double *) c->out;
    if (n > 0) memcpy(o, c->real, (size_t) n * sizeof(double));
    if (G > 0) memcpy(o + n, c->v, (size_t) G * sizeof(double));
    return 0;
  }
  int *o = (int *) c->out, overflow = 0;
  if (n > 0) memcpy(o, c->real, (size_t) n * sizeof(int));
  for (R_xlen_t i = 0; i < G; i++) {
    double r = nearbyint(c->v[i]);
    if (ISNAN(r)) {
      o[n + i] = NA_INTEGER;
    } else if (r >= INT_MAX + 1.0 || r <= INT_MIN) {
      o[n + i] = NA_INTEGER;
      overflow = 1;
    } else {
      o[n + i] = (int) r;
    }
  }
  return overflow;
}

SEXP ffi_record_extend(SEXP cols, SEXP values, SEXP which, SEXP threads) {
  int nprot = 0;
  if (TYPEOF(cols) != VECSXP) Rf_error("`cols` must be a list of columns.");
  sg_check_double_matrix(values, "values");
  R_xlen_t k = XLENGTH(cols), G = Rf_nrows(values);
  int p = Rf_ncols(values);
  if (TYPEOF(which) != INTSXP || XLENGTH(which) != k)
    Rf_error("`which` must be an integer vector, one column of `values` per column.");
  int req = sg_int_scalar(threads, "threads");
  const int *w = INTEGER_RO(which);
  double cells = 0;
  for (R_xlen_t c = 0; c < k; c++) {
    SEXP col = VECTOR_ELT(cols, c);
    int t = TYPEOF(col);
    if ((t != REALSXP && t != INTSXP) || ATTRIB(col) != R_NilValue)
      Rf_error("`cols` must hold bare double or integer vectors.");
    if (w[c] == NA_INTEGER || w[c] < 1 || w[c] > p)
      Rf_error("`which` must hold column numbers from 1 to %d.", p);
    cells += (double) XLENGTH(col) + (double) G;
  }
  SEXP out = PROTECT(Rf_allocVector(VECSXP, k)); nprot++;
  sg_result_col *rc = (sg_result_col *) R_alloc((size_t) (k > 0 ? k : 1), sizeof(sg_result_col));
  const double *vals = REAL_RO(values);
  /* the R API (allocation, data pointers: an ALTREP column may be
   * expanded) on this thread only */
  for (R_xlen_t c = 0; c < k; c++) {
    SEXP col = VECTOR_ELT(cols, c);
    int t = TYPEOF(col);
    R_xlen_t n = XLENGTH(col);
    SEXP res = Rf_allocVector(t, n + G);
    SET_VECTOR_ELT(out, c, res);
    sg_fresh_vector(res);  /* written whole, in fresh memory */
    rc[c].is_double = t == REALSXP;
    rc[c].real = t == REALSXP ? (const void *) REAL_RO(col) : (const void *) INTEGER_RO(col);
    rc[c].out = t == REALSXP ? (void *) REAL(res) : (void *) INTEGER(res);
    rc[c].v = vals + (R_xlen_t) (w[c] - 1) * G;
    rc[c].n = n;
  }
  int nth = sg_copy_threads(req, cells);
  if (nth > k) nth = k > 0 ? (int) k : 1;
  int overflow = 0;
#if defined(_OPENMP) && !defined(_WIN32)
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1) reduction(|: overflow)
#endif
  for (R_xlen_t c = 0; c < k; c++) overflow |= sg_result_column(rc + c, G);
  if (overflow) Rf_warning("NAs introduced by coercion to integer range");
  Rf_setAttrib(out, R_NamesSymbol, Rf_getAttrib(cols, R_NamesSymbol));
  UNPROTECT(nprot);
  return out;
}

/* Whether the strings x are "1", "2", ..., "n" in order (assemble_result():
 * such row names name each row by its number, as automatic ones do). The
 * decimal of i is kept in a buffer and incremented, so no string is made. */
SEXP ffi_record_numbered(SEXP x) {
  if (TYPEOF(x) != STRSXP) return Rf_ScalarLogical(0);
  R_xlen_t n = XLENGTH(x);
  if (n == 0) return Rf_ScalarLogical(0);
  char digits[32] = "1";
  size_t len = 1;
  for (R_xlen_t i = 0; i < n; i++) {
    SEXP s = STRING_ELT(x, i);
    if (s == NA_STRING || (size_t) LENGTH(s) != len ||
        memcmp(CHAR(s), digits, len) != 0)
      return Rf_ScalarLogical(0);
    /* digits + 1 */
    size_t k = len;
    while (k > 0 && digits[k - 1] == '9') digits[--k] = '0';
    if (k == 0) {
      memmove(digits + 1, digits, len);
      digits[0] = '1';
      len++;
    } else {
      digits[k - 1]++;
    }
  }
  return Rf_ScalarLogical(1);
}

/* A 64-bit hash of a row of p doubles, for the duplicate check
 * (ffi_metrics_duplicates(), metrics.c): equal rows get equal hashes, NA
 * equal to NA (any NaN hashes as one pattern) and -0 equal to 0. */
uint64_t sg_row_hash(const double *x, int p) {
  uint64_t h = 1469598103934665603ULL;
  for (int j = 0; j < p; j++) {
    double v = ISNAN(x[j]) ? NA_REAL : (x[j] == 0.0 ? 0.0 : x[j]);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (ISNAN(x[j])) bits = 0x7ff00000000007a2ULL;
    h ^= bits + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 1099511628211ULL;
  }
  return h;
}

/* ---- The data fingerprint --------------------------------------------
 * A 64-bit hash of a data frame's columns (names, types, classes, factor
 * levels and values), written as 16 hex digits: the ledger's way of saying
 * "the same data" without keeping the data.  The hash runs over 64-bit
 * words built from the values (a double's IEEE 754 bit pattern, an int's
 * value, a string's UTF-8 bytes packed little-endian), never over memory
 * as laid out, so it is the same on every platform and in every session.
 * -0 hashes as 0; every NA_real_ as one pattern and every other NaN as
 * another; NA_integer_ and NA_character_ have their own words. */

#define SG_FP_K1 0x9E3779B97F4A7C15ULL
#define SG_FP_K2 0xBF58476D1CE4E5B9ULL

typedef struct { uint64_t h; } sg_fp;

static inline uint64_t sg_fp_rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

static inline void sg_fp_word(sg_fp *s, uint64_t w) {
  w *= SG_FP_K1;
  w = sg_fp_rotl(w, 31);
  w *= SG_FP_K2;
  s->h ^= w;
  s->h = sg_fp_rotl(s->h, 27) * 5 + 0x52DCE729ULL;
}

/* A string: its length, then its bytes eight at a time. */
static void sg_fp_bytes(sg_fp *s, const char *p, size_t len) {
  sg_fp_word(s, (uint64_t) len);
  const unsigned char *b = (const unsigned char *) p;
  for (size_t i = 0; i < len; i += 8) {
    uint64_t w = 0;
    for (size_t k = 0; k < 8 && i + k < len; k++)
      w |= (uint64_t) b[i + k] << (8 * k);
    sg_fp_word(s, w);
  }
}

static void sg_fp_string(sg_fp *s, SEXP x) {
  if (x == NA_STRING) {
    sg_fp_word(s, 0xFFFFFFFFFFFFFFFFULL);
    return;
  }
  const char *c = Rf_translateCharUTF8(x);
  sg_fp_bytes(s, c, strlen(c));
}

static void sg_fp_strings(sg_fp *s, SEXP x) {
  if (x == R_NilValue || TYPEOF(x) != STRSXP) {
    sg_fp_word(s, 0);
    return;
  }
  R_xlen_t n = XLENGTH(x);
  sg_fp_word(s, (uint64_t) n);
  for (R_xlen_t i = 0; i < n; i++) sg_fp_string(s, STRING_ELT(x, i));
}

static inline uint64_t sg_fp_double_bits(double v) {
  if (ISNAN(v)) return R_IsNA(v) ? 0x7FF00000000007A2ULL : 0x7FF8000000000000ULL;
  if (v == 0) v = 0; /* -0 as 0 */
  uint64_t w;
  memcpy(&w, &v, sizeof w);
  return w;
}

/* One column: its type, class and levels, then its values. */
static void sg_fp_column(sg_fp *s, SEXP col) {
  sg_fp_word(s, (uint64_t) TYPEOF(col));
  sg_fp_strings(s, Rf_getAttrib(col, R_ClassSymbol));
  sg_fp_strings(s, Rf_getAttrib(col, R_LevelsSymbol));
  R_xlen_t n = XLENGTH(col);
  sg_fp_word(s, (uint64_t) n);
  switch (TYPEOF(col)) {
  case REALSXP: {
    const double *v = REAL_RO(col);
    for (R_xlen_t i = 0; i < n; i++) sg_fp_word(s, sg_fp_double_bits(v[i]));
    break;
  }
  case INTSXP:
  case LGLSXP: {
    const int *v = TYPEOF(col) == INTSXP ? INTEGER_RO(col) : LOGICAL_RO(col);
    for (R_xlen_t i = 0; i < n; i++) sg_fp_word(s, (uint64_t) (uint32_t) v[i]);
    break;
  }
  case STRSXP:
    for (R_xlen_t i = 0; i < n; i++) sg_fp_string(s, STRING_ELT(col, i));
    break;
  default:
    Rf_error("Column types must be double, integer, logical or character; one is %s.",
             Rf_type2char(TYPEOF(col)));
  }
}

/* The fingerprint of a list of columns (a data frame) with its names;
 * NULL when a column is of another type than double, integer, logical or
 * character (data_fingerprint() then hashes such columns as their text). */
SEXP ffi_record_fingerprint(SEXP x) {
  if (TYPEOF(x) != VECSXP) Rf_error("`x` must be a list of columns.");
  R_xlen_t p = XLENGTH(x);
  SEXP nms = Rf_getAttrib(x, R_NamesSymbol);
  if (p > 0 && (TYPEOF(nms) != STRSXP || XLENGTH(nms) != p))
    Rf_error("`x` must have one name per column.");
  for (R_xlen_t j = 0; j < p; j++) {
    int t = TYPEOF(VECTOR_ELT(x, j));
    if (t != REALSXP && t != INTSXP && t != LGLSXP && t != STRSXP) return R_NilValue;
  }
  sg_fp s = {0x736D6F7465677561ULL}; /* "smotegua" */
  sg_fp_word(&s, (uint64_t) p);
  for (R_xlen_t j = 0; j < p; j++) {
    sg_fp_string(&s, STRING_ELT(nms, j));
    sg_fp_column(&s, VECTOR_ELT(x, j));
  }
  /* a final mix so that close inputs give unrelated digits */
  uint64_t h = s.h;
  h ^= h >> 33; h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33; h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", (unsigned long long) h);
  return Rf_mkString(buf);
}

/* ---- The ledger's append ----------------------------------------------
 * One entry of the ledger (R/ledger.R) written to the end of the file with
 * a single write() and made durable with fsync(), the caller holding the
 * lock.  If the file does not end in a newline (a writer was killed in the
 * middle of a line), a newline goes first, in the same write, so the new
 * entry starts on a line of its own.  Returns the file's new size. */

#ifdef _WIN32
#include <io.h>
#include <fcntl.h>
#include <sys/stat.h>
#define sg_open _open
#define sg_write _write
#define sg_close _close
#define sg_fsync _commit
#define sg_lseek _lseeki64
#define sg_read _read
#define SG_OPEN_FLAGS (_O_RDWR | _O_APPEND | _O_CREAT | _O_BINARY)
#define SG_OPEN_MODE (_S_IREAD | _S_IWRITE)
#else
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
#define sg_open open
#define sg_write write
#define sg_close close
#define sg_fsync fsync
#define sg_lseek lseek
#define sg_read read
#define SG_OPEN_FLAGS (O_RDWR | O_APPEND | O_CREAT)
#define SG_OPEN_MODE 0666
#endif

SEXP ffi_record_append(SEXP path, SEXP text) {
  if (TYPEOF(path) != STRSXP || XLENGTH(path) != 1 || STRING_ELT(path, 0) == NA_STRING)
    Rf_error("`path` must be a single string.");
  if (TYPEOF(text) != STRSXP || XLENGTH(text) != 1 || STRING_ELT(text, 0) == NA_STRING)
    Rf_error("`text` must be a single string.");
  const char *file = R_ExpandFileName(Rf_translateChar(STRING_ELT(path, 0)));
  const char *line = Rf_translateCharUTF8(STRING_ELT(text, 0));
  size_t len = strlen(line);
  if (len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1) != NULL)
    Rf_error("`text` must be one line ending in a newline.");
  int fd = sg_open(file, SG_OPEN_FLAGS, SG_OPEN_MODE);
  if (fd < 0) Rf_error("cannot open '%s' for appending.", file);
  /* does the file end in a newline? */
  int fresh = 0;
  long long end = (long long) sg_lseek(fd, 0, SEEK_END);
  if (end > 0) {
    char last = '\n';
    if (sg_lseek(fd, end - 1, SEEK_SET) < 0 || sg_read(fd, &last, 1) != 1) {
      sg_close(fd);
      Rf_error("cannot read the end of '%s'.", file);
    }
    fresh = last != '\n';
  }
  char *buf = R_alloc(len + 1, 1);
  size_t n = 0;
  if (fresh) buf[n++] = '\n';
  memcpy(buf + n, line, len);
  n += len;
  /* O_APPEND: the write goes to the end whatever the offset */
  size_t done = 0;
  while (done < n) {
    long w = (long) sg_write(fd, buf + done, (unsigned int) (n - done));
    if (w < 0) {
#ifndef _WIN32
      if (errno == EINTR) continue;
#endif
      sg_close(fd);
      Rf_error("cannot write to '%s'.", file);
    }
    done += (size_t) w;
  }
  int synced = sg_fsync(fd) == 0;
  long long size = (long long) sg_lseek(fd, 0, SEEK_END);
  sg_close(fd);
  SEXP out = PROTECT(Rf_allocVector(REALSXP, 2));
  REAL(out)[0] = (double) size;
  REAL(out)[1] = synced;
  UNPROTECT(1);
  return out;
}

/* The caller's random stream put back after a seeded call: `old` is the
 * .Random.seed the global environment held before, assigned again, or
 * NULL where it held none, and then the one set.seed() made is removed as
 * rm() removes it, without rm()'s matching of its arguments, which costs
 * more than the rest of a seed's handling on a small table. */
SEXP ffi_record_seed_restore(SEXP old) {
  /* what .Random.seed can hold: R checks its kind and length at the next
   * draw, but anything else there would break the caller's stream */
  if (!Rf_isNull(old) && (TYPEOF(old) != INTSXP || XLENGTH(old) < 1 || Rf_isObject(old)))
    Rf_error("`old` must be NULL or an integer vector (a saved .Random.seed).");
  SEXP sym = Rf_install(".Random.seed");
  if (Rf_isNull(old)) R_removeVarFromFrame(sym, R_GlobalEnv);
  else Rf_defineVar(sym, old, R_GlobalEnv);
  return R_NilValue;
}

/* The wall clock in seconds since 1970 (Sys.time()'s number), for the
 * record's timings, which are differences of it: R's Sys.time() builds a
 * classed date-time object first, and sg_oversample() reads the clock five
 * times a call. */
SEXP ffi_record_clock(void) {
#ifdef _WIN32
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return Rf_ScalarReal((double) tv.tv_sec + 1e-6 * (double) tv.tv_usec);
#else
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return Rf_ScalarReal((double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec);
#endif
}
