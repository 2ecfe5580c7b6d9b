// The LanPost CA for devices to trust: PEM as .crt (Android, Thunderbird, Linux), DER as .cer
// (Windows, macOS); the landing page shows its SHA-256 fingerprint to compare with the window's.
import { caCertificate } from '../../tls/certificates.js';
import { download } from '../replies.js';
import type { WebRoute } from '../router.js';

export const CA_PEM_PATH = '/lanpost-ca.crt';
export const CA_DER_PATH = '/lanpost-ca.cer';

export const caRoutes: WebRoute[] = [
  // application/x-x509-ca-cert makes Android offer to install it as a CA.
  { methods: ['GET'], path: CA_PEM_PATH, handle: (_request, context) => download('lanpost-ca.crt', 'application/x-x509-ca-cert', caCertificate(context.dataDir).pem) },
  { methods: ['GET'], path: CA_DER_PATH, handle: (_request, context) => download('lanpost-ca.cer', 'application/pkix-cert', caCertificate(context.dataDir).der) },
];
