import { deflateSync } from 'node:zlib';

/** A tiny PNG encoder (RGB, no filter), so tests can log a real image artifact without an image library. */
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Buffer) => {
  let c = 0xffffffff;
  for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type: string, data: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};

export function encodePng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A confusion-matrix heat map: `matrix` counts, drawn as cells shaded from white to blue. */
export function confusionMatrixPng(matrix: number[][], cell = 64) {
  const size = matrix.length * cell;
  const max = Math.max(...matrix.flat());
  return encodePng(size, size, (x, y) => {
    const row = matrix[Math.floor(y / cell)] as number[];
    const value = (row[Math.floor(x / cell)] as number) / max;
    const border = x % cell === 0 || y % cell === 0;
    if (border) return [255, 255, 255];
    return [Math.round(239 - value * 210), Math.round(246 - value * 150), Math.round(255 - value * 60)];
  });
}
