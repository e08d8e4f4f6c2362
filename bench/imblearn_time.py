"""Time imbalanced-learn on data written by bench/*.R.

Usage: /usr/bin/python3 imblearn_time.py <x.bin> <y.bin> <n> <d> <method> <k> <reps>
x.bin: n*d float64, column-major (R's layout); y.bin: n int32 labels.
Prints one line: method seconds(best of reps) blas=<numpy BLAS>.
"""
import sys, time
import numpy as np

xf, yf, n, d, method, k, reps = sys.argv[1:8]
n, d, k, reps = int(n), int(d), int(k), int(reps)
x = np.fromfile(xf, dtype=np.float64).reshape((d, n)).T.copy()
y = np.fromfile(yf, dtype=np.int32)

try:
    from threadpoolctl import threadpool_info
    blas = ",".join(sorted({i.get("internal_api", "?") + ":" + str(i.get("num_threads"))
                            for i in threadpool_info() if i.get("user_api") == "blas"})) or "unknown"
except Exception:
    blas = "unknown"

import imblearn.over_sampling as ov
make = {
    "smote": lambda: ov.SMOTE(k_neighbors=k, random_state=1),
    "borderline1": lambda: ov.BorderlineSMOTE(k_neighbors=k, random_state=1, kind="borderline-1"),
    "adasyn": lambda: ov.ADASYN(n_neighbors=k, random_state=1),
}[method]
best = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    xr, yr = make().fit_resample(x, y)
    best = min(best, time.perf_counter() - t0)
print(f"{method} {best:.4f} blas={blas} rows={xr.shape[0]}")
