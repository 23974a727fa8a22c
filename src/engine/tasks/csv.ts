/**
 * A person's own table (.csv) as a task: classify the label column from the numeric features with an MLP.
 * The rows are split once (by the data seed) into a training pool and `heldOut` of them for the probe set;
 * features are standardised with the training pool's mean and standard deviation. Online, each run makes
 * one pass over the pool in its own order; offline, the training set is the first `trainSize` of a fixed
 * order. The file itself never leaves the device (data/assets.ts: uploads are never fetched).
 */
import { requireAsset, UPLOAD_PREFIX, type Assets } from '../data/assets';
import { parseCsv, type CsvTable } from '../data/csv';
import { Domain, hashKeys, permutation } from '../rng';
import { FiniteSetTask } from './finite';

/** Parsed tables by their bytes and label column, so a restart does not parse again. */
const parsed = new WeakMap<Uint8Array, Map<string, CsvTable>>();

export function csvTable(assets: Assets, file: string, label: string): CsvTable {
  const bytes = requireAsset(assets, file);
  let byLabel = parsed.get(bytes);
  if (!byLabel) parsed.set(bytes, (byLabel = new Map()));
  let table = byLabel.get(label);
  if (!table) {
    table = parseCsv(bytes, file.startsWith(UPLOAD_PREFIX) ? file.slice(UPLOAD_PREFIX.length) : file, label);
    byLabel.set(label, table);
  }
  return table;
}

/** How many of `rows` are held out for the probe set. */
export function heldOutRows(rows: number, fraction: number): number {
  return Math.max(1, Math.min(rows - 1, Math.round(rows * fraction)));
}

export class CsvTask extends FiniteSetTask {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly loss = 'xent' as const;
  /** [rows × inputDim], standardised, training pool first. */
  private readonly x: Float32Array;
  private readonly y: Uint16Array;

  constructor(table: CsvTable, heldOut: number, dataSeed: number) {
    const held = heldOutRows(table.rows, heldOut);
    const train = table.rows - held;
    super(train, held, dataSeed, { set: 'Your table', examples: 'rows' });
    const d = table.features.length;
    this.inputDim = d;
    this.outputDim = table.classes.length;
    // A fixed split: the first `train` rows of this order train, the rest are held out.
    const order = permutation(table.rows, hashKeys(dataSeed, Domain.probe, 0x5917));
    const mean = new Float64Array(d);
    const sq = new Float64Array(d);
    for (let i = 0; i < train; i++) {
      for (let j = 0; j < d; j++) mean[j] += table.x[order[i] * d + j] / train;
    }
    for (let i = 0; i < train; i++) {
      for (let j = 0; j < d; j++) sq[j] += (table.x[order[i] * d + j] - mean[j]) ** 2 / train;
    }
    const scale = Array.from(sq, (v) => (v > 1e-24 ? 1 / Math.sqrt(v) : 1));
    this.x = new Float32Array(table.rows * d);
    this.y = new Uint16Array(table.rows);
    order.forEach((row, i) => {
      for (let j = 0; j < d; j++) this.x[i * d + j] = (table.x[row * d + j] - mean[j]) * scale[j];
      this.y[i] = table.y[row];
    });
  }

  protected write(index: number, x: Float32Array, y: Float32Array, row: number): void {
    const d = this.inputDim;
    const k = this.outputDim;
    x.set(this.x.subarray(index * d, (index + 1) * d), row * d);
    y.fill(0, row * k, (row + 1) * k);
    y[row * k + this.y[index]] = 1;
  }
}
