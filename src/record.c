/* The record's checksums (R/provenance.R): they must change when the rows
 * of a result are dropped, added or reordered, and cost little next to
 * the call that made the result. */
#include "smoteguard.h"

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
