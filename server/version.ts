// LanPost's version, from package.json (../package.json from the sources, ../../package.json from the compiled dist/server/).
import fs from 'node:fs';

export function lanpostVersion(): string {
  const file = ['../package.json', '../../package.json'].map((p) => new URL(p, import.meta.url)).find((u) => fs.existsSync(u))!;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
