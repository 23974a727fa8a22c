/**
 * Parses and validates a person's own table (.csv): a header row (optional), numeric feature columns and
 * one label column of class names or numbers. Pure and synchronous, so the page can check a file the
 * moment it is chosen and the worker can build the task from the same bytes. Every failure is a CsvError
 * whose message says what is wrong and where.
 */
export const MAX_CSV_BYTES = 20 * 1024 * 1024;
export const MAX_CSV_ROWS = 200_000;
export const MAX_CSV_FEATURES = 1024;
export const MAX_CSV_CLASSES = 100;
/** Enough for a held-out probe set of at least 16 rows (the smallest probe size) at a held-out fraction of 0.4. */
export const MIN_CSV_ROWS = 40;

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  /** Feature column names, in file order (the label column removed). */
  features: string[];
  label: string;
  /** Class names, sorted (numerically when all are numbers); a row's class is its index here. */
  classes: string[];
  rows: number;
  /** [rows × features], as written in the file. */
  x: Float64Array;
  /** [rows] class indices. */
  y: Uint16Array;
}

/** Splits one line into fields (RFC 4180 quoting: "a ""quoted"" field"), or null for a broken quote. */
function splitLine(line: string, delimiter: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      fields.push(field.trim());
      field = '';
    } else field += ch;
  }
  if (quoted) return null;
  fields.push(field.trim());
  return fields;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isNumber = (s: string) => NUMBER.test(s);

/**
 * `label`: the label column's header name, or '' for the last column. `name` is the file name, for messages.
 */
export function parseCsv(bytes: Uint8Array, name: string, label = ''): CsvTable {
  const fail = (why: string) => new CsvError(`${name}: ${why}`);
  if (bytes.length === 0) throw fail('the file is empty.');
  if (bytes.length > MAX_CSV_BYTES) throw fail(`the file is ${(bytes.length / 1048576).toFixed(1)} MB; the limit is ${MAX_CSV_BYTES / 1048576} MB.`);
  if (bytes.includes(0)) throw fail('this is a binary file, not a text table (.csv).');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('this is not a text file in UTF-8 (is it a spreadsheet or a binary file? Export it as .csv).');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\n|\r/).map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '');
  if (lines.length === 0) throw fail('the file has no rows.');
  const first = lines[0].l;
  const delimiter = [',', ';', '\t'].reduce((best, d) => (first.split(d).length > first.split(best).length ? d : best), ',');
  const rowsOf = lines.map(({ l, n }) => {
    const fields = splitLine(l, delimiter);
    if (!fields) throw fail(`line ${n} has an unclosed quote.`);
    return { fields, n };
  });
  const width = rowsOf[0].fields.length;
  if (width < 2) throw fail(`line 1 has one column; a table needs at least one feature column and a label column, separated by commas.`);
  const hasHeader = !rowsOf[0].fields.every(isNumber);
  const header = hasHeader ? rowsOf[0].fields : rowsOf[0].fields.map((_, i) => `column ${i + 1}`);
  const data = hasHeader ? rowsOf.slice(1) : rowsOf;
  if (width - 1 > MAX_CSV_FEATURES) throw fail(`${width - 1} feature columns; the limit is ${MAX_CSV_FEATURES}.`);
  if (data.length > MAX_CSV_ROWS) throw fail(`${data.length.toLocaleString('en-US')} rows; the limit is ${MAX_CSV_ROWS.toLocaleString('en-US')}.`);
  if (data.length < MIN_CSV_ROWS) throw fail(`only ${data.length} data rows; the lab needs at least ${MIN_CSV_ROWS} (some are held out to measure the loss).`);
  let labelAt = width - 1;
  if (label !== '') {
    labelAt = header.indexOf(label);
    if (labelAt < 0) throw fail(`there is no column named "${label}" (the columns are ${header.map((h) => `"${h}"`).join(', ')}).`);
  }
  const features = header.filter((_, i) => i !== labelAt);
  const d = features.length;
  const x = new Float64Array(data.length * d);
  const labels: string[] = [];
  data.forEach(({ fields, n }, r) => {
    if (fields.length !== width) throw fail(`line ${n} has ${fields.length} column${fields.length === 1 ? '' : 's'}, the header has ${width}.`);
    let j = 0;
    fields.forEach((field, i) => {
      if (i === labelAt) {
        if (field === '') throw fail(`line ${n} has no label (column "${header[labelAt]}").`);
        labels.push(field);
        return;
      }
      if (!isNumber(field)) throw fail(`line ${n}, column "${header[i]}": "${field.slice(0, 40)}" is not a number (features must be numeric).`);
      x[r * d + j++] = Number(field);
    });
  });
  const distinct = [...new Set(labels)];
  const numeric = distinct.every(isNumber);
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  if (distinct.length < 2) throw fail(`every row has the label "${distinct[0]}"; classification needs at least two classes.`);
  if (distinct.length > MAX_CSV_CLASSES) throw fail(`the label column "${header[labelAt]}" has ${distinct.length} different values; the limit is ${MAX_CSV_CLASSES} classes (is it the right column?).`);
  const index = new Map(distinct.map((c, i) => [c, i]));
  const y = Uint16Array.from(labels, (l) => index.get(l)!);
  return { features, label: header[labelAt], classes: distinct, rows: data.length, x, y };
}
