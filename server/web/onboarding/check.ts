// The live check of the onboarding URLs, as the window's Client setup page and `lanpost doctor`
// show it: each URL that Thunderbird, Outlook, Apple devices and browsers fetch is asked on the
// engine's own ports, with the Host header and TLS server name (SNI) a client would send, and
// over HTTPS verified against the LanPost CA: a certificate that does not name the host fails.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { AUTOCONFIG_PATH, WELL_KNOWN_AUTOCONFIG_PATH } from './autoconfig.js';
import { AUTODISCOVER_PATH, OUTLOOK_SCHEMA, REQUEST_SCHEMA } from './autodiscover.js';
import { CA_PEM_PATH } from './ca-routes.js';
import { PROFILE_PATH } from './profile-routes.js';

const TIMEOUT_MS = 5000;
/** Enough of an answer to see what it is. */
const MAX_BODY_CHARS = 65536;

/** Where the engine's web service listens: its address (the wildcard stands for loopback) and port, or why it does not. */
export type Listener = { address: string; port: number } | { notListening: string };

export interface CheckTarget {
  domain: string;
  hostname: string;
  http: Listener;
  https: Listener;
  /** The LanPost CA (PEM), trusted besides the system's roots (for an imported certificate). */
  caPem: string;
  /** The address the checks ask about. */
  address: string;
}

/** What fetches a URL. */
export const CHECK_KINDS = { autoconfig: 'Thunderbird autoconfig', autodiscover: 'Outlook autodiscover', landing: 'Landing page', profile: 'Apple profile', ca: 'CA certificate' } as const;
export type CheckKind = keyof typeof CHECK_KINDS;

export interface OnboardingCheck {
  kind: CheckKind;
  /** The kind in words, e.g. "Thunderbird autoconfig". */
  name: string;
  /** The URL as a client on the LAN fetches it. */
  url: string;
  ok: boolean;
  /** "200 OK", "301 to https://…", or why not. */
  detail: string;
}

interface Probe {
  kind: CheckKind;
  scheme: 'http' | 'https';
  host: string;
  path: string;
  method?: 'GET' | 'POST';
  body?: string;
  /** What a good answer is: the status and, for 200, a piece of the body; for 301, the start of the new address. */
  expect: { status: 200; contains: string } | { status: 301; location: string };
}

function onboardingProbes(target: Pick<CheckTarget, 'domain' | 'hostname' | 'address'>): Probe[] {
  const { domain, hostname, address } = target;
  const query = `?emailaddress=${encodeURIComponent(address)}`;
  const autodiscoverRequest = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${REQUEST_SCHEMA}"><Request><EMailAddress>${address.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</EMailAddress><AcceptableResponseSchema>${OUTLOOK_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;
  const clientConfig = { status: 200, contains: '<clientConfig version="1.1">' } as const;
  const outlook = { status: 200, contains: '<Type>IMAP</Type>' } as const;
  return [
    { kind: 'autoconfig', scheme: 'https', host: `autoconfig.${domain}`, path: AUTOCONFIG_PATH + query, expect: clientConfig },
    { kind: 'autoconfig', scheme: 'http', host: `autoconfig.${domain}`, path: AUTOCONFIG_PATH + query, expect: clientConfig },
    { kind: 'autoconfig', scheme: 'https', host: domain, path: WELL_KNOWN_AUTOCONFIG_PATH + query, expect: clientConfig },
    { kind: 'autodiscover', scheme: 'https', host: domain, path: AUTODISCOVER_PATH, method: 'POST', body: autodiscoverRequest, expect: outlook },
    { kind: 'autodiscover', scheme: 'https', host: `autodiscover.${domain}`, path: AUTODISCOVER_PATH, method: 'POST', body: autodiscoverRequest, expect: outlook },
    { kind: 'landing', scheme: 'https', host: hostname, path: '/', expect: { status: 200, contains: '<!doctype html>' } },
    { kind: 'landing', scheme: 'http', host: hostname, path: '/', expect: { status: 301, location: `https://${hostname}` } },
    { kind: 'profile', scheme: 'https', host: hostname, path: `${PROFILE_PATH}?address=${encodeURIComponent(address)}`, expect: { status: 200, contains: 'com.apple.mail.managed' } },
    { kind: 'ca', scheme: 'https', host: hostname, path: CA_PEM_PATH, expect: { status: 200, contains: '-----BEGIN CERTIFICATE-----' } },
  ];
}

export async function checkOnboarding(target: CheckTarget): Promise<OnboardingCheck[]> {
  return Promise.all(onboardingProbes(target).map((probe) => runProbe(probe, target)));
}

async function runProbe(probe: Probe, target: CheckTarget): Promise<OnboardingCheck> {
  const listener = target[probe.scheme];
  const standard = probe.scheme === 'https' ? 443 : 80;
  const port = 'port' in listener && listener.port !== standard ? `:${listener.port}` : '';
  const url = `${probe.scheme}://${probe.host}${port}${probe.path}`;
  const result = (ok: boolean, detail: string): OnboardingCheck => ({ kind: probe.kind, name: CHECK_KINDS[probe.kind], url, ok, detail });
  if ('notListening' in listener) return result(false, `${probe.scheme} ${listener.notListening}`);
  try {
    const answer = await fetchOnce(probe, listener, `${probe.host}${port}`, target.caPem);
    const expected = probe.expect;
    if (answer.status !== expected.status) {
      // The service's own refusals are one sentence of text; a page or a file is left out.
      const why = answer.contentType.startsWith('text/plain') ? `: ${answer.body.trim().split('\n')[0]!.slice(0, 200)}` : '';
      return result(false, `answered ${answer.status} instead of ${expected.status}${why}`);
    }
    if (expected.status === 301) {
      return answer.location.startsWith(expected.location) ? result(true, `${answer.status} to ${answer.location}`) : result(false, `redirects to ${answer.location}`);
    }
    return answer.body.includes(expected.contains) ? result(true, `${answer.status} OK`) : result(false, `answered ${answer.status} without ${expected.contains}`);
  } catch (error) {
    return result(false, (error as Error).message);
  }
}

function fetchOnce(probe: Probe, listener: { address: string; port: number }, hostHeader: string, caPem: string): Promise<{ status: number; contentType: string; location: string; body: string }> {
  const connectTo = listener.address === '0.0.0.0' ? '127.0.0.1' : listener.address === '::' ? '::1' : listener.address;
  const options: https.RequestOptions = {
    host: connectTo,
    port: listener.port,
    path: probe.path,
    method: probe.method ?? 'GET',
    headers: { host: hostHeader, ...(probe.body ? { 'content-type': 'text/xml; charset=utf-8' } : {}) },
    timeout: TIMEOUT_MS,
    agent: false,
    ...(probe.scheme === 'https' ? { servername: probe.host, ca: [caPem, ...tls.rootCertificates] } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (probe.scheme === 'https' ? https : http).request(options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < MAX_BODY_CHARS) body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', location: response.headers.location ?? '', body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on('error', (error: NodeJS.ErrnoException) => reject(new Error(describeError(error))));
    request.end(probe.body);
  });
}

function describeError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'nothing answers on that port';
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate does not name this host (${error.message})`;
  if (error.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || error.code === 'SELF_SIGNED_CERT_IN_CHAIN') return `the certificate is not signed by the LanPost CA or a known one (${error.code})`;
  return error.message;
}

/** One line per check, as `lanpost doctor` prints it. */
export function formatCheck(check: OnboardingCheck): string {
  return `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(22)} ${check.url}  ${check.detail}`;
}
