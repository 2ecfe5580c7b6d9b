// Blobs (RFC 8620 §6): uploads kept per account in the data folder (named by their SHA-256, so the
// same bytes are one blob), and the bytes of stored mail — a whole message (its email id) or one
// part of it, decoded ("<email id>_<section>"). Uploads nobody used are removed after a day.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MimePart } from '../imap/mime/structure.js';
import type { MethodCall } from './call.js';
import { decodedBytes } from './email-body.js';
import { emailSources } from './email-source.js';

/** Uploaded blobs not used within this time are removed (§6.1: at least an hour). */
const UPLOAD_LIFETIME_MS = 24 * 3600 * 1000;
const UPLOAD_PREFIX = 'U';

function uploadsDir(dataDir: string, userId: number): string {
  return path.join(dataDir, 'jmap-uploads', String(userId));
}

/** Stores an upload; returns its blob id. */
export function storeUpload(dataDir: string, userId: number, content: Buffer): string {
  const dir = uploadsDir(dataDir, userId);
  fs.mkdirSync(dir, { recursive: true });
  removeOldUploads(dir);
  const blobId = UPLOAD_PREFIX + crypto.createHash('sha256').update(content).digest('base64url').slice(0, 40);
  const file = path.join(dir, blobId);
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
  return blobId;
}

function removeOldUploads(dir: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > UPLOAD_LIFETIME_MS) fs.rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
}

/** The bytes of a blob of the account, or null when it has none by that id. */
export async function readBlob(call: MethodCall, blobId: string): Promise<Buffer | null> {
  if (blobId.startsWith(UPLOAD_PREFIX)) {
    if (!/^U[A-Za-z0-9_-]{40}$/.test(blobId)) return null;
    try {
      return fs.readFileSync(path.join(uploadsDir(call.context.dataDir, call.user.id), blobId));
    } catch {
      return null;
    }
  }
  const [emailId, section] = blobId.split('_');
  const rows = emailId ? call.store.jmap.emailRows(call.user.id, emailId) : [];
  if (!rows.length) return null;
  const source = emailSources(call, rows).get(emailId!)!;
  const content = await source.content();
  if (section === undefined) return content;
  const part = findSection(await source.structure(), section.split('-').map(Number));
  return part ? decodedBytes(content, part) : null;
}

/** The leaf at an IMAP section ("2.1" as [2, 1]) of a message. */
function findSection(root: MimePart, section: number[]): MimePart | null {
  if (root.type.toLowerCase() !== 'multipart') return section.length === 1 && section[0] === 1 ? root : null;
  let part: MimePart | undefined = root;
  for (const index of section) {
    part = part?.parts?.[index - 1];
    if (!part) return null;
  }
  return part.type.toLowerCase() === 'multipart' ? null : part;
}
