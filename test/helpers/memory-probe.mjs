// Loaded with --import before the engine: answers a parent's { type: 'memory-probe' } with the
// process's memory ({ type: 'memory', ...process.memoryUsage() }), after a full garbage collection
// when `collect` is set, so a test can tell what the engine holds from what it has let go. The
// engine itself ignores messages it does not know.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
process.on('message', (message) => {
  if (message?.type !== 'memory-probe') return;
  if (message.collect) gc();
  process.send({ type: 'memory', ...process.memoryUsage() });
});
