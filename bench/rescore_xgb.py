#!/usr/bin/python3
"""Yardstick for `npm run bench:rescore`: XGBoost's own batch predict on the same rows.

Fits the same XGBoost as ../shared/bench/peer_server.py (400 trees, depth 4, learning rate 0.05,
subsample and colsample 0.8, min_child_weight 5, one thread) on TRAIN_CSV, reads the benchmark rows the
Node side wrote (float64, row-major, columns in the train file's order without the target), times
`booster.inplace_predict` over all of them (best of REPEATS), and prints one JSON line.

usage: /usr/bin/python3 bench/rescore_xgb.py TRAIN_CSV ROWS_F64 N_COLS [REPEATS] [THREADS]
"""
import json, sys, time
import numpy as np, pandas as pd, xgboost as xgb

train_csv, rows_path, ncols = sys.argv[1], sys.argv[2], int(sys.argv[3])
repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 1

tr = pd.read_csv(train_csv)
y = tr.pop("target").values
t0 = time.perf_counter()
model = xgb.XGBClassifier(n_estimators=400, max_depth=4, learning_rate=0.05, subsample=0.8,
                          colsample_bytree=0.8, min_child_weight=5, n_jobs=threads).fit(tr.astype(float), y)
fit_s = time.perf_counter() - t0
booster = model.get_booster()
booster.set_param({"nthread": threads})

x = np.fromfile(rows_path, dtype=np.float64)
assert x.size % ncols == 0, "row file size does not match the column count"
x = x.reshape(-1, ncols)
assert ncols == tr.shape[1], f"expected {tr.shape[1]} columns, got {ncols}"

best = float("inf")
p = None
for _ in range(repeats):
    t = time.perf_counter()
    p = booster.inplace_predict(x)
    best = min(best, time.perf_counter() - t)
print(json.dumps({
    "engine": f"xgboost {xgb.__version__} inplace_predict",
    "rows": int(x.shape[0]), "threads": threads, "seconds": best,
    "rowsPerSecond": x.shape[0] / best, "fitSeconds": fit_s, "meanPd": float(np.mean(p)),
}))
