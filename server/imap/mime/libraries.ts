// The MIME libraries, loaded on first use: together they hold ~15 MB that an engine nobody has
// fetched a message structure from, or searched in, does not need to carry.
import { createRequire } from 'node:module';
import type Mailsplit from 'mailsplit';
import type Libmime from 'libmime';
import type Charsets from 'libmime/lib/charset.js';

const load = createRequire(import.meta.url);
let loaded: { mailsplit: typeof Mailsplit; libmime: typeof Libmime; charsets: typeof Charsets } | undefined;

export function mimeLibraries() {
  return (loaded ??= {
    mailsplit: load('mailsplit') as typeof Mailsplit,
    libmime: load('libmime') as typeof Libmime,
    charsets: load('libmime/lib/charset.js') as typeof Charsets,
  });
}
