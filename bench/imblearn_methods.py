"""Time imbalanced-learn's counterparts of issue 19's methods on data written by bench/methods.R.

Usage: /usr/bin/python3 imblearn_methods.py <x.bin> <y.bin> <n> <d> <method> <reps>
x.bin: n*d float64, column-major (R's layout); y.bin: n int32 labels.
method: svm_smote, kmeans_smote, cnn, oss, ncl, renn, allknn, cluster_centroids,
instance_hardness (smoteguard's names). The whole fit_resample() call is timed,
numpy arrays in and out; a first call, then up to reps - 1 more while the calls
take under 10 s. For svm_smote the SVC's fit inside the call is timed too (a
subclass of SVC whose fit() times itself), so that it can be subtracted.
Prints one line:
  method first=<s> median=<s> svm=<median s of the SVC fit, or nan> rows=<rows out> calls=<k> version=<imblearn> cpu=<median CPU s>
"""
import statistics
import sys
import time

import numpy as np

xf, yf, n, d, method, reps = sys.argv[1:7]
n, d, reps = int(n), int(d), int(reps)
x = np.fromfile(xf, dtype=np.float64).reshape((d, n)).T.copy()
y = np.fromfile(yf, dtype=np.int32)

import imblearn
from imblearn import over_sampling as ov, under_sampling as us
from sklearn.cluster import MiniBatchKMeans
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

svm_fit_times = []


class TimedSVC(SVC):
    """SVC whose fit() records how long it took (SVMSMOTE clones and fits it)."""

    def fit(self, X, y, sample_weight=None):
        t0 = time.perf_counter()
        out = super().fit(X, y, sample_weight=sample_weight)
        svm_fit_times.append(time.perf_counter() - t0)
        return out


# The settings closest to smoteguard's defaults, at imbalanced-learn's fastest
# where there is a choice (noted in bench/README.md).
make = {
    # rbf, C = 1, gamma 'scale' = 1 / (d var(X)): smoteguard's 1 / d on
    # standardised columns
    "svm_smote": lambda: ov.SVMSMOTE(k_neighbors=5, m_neighbors=10, out_step=0.5, random_state=1,
                                     svm_estimator=TimedSVC(C=1.0, kernel="rbf", gamma="scale",
                                                            random_state=1)),
    # its default k-means (MiniBatchKMeans, 8 clusters)
    "kmeans_smote": lambda: ov.KMeansSMOTE(k_neighbors=5, random_state=1,
                                           kmeans_estimator=MiniBatchKMeans(n_clusters=8, n_init=1,
                                                                            random_state=1)),
    "cnn": lambda: us.CondensedNearestNeighbour(n_neighbors=1, random_state=1),
    "oss": lambda: us.OneSidedSelection(n_neighbors=1, random_state=1),
    "ncl": lambda: us.NeighbourhoodCleaningRule(n_neighbors=3),
    "renn": lambda: us.RepeatedEditedNearestNeighbours(n_neighbors=3),
    "allknn": lambda: us.AllKNN(n_neighbors=3),
    # hard voting (the real row nearest each centroid), MiniBatchKMeans with
    # one initialisation: its fastest k-means (the default KMeans runs 10)
    "cluster_centroids": lambda: us.ClusterCentroids(
        voting="hard", random_state=1,
        estimator=MiniBatchKMeans(n_init=1, random_state=1)),
    # an unpenalised logistic regression (smoteguard's glm), 5 folds; its
    # default estimator is a random forest (slower)
    "instance_hardness": lambda: us.InstanceHardnessThreshold(
        estimator=LogisticRegression(penalty="none", max_iter=1000), cv=5, random_state=1),
}[method]

times = []
cpus = []
rows = -1
for i in range(max(reps, 1)):
    c0 = time.process_time()  # CPU seconds of the process, all threads
    t0 = time.perf_counter()
    xr, yr = make().fit_resample(x, y)
    times.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
    rows = xr.shape[0]
    if times[-1] >= 10:
        break
svm = statistics.median(svm_fit_times) if svm_fit_times else float("nan")
print(f"{method} first={times[0]:.4f} median={statistics.median(times):.4f} svm={svm:.4f} "
      f"rows={rows} calls={len(times)} version={imblearn.__version__} cpu={statistics.median(cpus):.4f}")
