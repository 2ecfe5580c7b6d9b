// A client that sends messages back to back over one SMTP session until the server dies: the load
// of the crash-safety tests. Returns (in `acknowledged`) the ids of the messages that got 250.
import { LineClient } from './line-client.js';

export async function sendUntilDead(
  port: number,
  index: number,
  acknowledged: Set<string>,
  message: { recipient: (id: string) => string; body: (id: string) => string },
): Promise<void> {
  let client: LineClient;
  try {
    client = await LineClient.connect(port);
    await client.smtpReply();
    await client.command('EHLO crash.test');
  } catch {
    return;
  }
  for (let n = 0; n < 10_000; n++) {
    const id = `s${index}m${n}`;
    try {
      if ((await client.command('MAIL FROM:<load@example.org>')).code !== 250) return;
      if ((await client.command(`RCPT TO:<${message.recipient(id)}>`)).code !== 250) return;
      if ((await client.command('DATA')).code !== 354) return;
      client.write(message.body(id) + '.\r\n');
      if ((await client.smtpReply()).code === 250) acknowledged.add(id);
    } catch {
      return; // the server died: this message was not acknowledged
    }
  }
}
