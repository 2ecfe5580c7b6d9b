// BURL (RFC 4468) on the submission port: a message sent from IMAP URLAUTH URLs instead of DATA,
// as the RFC's example forwards a stored message: GENURLAUTH with submit+user on IMAP, then
// BURL … LAST on SMTP; URLs the submission server may not read are refused with 554 5.6.6.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './helpers/engine.js';
import { LineClient } from './helpers/line-client.js';
import { RawImap } from './imap-helpers.js';

let test: TestEngine;
let imap: RawImap;
const JOE = 'joe@lanpost.lan';
const FRED = 'fred@lanpost.lan';
const PASSWORD = 'correct horse battery';
const STORED = 'From: joe@lanpost.lan\r\nTo: fred@lanpost.lan\r\nSubject: the report\r\n\r\nThe report is attached in spirit.\r\n';
let stored = '';

async function urlauth(url: string): Promise<string> {
  const reply = await imap.command(`GENURLAUTH "${url}" INTERNAL`);
  const made = /^\* GENURLAUTH "(.*)"$/.exec(reply.lines[0] ?? '')?.[1];
  if (!made) throw new Error(reply.raw);
  return made;
}

/** A submission session logged in as Joe, with the envelope from Joe to Fred. */
async function submission(): Promise<LineClient> {
  const smtp = await LineClient.connect(test.port('submission'));
  await smtp.smtpReply();
  await smtp.command('EHLO client.lanpost.lan');
  expect((await smtp.command(`AUTH PLAIN ${Buffer.from(`\0${JOE}\0${PASSWORD}`).toString('base64')}`)).code).toBe(235);
  expect((await smtp.command(`MAIL FROM:<${JOE}>`)).code).toBe(250);
  expect((await smtp.command(`RCPT TO:<${FRED}>`)).code).toBe(250);
  return smtp;
}

async function fredsNewest(): Promise<string> {
  const fred = await RawImap.loggedIn(test.port('imap'), FRED, PASSWORD);
  try {
    const exists = Number(/^\* (\d+) EXISTS/m.exec((await fred.command('SELECT INBOX')).lines.join('\n'))![1]);
    const fetch = await fred.command(`FETCH ${exists} BODY.PEEK[]`);
    return fetch.lines[0]!.slice(fetch.lines[0]!.indexOf('}\r\n') + 3, -1);
  } finally {
    fred.close();
  }
}

beforeAll(async () => {
  test = await startTestEngine({ users: { [JOE]: PASSWORD, [FRED]: PASSWORD } });
  imap = await RawImap.loggedIn(test.port('imap'), JOE, PASSWORD);
  const uid = /APPENDUID \d+ (\d+)/.exec((await imap.append('INBOX', STORED)).text)![1];
  stored = `imap://joe@lanpost.lan/INBOX/;uid=${uid}`;
});
afterAll(async () => {
  imap.close();
  await test.stop();
});

describe('BURL (RFC 4468)', () => {
  it('advertises BURL imap on submission only', async () => {
    const sub = await LineClient.connect(test.port('submission'));
    await sub.smtpReply();
    expect((await sub.command('EHLO client.lanpost.lan')).lines).toContain('250 BURL imap');
    sub.close();
    const mx = await LineClient.connect(test.port('smtp'));
    await mx.smtpReply();
    expect((await mx.command('EHLO client.lanpost.lan')).lines.join('\n')).not.toContain('BURL');
    expect((await mx.command(`BURL ${stored};urlauth=anonymous:INTERNAL:00 LAST`)).code).toBe(500);
    mx.close();
  });

  it('sends a stored message by its submit+user URL, and one put together from two URLs', async () => {
    const whole = await urlauth(`${stored};urlauth=submit+joe`);
    const smtp = await submission();
    const sent = await smtp.command(`BURL ${whole} LAST`);
    expect(sent.code).toBe(250);
    expect(sent.text).toMatch(/queued as/);
    // the trace fields of a submission, then the stored message as it is
    const delivered = await fredsNewest();
    expect(delivered).toMatch(/\r\nReceived: from client\.lanpost\.lan /);
    expect(delivered.endsWith(`\r\n${STORED}`)).toBe(true);
    // a header and a body from two URLs, in two BURL commands
    const header = await urlauth(`${stored}/;section=HEADER;urlauth=submit+joe`);
    const text = await urlauth(`${stored}/;section=TEXT;urlauth=submit+joe`);
    expect((await smtp.command(`MAIL FROM:<${JOE}>`)).code).toBe(250);
    expect((await smtp.command(`RCPT TO:<${FRED}>`)).code).toBe(250);
    const first = await smtp.command(`BURL ${header}`);
    expect(first.code).toBe(250);
    expect(first.text).toMatch(/^2\.5\.0 /);
    expect((await smtp.command(`BURL ${text} LAST`)).code).toBe(250);
    expect(await fredsNewest()).toMatch(/\r\nSubject: the report\r\n\r\nThe report is attached in spirit\.\r\n$/);
    smtp.close();
  });

  it('refuses URLs the submission server may not read, and BURL out of order', async () => {
    const smtp = await submission();
    // user+joe is for Joe's IMAP sessions, not for the submission server
    const imapOnly = await urlauth(`${stored};urlauth=user+joe`);
    expect((await smtp.command(`BURL ${imapOnly} LAST`)).lines[0]).toMatch(/^554 5\.6\.6 /);
    // the transaction is over: a BURL needs MAIL and RCPT again
    const submit = await urlauth(`${stored};urlauth=submit+joe`);
    expect((await smtp.command(`BURL ${submit} LAST`)).code).toBe(503);
    expect((await smtp.command(`MAIL FROM:<${JOE}>`)).code).toBe(250);
    expect((await smtp.command(`RCPT TO:<${FRED}>`)).code).toBe(250);
    const forged = submit.replace(/[0-9a-f]$/, (d) => (d === '0' ? '1' : '0'));
    expect((await smtp.command(`BURL ${forged} LAST`)).lines[0]).toMatch(/^554 5\.6\.6 /);
    expect((await smtp.command('BURL')).code).toBe(501);
    smtp.close();
    const anonymous = await LineClient.connect(test.port('submission'));
    await anonymous.smtpReply();
    await anonymous.command('EHLO client.lanpost.lan');
    expect((await anonymous.command(`BURL ${submit} LAST`)).code).toBe(530);
    anonymous.close();
  });
});
