/* Registration only. */
#include "smoteguard.h"

#define CALLDEF(name, n) {#name, (DL_FUNC) &name, n}

static const R_CallMethodDef CallEntries[] = {
  CALLDEF(ffi_knn_search, 6),
  CALLDEF(ffi_smote_draw, 2),
  CALLDEF(ffi_interpolate, 4),
  {NULL, NULL, 0}
};

void R_init_smoteguard(DllInfo *dll) {
  R_registerRoutines(dll, NULL, CallEntries, NULL, NULL);
  R_useDynamicSymbols(dll, FALSE);
  R_forceSymbols(dll, TRUE);
}
