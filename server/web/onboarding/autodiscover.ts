// Outlook autodiscover, plain old XML (POX): Outlook POSTs a request naming the address to
// https://<domain>/autodiscover/autodiscover.xml, https://autodiscover.<domain>/autodiscover/autodiscover.xml
// (or where the _autodiscover._tcp SRV record points) and gets the Outlook 2006a response: the
// account's IMAP and SMTP servers. Errors are the schema's <Error> with Exchange's codes.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EngineContext } from '../../context.js';
import type { Settings } from '../../settings/schema.js';
import { WebError, xml, type WebReply } from '../replies.js';
import type { WebRequest } from '../request.js';
import type { WebRoute } from '../router.js';
import { onboardingAddress } from './mail-address.js';
import { offeredServers, preferred, type OfferedServer } from './offered-servers.js';

export const AUTODISCOVER_PATH = '/autodiscover/autodiscover.xml';

export const REQUEST_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
export const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
export const OUTLOOK_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

/** Exchange's autodiscover error codes: 500 the address is not found, 600 invalid request, 601 the asked schema is not provided. */
type ErrorCode = 500 | 600 | 601;

const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
// Only XML's own entities (&amp; …): a request with a DOCTYPE, where others could be declared, is refused.
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, processEntities: true, parseTagValue: false });

function document(response: object): string {
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'utf-8' }, Autodiscover: { '@_xmlns': RESPONSE_SCHEMA, Response: response } });
}

/** The 2006a answer for `address`: one IMAP and one SMTP server (the preferred of each), the whole address as the login. */
export function autodiscoverXml(settings: Settings, servers: readonly OfferedServer[], address: string): string {
  const protocol = (server: OfferedServer, type: 'IMAP' | 'SMTP') => ({
    Type: type,
    Server: settings.hostname,
    Port: server.port,
    DomainRequired: 'off',
    LoginName: address,
    SPA: 'off',
    // Encryption (2006a) says which TLS: SSL from the first byte, TLS by STARTTLS; older readers know only <SSL>.
    SSL: server.tls === 'ssl' ? 'on' : 'off',
    Encryption: server.tls === 'ssl' ? 'SSL' : 'TLS',
    AuthRequired: 'on',
    ...(type === 'SMTP' ? { UsePOPAuth: 'on', SMTPLast: 'off' } : {}),
  });
  const imap = preferred(servers, 'imap');
  const smtp = preferred(servers, 'smtp');
  return document({
    '@_xmlns': OUTLOOK_SCHEMA,
    User: { DisplayName: address, AutoDiscoverSMTPAddress: address },
    Account: {
      AccountType: 'email',
      Action: 'settings',
      Protocol: [...(imap ? [protocol(imap, 'IMAP')] : []), ...(smtp ? [protocol(smtp, 'SMTP')] : [])],
    },
  });
}

export function autodiscoverError(code: ErrorCode, message: string): string {
  return document({ Error: { '@_Time': new Date().toISOString().slice(11, 19), '@_Id': '1', ErrorCode: code, Message: message, DebugData: '' } });
}

/** What Outlook asks: the address, and the response schema it can read. */
export function parseAutodiscoverRequest(body: string): { address: string; responseSchema: string } {
  if (/<!DOCTYPE/i.test(body)) throw new AutodiscoverError(400, 600, 'the request has a DOCTYPE; Autodiscover requests have none');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw new AutodiscoverError(400, 600, `the request is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const parsed = parser.parse(body) as { Autodiscover?: { Request?: { EMailAddress?: unknown; AcceptableResponseSchema?: unknown } } };
  const request = parsed.Autodiscover?.Request;
  if (!request) throw new AutodiscoverError(400, 600, `the request is not an Autodiscover request (${REQUEST_SCHEMA})`);
  if (typeof request.EMailAddress !== 'string' || !request.EMailAddress) throw new AutodiscoverError(400, 600, 'the request has no EMailAddress');
  return { address: request.EMailAddress, responseSchema: typeof request.AcceptableResponseSchema === 'string' ? request.AcceptableResponseSchema : '' };
}

class AutodiscoverError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

async function answer(request: WebRequest, context: EngineContext): Promise<WebReply> {
  try {
    const { address, responseSchema } = parseAutodiscoverRequest((await request.body()).toString('utf8'));
    if (responseSchema !== OUTLOOK_SCHEMA) throw new AutodiscoverError(400, 601, `only the Outlook schema ${OUTLOOK_SCHEMA} is provided, not ${JSON.stringify(responseSchema)}`);
    let known: string;
    try {
      known = onboardingAddress(address, context, 'EMailAddress');
    } catch (error) {
      if (error instanceof WebError) throw new AutodiscoverError(error.status, error.status === 404 ? 500 : 600, error.message);
      throw error;
    }
    const settings = context.settings();
    return xml(autodiscoverXml(settings, offeredServers(settings, context.listeningPort), known));
  } catch (error) {
    if (error instanceof AutodiscoverError) return xml(autodiscoverError(error.code, error.message), error.status);
    throw error;
  }
}

export const autodiscoverRoutes: WebRoute[] = [{ methods: ['POST'], path: AUTODISCOVER_PATH, anyCase: true, handle: answer }];
