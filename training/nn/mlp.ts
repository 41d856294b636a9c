import type { MlpInputSpec, MlpSpec } from "../../src/scoring";
import { mlpTransform } from "../../src/scoring";
import { auc } from "../../src/numeric";
import { mulberry32, permutation } from "../util/random";
import { logger } from "../../src/shared";

/**
 * A multilayer perceptron on TensorFlow.js for binary PD: quantile-transformed inputs with missing
 * indicators and one-hot levels, ReLU hidden layers, Adam on sigmoid cross-entropy, seeded initialisers
 * and seeded mini-batch order, early stopping on validation AUC (best weights kept). Weights are exported
 * to plain arrays ({@link MlpSpec}) so serving needs no TF.js.
 *
 * Determinism: with the same seed, data and backend the initial weights and batch order are identical;
 * the wasm and cpu backends then give the same weights run to run (single-threaded float32 kernels),
 * while results differ slightly between backends.
 */

/** MLP hyperparameters. */
export interface MlpParams {
  /** Hidden layer widths (default [64, 32]). */
  hidden: number[];
  /** Adam learning rate (default 2e-3). */
  learningRate: number;
  /** Mini-batch size (default 256). */
  batchSize: number;
  /** Maximum epochs (default 40). */
  epochs: number;
  /** Epochs without validation AUC gain before stopping (default 5). */
  patience: number;
  /** L2 penalty on kernels (default 1e-5). */
  l2: number;
  /** Quantile knots per input (default 64). */
  knots: number;
  /** Train on at most this many (seeded, random) training rows, to bound time on large tables (default 30000). */
  maxRows: number;
  /** A level gets a one-hot column when it has at least this many training rows (default 20; max 30 levels). */
  minLevelCount: number;
  seed: number;
}

export const DEFAULT_MLP_PARAMS: MlpParams = {
  hidden: [64, 32],
  learningRate: 2e-3,
  batchSize: 256,
  epochs: 40,
  patience: 5,
  l2: 1e-5,
  knots: 64,
  minLevelCount: 20,
  maxRows: 30_000,
  seed: 1,
};

type Tf = typeof import("@tensorflow/tfjs");
let tfPromise: Promise<{ tf: Tf; backend: string }> | null = null;

/**
 * Loads TensorFlow.js with the fastest available backend: native (`@tensorflow/tfjs-node`, optional),
 * then wasm, then plain JS cpu.
 */
export async function loadTf(): Promise<{ tf: Tf; backend: string }> {
  tfPromise ??= (async () => {
    try {
      const mod = "@tensorflow/tfjs-node";
      const tfn = (await import(/* @vite-ignore */ mod)) as unknown as Tf & { node?: unknown };
      // The name may be aliased to plain tfjs (see package.json overrides); only the real one has `node`.
      if (tfn.node !== undefined) {
        await tfn.setBackend("tensorflow");
        return { tf: tfn, backend: "tensorflow" };
      }
    } catch {
      // Not installed here (its install script needs the internet): fall through.
    }
    const tf = await import("@tensorflow/tfjs");
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend("wasm")) {
        await tf.ready();
        return { tf, backend: "wasm" };
      }
    } catch (err) {
      logger().debug({ err }, "tfjs wasm backend unavailable; using cpu");
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return { tf, backend: "cpu" };
  })();
  return tfPromise;
}

/**
 * Fits the per-input transform: quantile knots of each encoded input, missing indicators where training
 * data has missing values, one-hot columns for frequent categorical levels.
 */
export function fitMlpInputs(
  X: Float64Array[],
  cats: ((string | null)[] | null)[],
  params: Partial<MlpParams> = {},
): MlpInputSpec[] {
  const p = { ...DEFAULT_MLP_PARAMS, ...params };
  return X.map((col, j) => {
    const v: number[] = [];
    let miss = 0;
    for (let i = 0; i < col.length; i++) {
      if (Number.isNaN(col[i])) miss++;
      else v.push(col[i]);
    }
    v.sort((a, b) => a - b);
    const knots: number[] = [];
    if (v.length > 0) for (let k = 0; k < p.knots; k++) knots.push(v[Math.min(v.length - 1, Math.round((k * (v.length - 1)) / (p.knots - 1)))]);
    const spec: MlpInputSpec = { knots, missingIndicator: miss > 0 };
    const c = cats[j];
    if (c) {
      const counts = new Map<string, number>();
      for (const s of c) if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
      spec.oneHot = [...counts.entries()]
        .filter(([, n]) => n >= p.minLevelCount)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 30)
        .map(([s]) => s);
    }
    return spec;
  });
}

/** Transforms encoded columns into a row-major Float32 network input. */
export function mlpDesign(inputs: MlpInputSpec[], X: Float64Array[], cats: ((string | null)[] | null)[], n: number): { data: Float32Array; width: number } {
  const tr = mlpTransform(inputs);
  const z = new Float64Array(tr.width);
  const x = new Float64Array(X.length);
  const c: (string | null)[] = new Array(X.length).fill(null);
  const data = new Float32Array(n * tr.width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < X.length; j++) {
      x[j] = X[j][i];
      c[j] = cats[j] ? cats[j]![i] : null;
    }
    tr.transform(x, c, z);
    data.set(z, i * tr.width);
  }
  return { data, width: tr.width };
}

