// Password slips as a page to print (`lanpost class … --slips FILE`): one slip per student with
// the address, the password and the servers to type into a mail program, in English and 简体中文
// side by side (a teacher hands them out in either language).
import { clientSetup } from '../admin/client-setup.js';
import type { IssuedAccount } from '../accounts/classes.js';
import type { ServiceStatus } from '../net/listener.js';
import { SERVICE_NAMES, type Settings } from '../settings/schema.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function slipsPage(className: string, accounts: readonly IssuedAccount[], settings: Settings): string {
  // What a client should use, from the settings (the engine may not be running now).
  const statuses: ServiceStatus[] = SERVICE_NAMES.map((name) => ({ name, ...settings.services[name], state: 'listening', detail: '' }));
  const setup = clientSetup('', settings, statuses, []);
  const server = (list: typeof setup.incoming) => {
    const best = list.find((s) => s.recommended);
    return best ? `${escape(best.host)} : ${best.port} ${best.tls === 'ssl' ? 'SSL/TLS' : best.tls === 'starttls' ? 'STARTTLS' : ''}` : '—';
  };
  const imap = server(setup.incoming.filter((s) => s.kind === 'imap'));
  const smtp = server(setup.outgoing);
  const slips = accounts
    .map(
      (account) => `<section class="slip">
  <h2>${escape(account.displayName || account.address)}</h2>
  <dl>
    <dt>Address · 邮件地址</dt><dd>${escape(account.address)}</dd>
    <dt>Password · 密码</dt><dd class="secret">${escape(account.password)}</dd>
    <dt>Incoming (IMAP) · 收信服务器</dt><dd>${imap}</dd>
    <dt>Outgoing (SMTP) · 发信服务器</dt><dd>${smtp}</dd>
    <dt>User name · 用户名</dt><dd>${escape(account.address)}</dd>
  </dl>
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(className)} · LanPost</title>
<style>
body { font-family: system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif; margin: 1cm; }
.slips { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5cm; }
.slip { border: 1px dashed #555; padding: 0.4cm 0.5cm; break-inside: avoid; }
.slip h2 { margin: 0 0 0.2cm; font-size: 13pt; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1cm 0.4cm; margin: 0; font-size: 10pt; }
dt { color: #444; } dd { margin: 0; font-family: monospace; }
.secret { font-size: 13pt; font-weight: bold; }
</style></head>
<body><h1>${escape(className)}</h1><div class="slips">
${slips}
</div></body></html>
`;
}
