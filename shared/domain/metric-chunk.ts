/**
 * Packed binary encoding of a run of metric points, stored as one DynamoDB item
 * per metric key per request ("chunk"). About 10 bytes a point instead of an item
 * a point: the write-cost target of 0.05 WCU per point rests on this.
 *
 * Layout (version 2):
 *   u8 version | varint count | steps | timestamps | values: float64 little-endian × count
 * where steps and timestamps are each a u8 form followed by either
 *   form 0: zigzag varint first, then zigzag deltas (version 1 had only this, without the form byte)
 *   form 1: zigzag varint first and one zigzag delta: an arithmetic progression
 * Steps logged one by one and timestamps stamped by the server (or evenly spaced)
 * are progressions; form 1 stores them in a few bytes instead of a byte or more
 * a point, which keeps a 100-point chunk under the 1 KB of one write unit.
 * Float64 keeps every value exact, NaN and ±Infinity included.
 */
export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number;
}

const FORMAT_VERSION = 2;
const DELTAS = 0;
const PROGRESSION = 1;

class ByteWriter {
  private bytes: number[] = [];

  u8(value: number) {
    this.bytes.push(value);
  }

  varint(value: bigint) {
    let rest = value;
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
  }

  zigzag(value: bigint) {
    this.varint(value >= 0n ? value << 1n : (-value << 1n) - 1n);
  }

  toUint8Array(tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.bytes.length + tail.length);
    out.set(this.bytes, 0);
    out.set(tail, this.bytes.length);
    return out;
  }
}

class ByteReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  u8(): number {
    const value = this.bytes[this.offset++];
    if (value === undefined) throw new RangeError('metric chunk truncated');
    return value;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  }

  zigzag(): bigint {
    const raw = this.varint();
    return raw & 1n ? -((raw + 1n) >> 1n) : raw >> 1n;
  }

  float64s(count: number): Float64Array {
    const end = this.offset + count * 8;
    if (end > this.bytes.length) throw new RangeError('metric chunk truncated');
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, count * 8);
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = view.getFloat64(i * 8, true);
    this.offset = end;
    return values;
  }
}

function writeDeltas(writer: ByteWriter, numbers: readonly number[]) {
  let previous = 0n;
  for (const n of numbers) {
    const current = BigInt(n);
    writer.zigzag(current - previous);
    previous = current;
  }
}

function writeSeries(writer: ByteWriter, numbers: readonly number[]) {
  const first = BigInt(numbers[0] ?? 0);
  const step = numbers.length > 1 ? BigInt(numbers[1] as number) - first : 0n;
  if (numbers.every((n, i) => BigInt(n) === first + step * BigInt(i))) {
    writer.u8(PROGRESSION);
    writer.zigzag(first);
    writer.zigzag(step);
    return;
  }
  writer.u8(DELTAS);
  writeDeltas(writer, numbers);
}

function readSeries(reader: ByteReader, count: number): number[] {
  const form = reader.u8();
  if (form === DELTAS) return readDeltas(reader, count);
  if (form !== PROGRESSION) throw new RangeError(`unknown metric chunk series form ${form}`);
  const first = reader.zigzag();
  const step = reader.zigzag();
  return Array.from({ length: count }, (_, i) => Number(first + step * BigInt(i)));
}

function readDeltas(reader: ByteReader, count: number): number[] {
  const out: number[] = new Array(count);
  let previous = 0n;
  for (let i = 0; i < count; i++) {
    previous += reader.zigzag();
    out[i] = Number(previous);
  }
  return out;
}

export function encodeMetricChunk(points: readonly MetricPoint[]): Uint8Array {
  const writer = new ByteWriter();
  writer.u8(FORMAT_VERSION);
  writer.varint(BigInt(points.length));
  writeSeries(
    writer,
    points.map((p) => p.step),
  );
  writeSeries(
    writer,
    points.map((p) => p.timestamp),
  );
  const values = new Uint8Array(points.length * 8);
  const view = new DataView(values.buffer);
  points.forEach((p, i) => {
    view.setFloat64(i * 8, p.value, true);
  });
  return writer.toUint8Array(values);
}

export function decodeMetricChunk(bytes: Uint8Array): MetricPoint[] {
  const reader = new ByteReader(bytes);
  const version = reader.u8();
  if (version !== 1 && version !== FORMAT_VERSION) throw new RangeError(`unknown metric chunk version ${version}`);
  const count = Number(reader.varint());
  const steps = version === 1 ? readDeltas(reader, count) : readSeries(reader, count);
  const timestamps = version === 1 ? readDeltas(reader, count) : readSeries(reader, count);
  const values = reader.float64s(count);
  return steps.map((step, i) => ({ step, timestamp: timestamps[i] as number, value: values[i] as number }));
}
