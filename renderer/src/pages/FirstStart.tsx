// The admin mailbox's first password, shown in the window once (until "I have noted it").
import { useState } from 'react';
import { Button, Notice } from '../components/ui.js';
import { useApp } from '../context.js';
import { useI18n } from '../i18n/index.js';

export function FirstStartBanner({ first, onSeen }: { first: { address: string; password: string }; onSeen(): void }) {
  const { t } = useI18n();
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Notice tone="warn">
      <p>{t('first.banner', { address: first.address })}</p>
      <p className="secret">
        <code>{first.password}</code>
      </p>
      <p>{t('first.once')}</p>
      <Button
        kind="primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          api.call('POST /api/setup/first-start-seen').finally(onSeen);
        }}
      >
        {t('first.noted')}
      </Button>
    </Notice>
  );
}
