/**
 * DynamoDB's item size, by its published rules: attribute names and strings
 * count their UTF-8 bytes, binary its length, a number about one byte per two
 * digits plus one, booleans and nulls one byte, and each map or list three
 * bytes plus one per element. Write units are billed per started KB of it, read
 * units per started 4 KB. Used to keep items within their budgets before a
 * write is attempted, and by the benchmarks to bill transactions honestly
 * (DynamoDB Local under-reports them).
 */
export function attributeValueSize(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return numberSize(value);
  if (typeof value === 'boolean') return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let size = 0;
    for (const element of value) size += attributeValueSize(element);
    return size;
  }
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + attributeValueSize(element), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      size += 1 + Buffer.byteLength(name, 'utf8') + attributeValueSize(element);
    }
    return size;
  }
  return 0;
}

function numberSize(value: number): number {
  const digits = String(Math.abs(value)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
  return Math.ceil(Math.max(1, digits) / 2) + 1;
}

/** The size of a whole item: each attribute's name and value. */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + attributeValueSize(value);
  }
  return size;
}

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
