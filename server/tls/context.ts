// The TLS settings every listener uses: the current certificate as a secure context, TLS 1.2+,
// and for TLS 1.2 only suites with forward secrecy and AEAD (Dovecot's default drops kRSA too).
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import tls from 'node:tls';
import { certificateFiles } from './certificates.js';

export const MIN_TLS_VERSION = 'TLSv1.2';

/**
 * TLS 1.2: ECDHE or DHE key exchange with AES-GCM or ChaCha20-Poly1305, nothing with a static RSA
 * key exchange (no forward secrecy) or CBC. TLS 1.3 keeps OpenSSL's suites (all AEAD with ECDHE).
 */
const TLS12_CIPHERS = 'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!DSS';

/** What every listener and STARTTLS upgrade is given besides the certificate. */
const PROTOCOL_OPTIONS = {
  minVersion: MIN_TLS_VERSION,
  ciphers: TLS12_CIPHERS,
  honorCipherOrder: true,
  dhparam: 'auto',
} as const satisfies tls.SecureContextOptions;

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
    this.current = { key, cert, context: tls.createSecureContext({ key, cert, ...PROTOCOL_OPTIONS }) };
    this.emit('change');
  }

  get secureContext(): tls.SecureContext {
    return this.current.context;
  }

  /** For APIs that take PEM options (smtp-server). */
  get pem(): tls.SecureContextOptions & { key: Buffer; cert: Buffer } {
    return { key: this.current.key, cert: this.current.cert, ...PROTOCOL_OPTIONS };
  }

  /** Wraps an accepted plain socket as the server side of a TLS connection (STARTTLS / STLS). */
  upgrade(socket: import('node:net').Socket): tls.TLSSocket {
    return new tls.TLSSocket(socket, { isServer: true, secureContext: this.secureContext });
  }
}
