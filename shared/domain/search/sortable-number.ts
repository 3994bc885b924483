/**
 * Float64 values as fixed-width strings whose string order is numeric order, so
 * a DynamoDB sort key can answer ranges and ordering over metric values.
 *
 * The IEEE 754 bit pattern of a non-negative double already orders like its
 * value once the sign bit is set; a negative double orders backwards, so all
 * its bits are flipped. The 64 bits are written as 16 lowercase hex digits.
 * -0 is written as 0 (they are equal numbers). NaN has no place on the number
 * line: it is written as `~`, which sorts after every hex digit, so NaN follows
 * +Infinity in ascending order and a numeric range can always exclude it.
 */
export const NAN_SORT_KEY = '~';

const buffer = new DataView(new ArrayBuffer(8));
const SIGN = 1n << 63n;
const ALL_BITS = (1n << 64n) - 1n;

export function encodeSortableNumber(value: number): string {
  if (Number.isNaN(value)) return NAN_SORT_KEY;
  buffer.setFloat64(0, value === 0 ? 0 : value);
  const bits = buffer.getBigUint64(0);
  const ordered = bits & SIGN ? ~bits & ALL_BITS : bits | SIGN;
  return ordered.toString(16).padStart(16, '0');
}

export function decodeSortableNumber(encoded: string): number {
  if (encoded === NAN_SORT_KEY) return Number.NaN;
  if (!/^[0-9a-f]{16}$/.test(encoded)) throw new Error(`not a sortable number: '${encoded}'`);
  const ordered = BigInt(`0x${encoded}`);
  const bits = ordered & SIGN ? ordered & ~SIGN : ~ordered & ALL_BITS;
  buffer.setBigUint64(0, bits);
  return buffer.getFloat64(0);
}

/** The smallest and largest encodings of a number (-Infinity and +Infinity): numeric ranges stay inside them. */
export const LOWEST_NUMBER_KEY = encodeSortableNumber(Number.NEGATIVE_INFINITY);
export const HIGHEST_NUMBER_KEY = encodeSortableNumber(Number.POSITIVE_INFINITY);
