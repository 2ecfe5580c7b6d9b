// Certificates: the current one, regenerate from the local CA, import PEM (errors in words),
// key + CSR for a public CA, and the CA certificate for clients to trust.
import fs from 'node:fs';
import { lanAddresses } from '../../net/interfaces.js';
import { certificateFiles, currentCertificate, importCertificate, regenerateCertificate, summarize } from '../../tls/certificates.js';
import { clearPendingRequest, createCertificateRequest, pendingRequest, pendingRequestKey } from '../../tls/csr.js';
import { ApiError, json, stringField, type Route } from '../router.js';
import type { AdminState } from '../state.js';
import type { CertificateResponse } from '../types.js';

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

export const certificateRoutes: Route[] = [
  { method: 'GET', path: '/api/certificate', handler: ({ state }) => json(certificate(state)) },
  {
    method: 'POST',
    path: '/api/certificate/regenerate',
    handler: ({ state }) => {
      for (const line of regenerateCertificate(state.context.dataDir, identity(state))) state.context.log.info('tls', line);
      state.context.tls.reload();
      return json(certificate(state));
    },
  },
  {
    method: 'POST',
    path: '/api/certificate/import',
    handler: ({ state, body }) => {
      const { dataDir } = state.context;
      const given = stringField(body, 'key', { optional: true }).trim();
      const key = given || pendingRequestKey(dataDir);
      if (!key) throw new ApiError(400, 'Paste the private key too: there is no key from a certificate request made here.');
      importCertificate(dataDir, stringField(body, 'certificate'), key);
      if (!given) clearPendingRequest(dataDir);
      state.context.tls.reload();
      state.context.log.info('tls', 'imported a certificate');
      return json(certificate(state));
    },
  },
  {
    method: 'POST',
    path: '/api/certificate/request',
    handler: ({ state, body }) => {
      const altNames = Array.isArray(body.altNames) ? body.altNames.filter((n): n is string => typeof n === 'string') : [];
      const result = createCertificateRequest(state.context.dataDir, {
        commonName: stringField(body, 'commonName'),
        altNames,
        organization: stringField(body, 'organization', { optional: true }),
        country: stringField(body, 'country', { optional: true }),
      });
      state.context.log.info('tls', 'made a key and a certificate signing request');
      return json(result);
    },
  },
  {
    method: 'GET',
    path: '/api/certificate/ca.crt',
    handler: ({ state }) => ({
      download: {
        filename: `lanpost-ca-${state.context.settings().domain}.crt`,
        contentType: 'application/x-x509-ca-cert',
        body: fs.readFileSync(certificateFiles(state.context.dataDir).caCert, 'utf8'),
      },
    }),
  },
];
