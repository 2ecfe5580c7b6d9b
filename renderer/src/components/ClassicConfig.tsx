// The same thing in the classic stack: for the window's fields, the Postfix, Dovecot and BIND
// lines that do their job, and the whole files `lanpost export postfix|dovecot|bind` would write
// for the current settings (secrets hidden).
import { useState } from 'react';
import type { ClassicConfigResponse } from '../../../server/admin/contract/index.js';
import { useResource } from '../context.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { Card, Loading, TableHead } from './ui.js';

type Server = ClassicConfigResponse['files'][number]['server'];
const SERVERS: Server[] = ['postfix', 'dovecot', 'bind'];

export function ClassicConfigCard() {
  const { t } = useI18n();
  const config = useResource('GET /api/classic-config');
  const [server, setServer] = useState<Server>('postfix');
  const label = (setting: string) => {
    const service = /^services\.(\w+)\.port$/.exec(setting);
    return service ? t('classic.port', { service: t(`service.${service[1]}` as MessageKey) }) : t(`setting.${setting}` as MessageKey);
  };
  if (!config.data) return <Card title={t('classic.title')}><Loading error={config.error} /></Card>;
  return (
    <Card title={t('classic.title')} className="classic-config">
      <p>{t('classic.intro')}</p>
      <table className="classic-equivalents">
        <TableHead columns={[t('classic.field'), t('classic.value'), t('classic.lines')]} />
        <tbody>
          {config.data.equivalents.map((row) => (
            <tr key={row.setting}>
              <td>{label(row.setting)}</td>
              <td><code>{row.value}</code></td>
              <td>
                {row.lines.map((line) => (
                  <div key={line.path + line.text} className="classic-line">
                    <span className="classic-path">{line.path}</span>
                    <pre>{line.text}</pre>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="classic-tabs" role="tablist">
        {SERVERS.map((name) => (
          <button key={name} role="tab" aria-selected={server === name} className={server === name ? 'active' : ''} onClick={() => setServer(name)}>
            {t(`classic.server.${name}`)}
          </button>
        ))}
      </div>
      {config.data.files
        .filter((file) => file.server === server)
        .map((file) => (
          <details key={file.path} data-path={file.path} className="classic-file" open={file.path.endsWith('main.cf') || file.path.endsWith('dovecot.conf')}>
            <summary>{file.path}</summary>
            <pre>{file.content}</pre>
          </details>
        ))}
      <p className="hint">{t('classic.export')}</p>
    </Card>
  );
}
