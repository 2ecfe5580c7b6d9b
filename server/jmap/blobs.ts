// Blobs (RFC 8620 §6): uploads kept per account in the data folder (named by their SHA-256, so the
// same bytes are one blob), and the bytes of stored mail — a whole message (its email id) or one
// part of it, decoded ("<email id>_<section>", as for a part of an uploaded message: Email/parse).
// Uploads nobody used are removed after a day.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseMessageStructure, type MimePart } from '../imap/mime/structure.js';
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
  const blobId = UPLOAD_PREFIX + crypto.createHash('sha256').update(content).digest('hex').slice(0, 40);
  const file = path.join(dir, blobId);
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } catch (error) {
    // a full disk leaves no half upload behind
    fs.rmSync(temporary, { force: true });
    throw error;
  }
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

/** An uploaded blob's bytes, or null. */
function readUpload(call: MethodCall, blobId: string): Buffer | null {
  if (!/^U[0-9a-f]{40}$/.test(blobId)) return null;
  try {
    return fs.readFileSync(path.join(uploadsDir(call.context.dataDir, call.user.id), blobId));
  } catch {
    return null;
  }
}

/** A whole message of the account: an upload or a stored email, with its MIME structure. */
async function readMessage(call: MethodCall, blobId: string): Promise<{ content: Buffer; structure: () => Promise<MimePart> } | null> {
  if (blobId.startsWith(UPLOAD_PREFIX)) {
    const content = readUpload(call, blobId);
    return content ? { content, structure: () => parseMessageStructure(content) } : null;
  }
  const rows = call.store.jmap.emailRows(call.user.id, blobId);
  if (!rows.length) return null;
  const source = emailSources(call, rows).get(blobId)!;
  return { content: await source.content(), structure: () => source.structure() };
}

/** The bytes of a blob of the account, or null when it has none by that id. */
export async function readBlob(call: MethodCall, blobId: string): Promise<Buffer | null> {
  const [base, section, ...rest] = blobId.split('_');
  if (!base || rest.length) return null;
  const message = await readMessage(call, base);
  if (!message || section === undefined) return message?.content ?? null;
  const part = findSection(await message.structure(), section.split('-').map(Number));
  return part ? decodedBytes(message.content, part) : null;
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
