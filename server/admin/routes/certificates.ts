// Certificates: the current one, regenerate from the local CA, import PEM (errors in words),
// key + CSR for a public CA, and the CA certificate for clients to trust.
import fs from 'node:fs';
import { lanAddresses } from '../../net/interfaces.js';
import { certificateFiles, currentCertificate, importCertificate, regenerateCertificate, summarize } from '../../tls/certificates.js';
import { clearPendingRequest, createCertificateRequest, pendingRequest, pendingRequestKey } from '../../tls/csr.js';
import type { CertificateResponse } from '../contract/index.js';
import { ApiError, type Handlers } from '../router.js';
import type { AdminState } from '../state.js';

function certificate(state: AdminState): CertificateResponse {
  const { dataDir } = state.context;
  return {
    certificate: currentCertificate(dataDir),
    ca: summarize(fs.readFileSync(certificateFiles(dataDir).caCert, 'utf8'), false),
    pendingRequest: pendingRequest(dataDir),
  };
}

function identity(state: AdminState) {
  const settings = state.context.settings();
  return { hostname: settings.hostname, domain: settings.domain, addresses: lanAddresses().map((a) => a.address) };
}

export const certificateRoutes = {
  'GET /api/certificate': ({ state }) => certificate(state),
  'POST /api/certificate/regenerate': ({ state }) => {
    for (const line of regenerateCertificate(state.context.dataDir, identity(state))) state.context.log.info('tls', line);
    state.context.tls.reload();
    return certificate(state);
  },
  'POST /api/certificate/import': ({ state, body }) => {
    const { dataDir } = state.context;
    const given = body.key.trim();
    const key = given || pendingRequestKey(dataDir);
    if (!key) throw new ApiError(400, 'Paste the private key too: there is no key from a certificate request made here.');
    importCertificate(dataDir, body.certificate, key);
    if (!given) clearPendingRequest(dataDir);
    state.context.tls.reload();
    state.context.log.info('tls', 'imported a certificate');
    return certificate(state);
  },
  'POST /api/certificate/request': ({ state, body }) => {
    const result = createCertificateRequest(state.context.dataDir, body);
    state.context.log.info('tls', 'made a key and a certificate signing request');
    return result;
  },
  'GET /api/certificate/ca.crt': ({ state }) => ({
    filename: `lanpost-ca-${state.context.settings().domain}.crt`,
    contentType: 'application/x-x509-ca-cert',
    body: fs.readFileSync(certificateFiles(state.context.dataDir).caCert, 'utf8'),
  }),
} satisfies Partial<Handlers>;
