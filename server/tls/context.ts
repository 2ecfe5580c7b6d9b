// The TLS settings every listener uses: the current certificate as a secure context, TLS 1.2+.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import tls from 'node:tls';
import { certificateFiles } from './certificates.js';

export const MIN_TLS_VERSION = 'TLSv1.2';

export class TlsContext extends EventEmitter {
  private current!: { key: Buffer; cert: Buffer; context: tls.SecureContext };

  constructor(private readonly dataDir: string) {
    super();
    this.reload();
  }

  /** Re-reads the certificate files (after renewal or import); listeners pick it up for new connections. */
  reload(): void {
    const files = certificateFiles(this.dataDir);
    const key = fs.readFileSync(files.key);
    const cert = fs.readFileSync(files.cert);
    this.current = { key, cert, context: tls.createSecureContext({ key, cert, minVersion: MIN_TLS_VERSION }) };
    this.emit('change');
  }

  get secureContext(): tls.SecureContext {
    return this.current.context;
  }

  /** For APIs that take PEM options (smtp-server). */
  get pem(): { key: Buffer; cert: Buffer; minVersion: tls.SecureVersion } {
    return { key: this.current.key, cert: this.current.cert, minVersion: MIN_TLS_VERSION };
  }

  /** Wraps an accepted plain socket as the server side of a TLS connection (STARTTLS / STLS). */
  upgrade(socket: import('node:net').Socket): tls.TLSSocket {
    return new tls.TLSSocket(socket, { isServer: true, secureContext: this.secureContext });
  }
}
