// Certificates: the current one, regenerate from the local CA, import PEM, key + CSR for a
// public CA, and the CA certificate for clients to trust.
import { certificateSummary, z, type RoutePattern, type RouteSpec } from './common.js';

const certificates = z.strictObject({
  certificate: certificateSummary,
  ca: certificateSummary,
  /** A key + CSR made here and waiting for the public CA's certificate. */
  pendingRequest: z.strictObject({ commonName: z.string(), createdAt: z.string() }).nullable(),
});

export const certificatesContract = {
  'GET /api/certificate': { response: certificates },
  'POST /api/certificate/regenerate': { response: certificates },
  'POST /api/certificate/import': {
    /** key empty: use the key of the pending certificate request. */
    body: z.object({ certificate: z.string(), key: z.string().default('') }),
    response: certificates,
  },
  'POST /api/certificate/request': {
    body: z.object({
      commonName: z.string(),
      altNames: z.array(z.string()).default([]),
      organization: z.string().default(''),
      country: z.string().default(''),
    }),
    /** The private key is in the answer to keep; it also stays in the data folder for the import. */
    response: z.strictObject({ csr: z.string(), key: z.string() }),
  },
  'GET /api/certificate/ca.crt': { download: true },
} satisfies Record<RoutePattern, RouteSpec>;
