/**
 * A deterministic sample shared by the numeric tests and reproduced in Python to get scikit-learn reference
 * numbers. Park–Miller generator (exact in doubles: products stay below 2^53). The same code in Python:
 *
 *   s = 12345
 *   def u():
 *       global s; s = (s * 16807) % 2147483647; return s / 2147483647
 *   for i in range(300):
 *       x1 = u()*4-2; x2 = u()*2; x3 = 1.0 if u() < 0.3 else 0.0
 *       z = -0.5 + 1.2*x1 - 0.8*x2 + 0.5*x3; p = 1/(1+math.exp(-z)); y = 1 if u() < p else 0
 */
export function lcgSample(n = 300): { x: number[][]; y: number[]; p: number[] } {
  let s = 12345;
  const u = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const x: number[][] = [];
  const y: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = u() * 4 - 2;
    const x2 = u() * 2;
    const x3 = u() < 0.3 ? 1 : 0;
    const z = -0.5 + 1.2 * x1 - 0.8 * x2 + 0.5 * x3;
    const pi = 1 / (1 + Math.exp(-z));
    x.push([x1, x2, x3]);
    p.push(pi);
    y.push(u() < pi ? 1 : 0);
  }
  return { x, y, p };
}