/** Fitted MLP. */
export interface MlpFit {
  spec: MlpSpec;
  epochs: number;
  validAuc: number;
  validMargin: Float64Array;
  backend: string;
}

/**
 * Trains the MLP on encoded training columns and validates on the validation columns.
 * @param onEpoch progress callback (epoch, validation AUC).
 */
export async function fitMlp(
  train: { X: Float64Array[]; cats: ((string | null)[] | null)[]; y: Uint8Array },
  valid: { X: Float64Array[]; cats: ((string | null)[] | null)[]; y: Uint8Array },
  params: Partial<MlpParams> = {},
  onEpoch?: (epoch: number, validAuc: number) => void,
): Promise<MlpFit> {
  const p = { ...DEFAULT_MLP_PARAMS, ...params };
  const { tf, backend } = await loadTf();
  if (train.y.length > p.maxRows) {
    const keep = Array.from(permutation(train.y.length, mulberry32(p.seed ^ 0x5bd1e995)).subarray(0, p.maxRows)).sort((a, b) => a - b);
    train = {
      X: train.X.map((c) => Float64Array.from(keep, (i) => c[i])),
      cats: train.cats.map((c) => (c ? keep.map((i) => c[i]) : null)),
      y: Uint8Array.from(keep, (i) => train.y[i]),
    };
  }
  const inputs = fitMlpInputs(train.X, train.cats, p);
  const n = train.y.length;
  const nv = valid.y.length;
  const dtr = mlpDesign(inputs, train.X, train.cats, n);
  const dva = mlpDesign(inputs, valid.X, valid.cats, nv);
  const width = dtr.width;

  const model = tf.sequential();
  p.hidden.forEach((units, k) => {
    model.add(
      tf.layers.dense({
        units,
        activation: "relu",
        inputShape: k === 0 ? [width] : undefined,
        kernelInitializer: tf.initializers.heNormal({ seed: p.seed * 101 + k }),
        kernelRegularizer: p.l2 > 0 ? tf.regularizers.l2({ l2: p.l2 }) : undefined,
      }),
    );
  });
  model.add(tf.layers.dense({ units: 1, activation: "linear", kernelInitializer: tf.initializers.glorotUniform({ seed: p.seed * 101 + 99 }) }));
  const optimizer = tf.train.adam(p.learningRate);
  model.compile({ optimizer, loss: (yt: import("@tensorflow/tfjs").Tensor, yp: import("@tensorflow/tfjs").Tensor) => tf.losses.sigmoidCrossEntropy(yt, yp) });

  const xv = tf.tensor2d(dva.data, [nv, width]);
  const rand = mulberry32(p.seed);
  let best = -Infinity;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | null = null;
  let bestMargin = new Float64Array(nv);
  const xbBuf = new Float32Array(p.batchSize * width);
  const ybBuf = new Float32Array(p.batchSize);
  let ran = 0;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    ran = epoch + 1;
    const perm = permutation(n, rand);
    for (let s = 0; s + 1 < n; s += p.batchSize) {
      const m = Math.min(p.batchSize, n - s);
      for (let k = 0; k < m; k++) {
        const r = perm[s + k];
        xbBuf.set(dtr.data.subarray(r * width, (r + 1) * width), k * width);
        ybBuf[k] = train.y[r];
      }
      const xb = tf.tensor2d(xbBuf.subarray(0, m * width), [m, width]);
      const yb = tf.tensor2d(ybBuf.subarray(0, m), [m, 1]);
      await model.trainOnBatch(xb, yb);
      xb.dispose();
      yb.dispose();
    }
    const out = model.predict(xv) as import("@tensorflow/tfjs").Tensor;
    const margin = Float64Array.from(await out.data());
    out.dispose();
    const a = auc(valid.y, margin);
    onEpoch?.(epoch, a);
    if (a > best + 1e-5) {
      best = a;
      bestEpoch = epoch + 1;
      bestMargin = margin;
      bestWeights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
    } else if (epoch + 1 - bestEpoch >= p.patience) break;
  }
  xv.dispose();
  // Export the best weights: TF.js kernels are [in, out]; the spec stores [out][in].
  const shapes = model.getWeights().map((w) => w.shape);
  model.dispose();
  optimizer.dispose();
  const layers: MlpSpec["layers"] = [];
  for (let l = 0; l < shapes.length; l += 2) {
    const [nin, nout] = shapes[l] as [number, number];
    const k = bestWeights![l];
    const b = bestWeights![l + 1];
    const w: number[][] = [];
    for (let o = 0; o < nout; o++) {
      const row = new Array<number>(nin);
      for (let i = 0; i < nin; i++) row[i] = k[i * nout + o];
      w.push(row);
    }
    layers.push({ w, b: Array.from(b), activation: l + 2 < shapes.length ? "relu" : "linear" });
  }
  // Integrated-gradient baseline: the mean network input over training rows.
  const baseline = new Array<number>(width).fill(0);
  for (let i = 0; i < n; i++) for (let c = 0; c < width; c++) baseline[c] += dtr.data[i * width + c] / n;
  return { spec: { type: "mlp", inputs, layers, baseline }, epochs: ran, validAuc: best, validMargin: bestMargin, backend };
}
