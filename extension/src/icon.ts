import { crc32, deflateSync } from 'node:zlib';

const TEAL = [15, 118, 110] as const;
const SAMPLES = 4;

/** Whether a point of the unit square is inside the rounded tile. */
function inTile(x: number, y: number): boolean {
  const r = 0.2;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The footbridge: a deck and an arch over it, in white. */
function inBridge(x: number, y: number): boolean {
  const deck = y >= 0.62 && y <= 0.71 && x >= 0.14 && x <= 0.86;
  const d = Math.hypot(x - 0.5, y - 0.66);
  const arch = y <= 0.66 && d >= 0.27 && d <= 0.36;
  const hanger = y >= 0.4 && y <= 0.66 && Math.abs(x - 0.5) <= 0.035;
  return deck || arch || hanger;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, sum]);
}

/**
 * The extension's icon at one size, drawn here (a teal tile with a white
 * footbridge) so the repository holds no binary: an RGBA PNG, edges
 * smoothed by 4x4 supersampling.
 */
export function drawIcon(size: number): Buffer {
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py += 1) {
    const row = Buffer.alloc(1 + size * 4);
    for (let px = 0; px < size; px += 1) {
      let tile = 0;
      let white = 0;
      for (let sy = 0; sy < SAMPLES; sy += 1) {
        for (let sx = 0; sx < SAMPLES; sx += 1) {
          const x = (px + (sx + 0.5) / SAMPLES) / size;
          const y = (py + (sy + 0.5) / SAMPLES) / size;
          if (!inTile(x, y)) continue;
          tile += 1;
          if (inBridge(x, y)) white += 1;
        }
      }
      const alpha = tile / SAMPLES ** 2;
      const share = tile === 0 ? 0 : white / tile;
      const at = 1 + px * 4;
      for (let c = 0; c < 3; c += 1) {
        row[at + c] = Math.round(TEAL[c]! + (255 - TEAL[c]!) * share);
      }
      row[at + 3] = Math.round(alpha * 255);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  // 8 bits per channel, colour type 6 (RGBA), default compression, filter and interlace.
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
