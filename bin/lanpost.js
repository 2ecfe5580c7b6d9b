#!/usr/bin/env node
// The `lanpost` command: runs the engine's TypeScript sources through tsx.
process.env.UV_THREADPOOL_SIZE ??= '16'; // fsyncs of concurrent deliveries run in parallel
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../server/cli.ts');
process.exit(await main(process.argv.slice(2)));
