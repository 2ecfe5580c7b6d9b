// What the installers are made from: the icon set rendered from assets/lanpost.svg (committed
// files up to date, .ico and .icns well formed) and electron-builder.yml (valid for
// electron-builder, pointing at files that exist, the native module unpacked).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Configuration } from 'app-builder-lib';
import { APP_SIZES, buildIcons, ICNS_TYPES, ICO_SIZES } from '../scripts/icons.js';
import { tempDataDir } from './helpers/engine.js';

const ROOT = path.join(import.meta.dirname, '..');
const ASSETS = path.join(ROOT, 'assets');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

describe('icons from one SVG', () => {
  it('the committed icons are exactly what scripts/icons.ts renders from assets/lanpost.svg now', () => {
    const out = tempDataDir('lanpost-icons-');
    dirs.push(out);
    const written = buildIcons(out);
    expect(written).toHaveLength(APP_SIZES.length + 2 + 3 * 3 * 2);
    const stale = written.filter((name) => !fs.existsSync(path.join(ASSETS, name)) || !fs.readFileSync(path.join(ASSETS, name)).equals(fs.readFileSync(path.join(out, name))));
    expect(stale, 'run npm run icons and commit assets/').toEqual([]);
    for (const size of APP_SIZES) expect(pngSize(fs.readFileSync(path.join(ASSETS, 'icons', `${size}x${size}.png`)))).toEqual([size, size]);
  });

  it('icon.ico: one entry per size, 32-bit BMPs below 256 px and a PNG at 256', () => {
    const ico = fs.readFileSync(path.join(ASSETS, 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, ICO_SIZES.length]);
    let end = 6 + 16 * ICO_SIZES.length;
    ICO_SIZES.forEach((size, i) => {
      const entry = 6 + 16 * i;
      expect(ico[entry] || 256).toBe(size);
      expect(ico[entry + 1] || 256).toBe(size);
      expect(ico.readUInt16LE(entry + 6)).toBe(32);
      const length = ico.readUInt32LE(entry + 8);
      const offset = ico.readUInt32LE(entry + 12);
      expect(offset).toBe(end);
      end = offset + length;
      const body = ico.subarray(offset, offset + length);
      if (size === 256) {
        expect(pngSize(body)).toEqual([256, 256]);
      } else {
        // BITMAPINFOHEADER: width, twice the height (colour + mask), 32 bpp, then pixels and the AND mask.
        expect([body.readUInt32LE(0), body.readInt32LE(4), body.readInt32LE(8), body.readUInt16LE(14)]).toEqual([40, size, size * 2, 32]);
        expect(length).toBe(40 + size * size * 4 + Math.ceil(size / 32) * 4 * size);
        // The blue tile is opaque in the middle and the corners are transparent (bottom-up rows, BGRA).
        const pixel = (x: number, y: number) => body.subarray(40 + ((size - 1 - y) * size + x) * 4, 40 + ((size - 1 - y) * size + x) * 4 + 4);
        expect(pixel(0, 0)[3]).toBe(0);
        const centre = pixel(Math.floor(size / 2), Math.floor(size * 0.2));
        expect(centre[3]).toBe(255);
        expect(centre[0]!).toBeGreaterThan(centre[2]!); // more blue than red
      }
    });
    expect(end).toBe(ico.length);
  });

  it('icon.icns: the header length is the file length, each chunk a PNG of its type\'s size', () => {
    const icns = fs.readFileSync(path.join(ASSETS, 'icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const chunks: [string, number][] = [];
    for (let at = 8; at < icns.length; ) {
      const type = icns.subarray(at, at + 4).toString('latin1');
      const length = icns.readUInt32BE(at + 4);
      chunks.push([type, pngSize(icns.subarray(at + 8, at + length))[0]]);
      at += length;
    }
    expect(chunks).toEqual(ICNS_TYPES);
  });
});

describe('electron-builder.yml', () => {
  const require = createRequire(import.meta.url);
  const builderLib = path.dirname(require.resolve('app-builder-lib/package.json'));
  const { getConfig, validateConfiguration } = require(path.join(builderLib, 'out', 'util', 'config', 'config.js')) as {
    getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Configuration>;
    validateConfiguration(config: Configuration, logger: { add(): void; isEnabled: boolean }): Promise<void>;
  };
  const load = () => getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);

  it('is valid for electron-builder and makes AppImage + deb, NSIS and dmg', async () => {
    const config = await load();
    await expect(validateConfiguration(config, { add() {}, isEnabled: false })).resolves.toBeUndefined();
    const targets = (t: unknown) => (t as (string | { target: string })[]).map((x) => (typeof x === 'string' ? x : x.target));
    expect(targets(config.linux!.target)).toEqual(['AppImage', 'deb']);
    expect(targets(config.win!.target)).toEqual(['nsis']);
    expect(targets(config.mac!.target)).toEqual(['dmg']);
    expect(config.productName).toBe('LanPost');
    expect(config.nsis!.deleteAppDataOnUninstall).toBe(false); // mail is never deleted by an uninstall
  });

  it('names the same app id as the app, icons that exist, and the engine, app and window builds', async () => {
    const config = await load();
    const main = fs.readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8');
    expect(main).toContain(`const APP_ID = '${config.appId}';`);
    expect(fs.existsSync(path.join(ROOT, config.win!.icon as string))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, config.mac!.icon as string))).toBe(true);
    expect(fs.readdirSync(path.join(ROOT, config.linux!.icon as string))).toContain('512x512.png');
    // electron-builder keeps a file that a pattern takes (production dependencies are taken
    // by themselves) and that no "!" pattern drops.
    const patterns = (config.files as { filter: string[] }[]).flatMap((f) => f.filter);
    const packed = (file: string) =>
      (file.startsWith('node_modules/') || patterns.some((p) => !p.startsWith('!') && path.matchesGlob(file, p))) &&
      !patterns.some((p) => p.startsWith('!') && path.matchesGlob(file, p.slice(1)));
    for (const file of ['package.json', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/better-sqlite3/lib/index.js', 'dist/electron/main.js', 'dist/electron/preload.cjs', 'dist/server/main.js', 'dist/server/admin/server.js', 'renderer/dist/index.html', 'renderer/dist/assets/index-abc.js', 'assets/tray/tray-partialTemplate@2x.png', 'assets/icons/256x256.png']) {
      expect(packed(file), file).toBe(true);
    }
    for (const file of ['dist/server/main.js.map', 'server/main.ts', 'test/engine-process.test.ts', 'assets/lanpost.svg', 'lanpost-data/lanpost.db', 'node_modules/tsx/dist/cli.mjs', 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c', 'node_modules/better-sqlite3/build/Release/test_extension.node']) {
      expect(packed(file), file).toBe(false);
    }
  });

  it('keeps better-sqlite3 (a native module, rebuilt for Electron while packaging) outside the asar archive', async () => {
    const config = await load();
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/build/Release/*.node']);
    const nativeModule = path.relative(ROOT, require.resolve('better-sqlite3/build/Release/better_sqlite3.node')).split(path.sep).join('/');
    expect(path.matchesGlob(nativeModule, config.asarUnpack![0]!)).toBe(true);
    // No install hook rebuilds it for Electron in everyday installs (that would break npm ci and the tests).
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const installHooks = Object.entries(pkg.scripts).filter(([name]) => /^(pre|post)?install$|^prepare$/.test(name));
    expect(installHooks.filter(([, command]) => /install-app-deps|electron-rebuild|@electron\/rebuild|electron-builder/.test(command))).toEqual([]);
    expect(pkg.scripts.dist).toBe('node scripts/dist.js');
    expect(fs.readFileSync(path.join(ROOT, 'scripts', 'dist.js'), 'utf8')).toContain("['rebuild', 'better-sqlite3']");
  });
});
