"""Time imbalanced-learn on data written by bench/*.R.

Usage: /usr/bin/python3 imblearn_time.py <x.bin> <y.bin> <n> <d> <method> <k> <reps> [inner]
x.bin: n*d float64, column-major (R's layout); y.bin: n int32 labels.
method: smote, borderline1, borderline2 or adasyn (imbalanced-learn's defaults otherwise:
every class but the largest raised to the largest; m_neighbors = 10 for Borderline).
The whole fit_resample() call is timed, numpy arrays in and out; best of `reps` rounds,
each round the mean of `inner` calls (for tables that take milliseconds).
Prints one line:
  method seconds(best) blas=<BLAS numpy and scipy actually loaded> rows=<rows out> peak_mb=<VmHWM>
The BLAS is named from threadpoolctl when it recognises it (OpenBLAS: its kernel
architecture and thread count), else from the libraries mapped into this process
(/proc/self/maps), so the reference BLAS is named too.
"""
import os, sys, time
import numpy as np

xf, yf, n, d, method, k, reps = sys.argv[1:8]
inner = int(sys.argv[8]) if len(sys.argv) > 8 else 1
n, d, k, reps = int(n), int(d), int(k), int(reps)
x = np.fromfile(xf, dtype=np.float64).reshape((d, n)).T.copy()
y = np.fromfile(yf, dtype=np.int32)

import imblearn.over_sampling as ov  # loads scipy's and sklearn's BLAS too


def blas_name():
    try:
        from threadpoolctl import threadpool_info
        found = sorted({"%s:%s:%s" % (i.get("internal_api", "?"), i.get("architecture", "-"),
                                      i.get("num_threads"))
                        for i in threadpool_info() if i.get("user_api") == "blas"})
        if found:
            return ",".join(found)
    except Exception:
        pass
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            b = os.path.basename(p)
            if b.startswith(("libblas", "libopenblas", "libmkl", "libblis", "libcblas")):
                libs.add(p)
    if not libs:
        return "unknown"
    kind = "reference" if any("/blas/" in p for p in libs) else "other"
    return kind + ":" + "+".join(sorted(libs))


def peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


make = {
    "smote": lambda: ov.SMOTE(k_neighbors=k, random_state=1),
    "borderline1": lambda: ov.BorderlineSMOTE(k_neighbors=k, random_state=1, kind="borderline-1"),
    "borderline2": lambda: ov.BorderlineSMOTE(k_neighbors=k, random_state=1, kind="borderline-2"),
    "adasyn": lambda: ov.ADASYN(n_neighbors=k, random_state=1),
}[method]
best = float("inf")
for _ in range(reps):
    t0 = time.perf_counter()
    for _ in range(inner):
        xr, yr = make().fit_resample(x, y)
    best = min(best, (time.perf_counter() - t0) / inner)
print(f"{method} {best:.6f} blas={blas_name()} rows={xr.shape[0]} peak_mb={peak_mb():.0f}")
