// Builds the window (renderer/dist) and the LAN landing page (renderer/dist/lan) once per test run
// when either is missing or older than the sources; parallel test files wait for each other
// through a lock directory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rendererRoot = path.join(root, 'renderer');
const builtPages = [path.join(rendererRoot, 'dist', 'index.html'), path.join(rendererRoot, 'dist', 'lan', 'index.html')];
const lock = path.join(rendererRoot, '.build-lock');

function newestSource(): number {
  let newest = 0;
  const visit = (entry: string) => {
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) for (const name of fs.readdirSync(entry)) visit(path.join(entry, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ['src', 'index.html', 'vite.config.ts', 'lan/src', 'lan/index.html', 'lan/vite.config.ts']) visit(path.join(rendererRoot, entry));
  visit(path.join(root, 'server', 'admin', 'contract'));
  visit(path.join(root, 'server', 'web', 'onboarding', 'landing-contract.ts'));
  return newest;
}

const isFresh = () => {
  const newest = newestSource();
  return builtPages.every((page) => fs.existsSync(page) && fs.statSync(page).mtimeMs >= newest);
};

export async function ensureRendererBuilt(): Promise<void> {
  for (let waited = 0; !isFresh(); waited += 200) {
    try {
      fs.mkdirSync(lock);
    } catch {
      // another test file is building; a lock older than two minutes is a leftover
      if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      if (waited > 120_000) throw new Error('timed out waiting for the renderer build');
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      if (!isFresh()) {
        // The window's build empties renderer/dist; the landing page's goes into renderer/dist/lan after it.
        for (const entry of [rendererRoot, path.join(rendererRoot, 'lan')]) {
          execFileSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', entry, '--logLevel', 'warn'], { cwd: root, stdio: 'inherit', timeout: 120_000 });
        }
      }
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}
