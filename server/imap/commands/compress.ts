// COMPRESS (RFC 4978): COMPRESS DEFLATE turns on compression of both directions right after the
// tagged OK (see compress.ts); once it is on, another COMPRESS is BAD [COMPRESSIONACTIVE] (RFC 5530).
import { bad } from '../replies.js';
import { AUTHENTICATED, command } from './types.js';

export const compress = command({
  states: AUTHENTICATED,
  parse(args) {
    const mechanism = args.atom('compression mechanism');
    args.end();
    return mechanism.toUpperCase();
  },
  handle({ session, wire, args }) {
    if (args !== 'DEFLATE') throw bad(`Unknown compression mechanism ${args}`);
    if (session.compressed) throw bad('Compression is already on', 'COMPRESSIONACTIVE');
    return { text: 'DEFLATE active', after: () => wire.startCompression() };
  },
});
