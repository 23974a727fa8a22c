/** Numbers on chart axes and readouts: 4 significant digits, exponent form when very large or small. */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // 2.00e-4 → 2e-4, 1.50e+4 → 1.5e+4: round ticks stay short, readouts keep 3 digits where they have them.
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2).replace(/\.?0+e/, 'e') : Number(v.toPrecision(4)).toString();
}

/** 2 → "2nd", 4 → "4th", 11 → "11th", 21 → "21st". */
export function ordinal(n: number): string {
  const tens = n % 100;
  return `${n}${tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;
}
