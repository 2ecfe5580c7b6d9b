// A form over groups of settings (logic/settings-fields.ts): each field with its label and one-line
// help, only changed values sent, a refused value shown next to its field and nothing saved.
// The Domain & settings page shows every group; the Backup page its own.
import { useEffect, useState, type FormEvent } from 'react';
import { Button, Card, Field, Loading, Notice } from './ui.js';
import { useApp, useLive, useResource, useSubmit } from '../context.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/index.js';
import { fromText, toText, valueAt, type FieldSpec, type SettingsGroup } from '../logic/settings-fields.js';

export function SettingsForm({ groups, onSaved }: { groups: SettingsGroup[]; onSaved?: () => void }) {
  const { t } = useI18n();
  const { api, notify } = useApp();
  const resource = useResource('GET /api/settings');
  const [draft, setDraft] = useState<Record<string, string>>({});
  const { busy, error, setError, run } = useSubmit();
  useLive((e) => e.type === 'settings' && !Object.keys(draft).length && resource.reloadSoon());
  useEffect(() => setDraft({}), [resource.data]);
  const settings = resource.data?.settings;
  if (!settings) return <Loading error={resource.error} />;

  const all = groups.flatMap((g) => g.fields);
  const text = (spec: FieldSpec) => draft[spec.key] ?? toText(valueAt(settings, spec.key), spec.kind);
  const changed = all.filter((spec) => draft[spec.key] !== undefined && JSON.stringify(fromText(draft[spec.key]!, spec.kind)) !== JSON.stringify(valueAt(settings, spec.key)));

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!changed.length) return;
    void run(async () => {
      await api.call('PATCH /api/settings', { body: { changes: changed.map((spec) => ({ key: spec.key, value: fromText(draft[spec.key]!, spec.kind) })) } });
      notify(t('settings.saved'));
      resource.reload();
      onSaved?.();
    });
  };

  return (
    <form onSubmit={save} noValidate>
      {error && <Notice tone="bad">{t('settings.notSaved')}</Notice>}
      {groups.map((group) => (
        <Card key={group.title} title={t(group.title)}>
          <div className="field-grid">
            {group.fields.map((spec) => {
              const label = t(`setting.${spec.key}` as MessageKey);
              const help = t(`setting.${spec.key}.help` as MessageKey);
              const set = (value: string) => setDraft({ ...draft, [spec.key]: value });
              return (
                <Field key={spec.key} label={label} help={help} error={error?.reasonFor(spec.key)}>
                  {(props) =>
                    spec.kind === 'list' ? (
                      <textarea {...props} rows={Math.max(2, text(spec).split('\n').length + 1)} value={text(spec)} onChange={(e) => set(e.target.value)} spellCheck={false} />
                    ) : spec.kind === 'boolean' ? (
                      <select {...props} value={text(spec)} onChange={(e) => set(e.target.value)}>
                        <option value="true">{t('common.yes')}</option>
                        <option value="false">{t('common.no')}</option>
                      </select>
                    ) : typeof spec.kind === 'object' ? (
                      <select {...props} value={text(spec)} onChange={(e) => set(e.target.value)}>
                        {spec.kind.options.map((o) => (
                          <option key={o} value={o}>
                            {t(`setting.${spec.key}.${o}` as MessageKey)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        {...props}
                        type={spec.kind === 'secret' ? 'password' : 'text'}
                        autoComplete={spec.kind === 'secret' ? 'new-password' : 'off'}
                        inputMode={spec.kind === 'number' ? 'numeric' : undefined}
                        value={text(spec)}
                        onChange={(e) => set(e.target.value)}
                        spellCheck={false}
                      />
                    )
                  }
                </Field>
              );
            })}
          </div>
        </Card>
      ))}
      <div className="sticky-actions">
        <span className="muted">{changed.length ? t('settings.changed', { count: changed.length }) : t('settings.unchanged')}</span>
        <Button
          onClick={() => {
            setDraft({});
            setError(null);
          }}
          disabled={!changed.length || busy}
        >
          {t('common.discard')}
        </Button>
        <Button kind="primary" type="submit" disabled={!changed.length || busy}>
          {busy ? t('common.saving') : t('common.save')}
        </Button>
      </div>
    </form>
  );
}
