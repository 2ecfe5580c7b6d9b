// Finding and taking apart delivery status notifications (RFC 3464) in a user's INBOX.
import fs from 'node:fs';
import { simpleParser } from 'mailparser';
import type { TestEngine } from './engine.js';
import { maildirFiles } from './mail.js';
import { waitFor } from './smtp-sink.js';

export interface Dsn {
  raw: string;
  /** Top-level header fields, lower-cased names. */
  headers: Map<string, unknown>;
  /** The three parts of the multipart/report, each as [content type, body]. */
  parts: Array<{ type: string; body: string }>;
  /** message/delivery-status body. */
  status: string;
  /** text/rfc822-headers body. */
  originalHeaders: string;
}

/** Waits for a DSN in the user's INBOX whose returned headers carry `Subject: <subject>`. */
export async function waitForDsn(test: TestEngine, address: string, subject: string, action = 'failed', timeoutMs?: number): Promise<Dsn> {
  const raw = await waitFor(
    () => {
      for (const file of maildirFiles(test, address)) {
        const text = fs.readFileSync(file, 'utf8');
        if (text.includes('report-type=delivery-status') && text.includes(`\r\nSubject: ${subject}\r\n`) && text.includes(`\r\nAction: ${action}\r\n`)) return text;
      }
      return undefined;
    },
    `a DSN (${action}) about "${subject}" for ${address}`,
    timeoutMs,
  );
  return parseDsn(raw);
}

export async function parseDsn(raw: string): Promise<Dsn> {
  const parsed = await simpleParser(raw);
  const contentType = parsed.headers.get('content-type') as { value: string; params: Record<string, string> };
  const boundary = contentType.params.boundary!;
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const text = part.replace(/^\r\n/, '').replace(/\r\n$/, '');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split);
      return { type: /^Content-Type:\s*([^;\r\n]+)/im.exec(head)?.[1]?.trim().toLowerCase() ?? '', body: text.slice(split + 4) };
    });
  return {
    raw,
    headers: parsed.headers as Map<string, unknown>,
    parts,
    status: parts.find((p) => p.type === 'message/delivery-status')?.body ?? '',
    originalHeaders: parts.find((p) => p.type === 'text/rfc822-headers')?.body ?? '',
  };
}
