// Renders every icon LanPost ships from the one source, assets/lanpost.svg:
//   assets/icons/NxN.png      app icon, 16…1024 (Linux packages, the window icon)
//   assets/icon.ico           Windows (16…256; small sizes as 32-bit BMP, 256 as PNG)
//   assets/icon.icns          macOS (16…1024 with the @2x types)
//   assets/tray/*.png         tray icons per state: -dark (for dark panels), -light, and
//                             macOS template images (black + alpha), each with @2x.
// Run: npm run icons   (or node --import tsx scripts/icons.ts [OUT_DIR]); commit the results.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE = path.join(root, 'assets', 'lanpost.svg');

export const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS entry types and their pixel sizes (ic11…ic14 are the @2x variants of 16…256). */
export const ICNS_TYPES: [string, number][] = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];
export const TRAY_STATES = ['running', 'partial', 'stopped'] as const;
/** Tray variants: glyph colour and, for macOS template images, every colour made black. */
const TRAY_VARIANTS = [
  { suffix: '-dark', color: '#ffffff', style: '' },
  { suffix: '-light', color: '#1f2937', style: '' },
  { suffix: 'Template', color: '#000000', style: '.badge-running, .badge-partial { fill: #000000; }' },
];
const TRAY_BASE = 16;

interface Image {
  size: number;
  png: Buffer;
  /** Straight (not premultiplied) RGBA, row by row from the top. */
  rgba: Buffer;
}

/** An SVG document showing one symbol of the source at `size` pixels. */
function composeSvg(source: string, symbol: string, grid: number, size: number, color: string, style: string): string {
  const defs = /<defs>[\s\S]*<\/defs>/.exec(source)?.[0];
  if (!defs) throw new Error('assets/lanpost.svg has no <defs>');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${size}" height="${size}" viewBox="0 0 ${grid} ${grid}" color="${color}">` +
    defs +
    (style ? `<style>${style}</style>` : '') +
    `<use xlink:href="#${symbol}" width="${grid}" height="${grid}"/></svg>`
  );
}

function render(svg: string, size: number): Image {
  const rendered = new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } }).render();
  if (rendered.width !== size || rendered.height !== size) throw new Error(`rendered ${rendered.width}x${rendered.height}, wanted ${size}`);
  return { size, png: Buffer.from(rendered.asPng()), rgba: unpremultiply(Buffer.from(rendered.pixels)) };
}

function unpremultiply(pixels: Buffer): Buffer {
  const out = Buffer.from(pixels);
  for (let i = 0; i < out.length; i += 4) {
    const alpha = out[i + 3]!;
    if (alpha === 0 || alpha === 255) continue;
    for (let c = 0; c < 3; c++) out[i + c] = Math.min(255, Math.round((out[i + c]! * 255) / alpha));
  }
  return out;
}

// ── containers ───────────────────────────────────────────────────────────────

/** A Windows .ico: ICONDIR, one ICONDIRENTRY per image, then the images (BMP below 256 px, PNG at 256). */
export function encodeIco(images: Image[]): Buffer {
  const bodies = images.map((image) => (image.size >= 256 ? image.png : icoBitmap(image)));
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(image.size >= 256 ? 0 : image.size, entry); // 0 means 256
    header.writeUInt8(image.size >= 256 ? 0 : image.size, entry + 1);
    header.writeUInt8(0, entry + 2); // no palette
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4); // planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(bodies[i]!.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += bodies[i]!.length;
  });
  return Buffer.concat([header, ...bodies]);
}

/** BITMAPINFOHEADER + bottom-up BGRA rows + the 1-bit AND mask (all zero: the alpha channel rules). */
function icoBitmap(image: Image): Buffer {
  const { size, rgba } = image;
  const maskRow = Math.ceil(size / 32) * 4;
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8); // colour rows + mask rows
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(0, 16); // BI_RGB
  info.writeUInt32LE(size * size * 4 + maskRow * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = ((size - 1 - y) * size + x) * 4;
      const to = (y * size + x) * 4;
      pixels[to] = rgba[from + 2]!;
      pixels[to + 1] = rgba[from + 1]!;
      pixels[to + 2] = rgba[from]!;
      pixels[to + 3] = rgba[from + 3]!;
    }
  }
  return Buffer.concat([info, pixels, Buffer.alloc(maskRow * size)]);
}

/** An Apple .icns: 'icns' + total length, then (type, length, PNG) chunks; lengths are big-endian. */
export function encodeIcns(entries: { type: string; png: Buffer }[]): Buffer {
  const chunks = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + chunks.reduce((sum, c) => sum + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

// ── the whole set ────────────────────────────────────────────────────────────

/** Renders everything into `outDir` (the assets folder by default); returns the files written, relative to it. */
export function buildIcons(outDir = path.join(root, 'assets'), source = fs.readFileSync(SOURCE, 'utf8')): string[] {
  const written: string[] = [];
  const write = (name: string, data: Buffer) => {
    const file = path.join(outDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    written.push(name);
  };

  const app = new Map<number, Image>();
  for (const size of new Set([...APP_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, s]) => s)])) {
    app.set(size, render(composeSvg(source, 'app', 1024, size, '#000000', ''), size));
  }
  for (const size of APP_SIZES) write(`icons/${size}x${size}.png`, app.get(size)!.png);
  write('icon.ico', encodeIco(ICO_SIZES.map((size) => app.get(size)!)));
  write('icon.icns', encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: app.get(size)!.png }))));

  for (const state of TRAY_STATES) {
    for (const variant of TRAY_VARIANTS) {
      for (const scale of [1, 2]) {
        const size = TRAY_BASE * scale;
        const image = render(composeSvg(source, `tray-${state}`, 16, size, variant.color, variant.style), size);
        write(`tray/tray-${state}${variant.suffix}${scale === 2 ? '@2x' : ''}.png`, image.png);
      }
    }
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const outDir = process.argv[2] ? path.resolve(process.argv[2]) : undefined;
  const written = buildIcons(outDir);
  console.log(`wrote ${written.length} files to ${outDir ?? path.join(root, 'assets')}`);
}
