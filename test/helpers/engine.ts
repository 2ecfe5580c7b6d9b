// A real engine for a test: temp data folder, every service on 127.0.0.1 with port 0.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine, type Engine } from '../../server/engine.js';
import { loadSettings, saveSettings } from '../../server/settings/file.js';
import { SERVICE_NAMES, type ServiceName, type Settings } from '../../server/settings/schema.js';

export interface TestEngine {
  engine: Engine;
  dataDir: string;
  domain: string;
  admin: { address: string; password: string };
  port(name: ServiceName): number;
  addUser(address: string, password?: string, options?: { quotaBytes?: number }): Promise<{ address: string; password: string }>;
  stop(): Promise<void>;
}

export function tempDataDir(prefix = 'lanpost-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Settings for tests: every service on 127.0.0.1, port 0; then the test's own changes. */
export function prepareDataDir(dataDir: string, change?: (settings: Settings) => void): Settings {
  const { settings } = loadSettings(dataDir);
  for (const name of SERVICE_NAMES) settings.services[name] = { enabled: true, address: '127.0.0.1', port: 0 };
  settings.adminPort = 0;
  // Tests never ask a real DNS server: MX lookups fail (temporarily) unless a test sets its own responder.
  settings.outbound.resolvers = ['127.0.0.1:9'];
  change?.(settings);
  saveSettings(dataDir, settings);
  return settings;
}

/** `users`: mailboxes to add at once, address → password. */
export async function startTestEngine(options: { change?: (settings: Settings) => void; dataDir?: string; users?: Record<string, string> } = {}): Promise<TestEngine> {
  const dataDir = options.dataDir ?? tempDataDir();
  const settings = prepareDataDir(dataDir, options.change);
  const engine = await startEngine({ dataDir, print: null });
  const first = engine.firstStart;
  if (!first) throw new Error('expected a first start');
  const test: TestEngine = {
    engine,
    dataDir,
    domain: settings.domain,
    admin: first,
    port(name) {
      const status = engine.status(name);
      if (status.state !== 'listening') throw new Error(`${name} is not listening: ${status.detail}`);
      return status.port;
    },
    async addUser(address, password = 'correct horse battery', opts = {}) {
      const user = await engine.context.accounts.addUser(address, password, opts);
      return { address: user.address, password };
    },
    async stop() {
      await engine.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  for (const [address, password] of Object.entries(options.users ?? {})) await test.addUser(address, password);
  return test;
}

/** Changes the settings of a running test engine as the CLI or the window would: saved, then applied. */
export async function changeSettings(test: TestEngine, change: (settings: Settings) => void): Promise<void> {
  const settings = structuredClone(test.engine.context.settings());
  change(settings);
  saveSettings(test.dataDir, settings);
  await test.engine.reloadSettings();
}
