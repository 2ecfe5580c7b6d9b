// Type declarations for the MIME libraries used here that ship without their own.
declare module 'mailsplit' {
  import type { Transform } from 'node:stream';
  export interface SplitterNode {
    type: 'node';
    root: boolean;
    parentNode: SplitterNode | false;
    contentType: string | false;
    multipart: string | false;
    headers: { getList(): Array<{ key: string; line: string }> };
    getHeaders(): Buffer;
  }
  export type SplitterChunk = SplitterNode | { type: 'body' | 'data'; value: Buffer; node: SplitterNode };
  export class Splitter extends Transform {
    constructor(options?: { ignoreEmbedded?: boolean; maxHeadSize?: number; maxChildNodes?: number });
    /** 1: next part, 2: end of the multipart, false: not this boundary (an internal method). */
    compareBoundary(line: Buffer, startpos: number, boundary: Buffer): 1 | 2 | false;
  }
  const mailsplit: { Splitter: typeof Splitter };
  export default mailsplit;
}

declare module 'libmime' {
  const libmime: {
    decodeWords(text: string): string;
  };
  export default libmime;
}

declare module 'libmime/lib/charset.js' {
  const charset: { decode(data: Buffer, charset: string): string };
  export default charset;
}
