// Domain & settings: the Postfix/Dovecot-like settings with one-line explanations.
import { SettingsForm } from '../components/SettingsForm.js';
import { Page } from '../components/ui.js';
import { useI18n } from '../i18n/index.js';
import { GROUPS } from '../logic/settings-fields.js';

export function SettingsPage() {
  const { t } = useI18n();
  return (
    <Page title={t('nav.settings')} intro={t('settings.intro')}>
      <SettingsForm groups={GROUPS} />
    </Page>
  );
}
