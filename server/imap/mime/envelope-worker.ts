// The helper thread of envelope-helper.ts. For each job (the never-cached messages of one FETCH
// batch) it takes messages from the end while the main thread takes them from the start, each
// claiming one at a time in the shared status array, so no message is done twice and neither
// waits for the other; a text it writes into the job's shared slot is exactly what the main
// thread would have made (the same functions).
import { parentPort } from 'node:worker_threads';
import { formatEnvelope } from '../fetch/structure-format.js';
import { envelopeFromHeader } from './envelope.js';
import { readHeaderBlock } from './header-block.js';

/** A message's state in a job's status array. */
export const FREE = 0;
export const MAIN = 1;
export const HELPER = 2;
export const DONE = 3;
export const FAILED = 4;

/** What the helper says once it is loaded and listening. */
export const READY = 'ready';

/** Bytes per message for its ENVELOPE text; a longer one is left to the main thread. */
export const SLOT = 2048;

export interface EnvelopeJob {
  files: string[];
  /** Int32 per message: FREE → MAIN or HELPER → DONE or FAILED. */
  status: SharedArrayBuffer;
  /** Int32 per message: the text's length once DONE. */
  lengths: SharedArrayBuffer;
  /** SLOT bytes per message: the text (latin1). */
  texts: SharedArrayBuffer;
}

parentPort?.on('message', (job: EnvelopeJob) => {
  const status = new Int32Array(job.status);
  const lengths = new Int32Array(job.lengths);
  const texts = Buffer.from(job.texts);
  for (let i = job.files.length - 1; i >= 0; i--) {
    // the main thread got here first: everything before is its too
    if (Atomics.compareExchange(status, i, FREE, HELPER) !== FREE) break;
    let state = FAILED;
    try {
      const text = formatEnvelope(envelopeFromHeader(readHeaderBlock(job.files[i]!)));
      if (text.length <= SLOT) {
        texts.write(text, i * SLOT, 'latin1');
        lengths[i] = text.length;
        state = DONE;
      }
    } catch {
      // unreadable here (renamed by a flag change, removed): the main thread finds out why
    }
    Atomics.store(status, i, state);
    Atomics.notify(status, i);
  }
});
parentPort?.postMessage(READY);
