"""Time scikit-learn's exact k-NN self-search on data written by bench/knn-million.R.

Usage: /usr/bin/python3 sklearn_knn.py <x.bin> <n> <d> <k> <algorithm> <n_jobs>
x.bin: n*d float64, column-major (R's layout). algorithm: auto, kd_tree, ball_tree or brute.
Times fit() and kneighbors() without a query (each point's k neighbours among the others,
as sg_knn(x, k) does), numpy arrays in and out. Prints one line:
  algorithm fit_seconds query_seconds total_seconds peak_mb=<VmHWM> index_md5=<md5 of 1-based int32 indices>
"""
import hashlib, sys, time
import numpy as np
from sklearn.neighbors import NearestNeighbors

xf, n, d, k, algo, jobs = sys.argv[1:7]
n, d, k, jobs = int(n), int(d), int(k), int(jobs)
x = np.fromfile(xf, dtype=np.float64).reshape((d, n)).T.copy()
t0 = time.perf_counter()
nn = NearestNeighbors(n_neighbors=k, algorithm=algo, n_jobs=jobs).fit(x)
t1 = time.perf_counter()
dist, ind = nn.kneighbors()
t2 = time.perf_counter()
peak = float("nan")
with open("/proc/self/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
# column-major 1-based, as R's index matrix
md5 = hashlib.md5(np.asfortranarray(ind + 1).astype(np.int32).tobytes(order="F")).hexdigest()
print("%s %.3f %.3f %.3f peak_mb=%.0f index_md5=%s" % (algo, t1 - t0, t2 - t1, t2 - t0, peak, md5))
