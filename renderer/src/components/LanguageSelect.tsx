import { useId } from 'react';
import { LANGUAGES, type Language } from '../i18n/create.js';

/** English or 简体中文; the window and the LAN landing page each pass their own label and language. */
export function LanguageSelect({ label, language, onChange }: { label: string; language: Language; onChange(language: Language): void }) {
  const id = useId();
  return (
    <div className="language-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={language} onChange={(e) => onChange(e.target.value as Language)}>
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </div>
  );
}
