/** Parses the first `maxRows` rows of CSV text (RFC 4180 quoting); a partial last line is dropped when truncated. */
export function parseCsv(text: string, maxRows: number, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (rows.length < maxRows && (field !== '' || row.length > 0)) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A number as a CSV written by pandas or numpy holds one: 3, -0.25, 1e-05, .5, nan, inf. */
const numberCell = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const specialNumberCell = /^[+-]?(nan|inf|infinity)$/i;

/**
 * Which columns hold numbers only (empty cells and NaN/inf aside, if at least
 * one real number is there): the preview right-aligns them in tabular figures
 * so their digits line up, as a spreadsheet shows them.
 */
export function numericColumns(rows: readonly (readonly string[])[]): boolean[] {
  const width = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length: width }, (_, column) => {
    let numbers = 0;
    for (const row of rows) {
      const cell = (row[column] ?? '').trim();
      if (numberCell.test(cell)) numbers++;
      else if (cell !== '' && !specialNumberCell.test(cell)) return false;
    }
    return numbers > 0;
  });
}
