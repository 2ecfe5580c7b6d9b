// The window: the token from the address, the page list on the left, the chosen page on the
// right; the first-run wizard until it is done; the live connection's state always visible.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SetupStateResponse } from '../../server/admin/contract/index.js';
import { asApiError, createApi, takeToken, type ApiError } from './api.js';
import { AppContext, type AppContextValue } from './context.js';
import { LanguageSelect } from './components/LanguageSelect.js';
import { useI18n } from './i18n/index.js';
import type { MessageKey } from './i18n/en.js';
import { DiskBanner } from './components/DiskBanner.js';
import { LiveConnection, type LiveState } from './live.js';
import { BackupPage } from './pages/Backup.js';
import { CertificatesPage } from './pages/Certificates.js';
import { ClientSetupPage } from './pages/ClientSetup.js';
import { DnsPage } from './pages/Dns.js';
import { FirewallPage } from './pages/Firewall.js';
import { ClassroomPage } from './pages/Classroom.js';
import { InspectorPage } from './pages/Inspector.js';
import { LogsPage } from './pages/Logs.js';
import { MessagePathPage } from './pages/MessagePath.js';
import { OverviewPage } from './pages/Overview.js';
import { QueuePage } from './pages/Queue.js';
import { SettingsPage } from './pages/Settings.js';
import { UsersPage } from './pages/Users.js';
import { Wizard } from './pages/Wizard.js';
import { FirstStartBanner } from './pages/FirstStart.js';
import { useViewOptions, ViewOptionsProvider } from './view-options.js';

interface PageEntry {
  id: string;
  label: MessageKey;
  render: () => React.ReactNode;
}

const PAGES: PageEntry[] = [
  { id: 'overview', label: 'nav.overview', render: () => <OverviewPage /> },
  { id: 'settings', label: 'nav.settings', render: () => <SettingsPage /> },
  { id: 'dns', label: 'nav.dns', render: () => <DnsPage /> },
  { id: 'users', label: 'nav.users', render: () => <UsersPage /> },
  { id: 'certificates', label: 'nav.certificates', render: () => <CertificatesPage /> },
  { id: 'firewall', label: 'nav.firewall', render: () => <FirewallPage /> },
  { id: 'queue', label: 'nav.queue', render: () => <QueuePage /> },
  { id: 'backup', label: 'nav.backup', render: () => <BackupPage /> },
  { id: 'inspector', label: 'nav.inspector', render: () => <InspectorPage /> },
  { id: 'paths', label: 'nav.paths', render: () => <MessagePathPage /> },
  { id: 'classroom', label: 'nav.classroom', render: () => <ClassroomPage /> },
  { id: 'client-setup', label: 'nav.clientSetup', render: () => <ClientSetupPage /> },
  { id: 'logs', label: 'nav.logs', render: () => <LogsPage /> },
];

function pageFromHash(): string {
  const id = /^#\/([\w-]+)/.exec(window.location.hash)?.[1];
  return PAGES.some((p) => p.id === id) ? id! : 'overview';
}

export function App() {
  const { t } = useI18n();
  const [token] = useState(takeToken);
  if (!token) {
    return (
      <main className="no-token">
        <h1>LanPost</h1>
        <p>{t('app.noToken')}</p>
        <pre>lanpost serve</pre>
      </main>
    );
  }
  return (
    <ViewOptionsProvider>
      <Window token={token} />
    </ViewOptionsProvider>
  );
}

function Window({ token }: { token: string }) {
  const { t, language, setLanguage } = useI18n();
  const { projector } = useViewOptions();
  const api = useMemo(() => createApi(token), [token]);
  const live = useMemo(() => new LiveConnection(token), [token]);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const [page, setPage] = useState(pageFromHash);
  const [toast, setToast] = useState<string | null>(null);
  const [setup, setSetup] = useState<SetupStateResponse | null>(null);
  const [setupError, setSetupError] = useState<ApiError | null>(null);

  const tokenAccepted = setup !== null;
  useEffect(() => {
    if (!tokenAccepted) return;
    const off = live.onState(setLiveState);
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live, tokenAccepted]);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const loadSetup = useCallback(() => {
    api.call('GET /api/setup').then(
      (value) => {
        setSetup(value);
        setSetupError(null);
      },
      (error: unknown) => setSetupError(asApiError(error)),
    );
  }, [api]);
  useEffect(loadSetup, [loadSetup]);

  const context: AppContextValue = useMemo(
    () => ({
      api,
      live,
      notify: (message) => {
        setToast(message);
        window.setTimeout(() => setToast((current) => (current === message ? null : current)), 4000);
      },
      navigate: (id) => {
        window.location.hash = `#/${id}`;
      },
    }),
    [api, live],
  );

  if (setupError && !setup) {
    return (
      <main className="no-token">
        <h1>LanPost</h1>
        <p role="alert">{setupError.status === 401 ? t('app.badToken') : t('common.loadFailed', { reason: setupError.message })}</p>
      </main>
    );
  }
  if (!setup) return <p className="loading">{t('common.loading')}</p>;

  const current = PAGES.find((p) => p.id === page) ?? PAGES[0]!;
  return (
    <AppContext.Provider value={context}>
      {!setup.setupDone ? (
        <Wizard setup={setup} onDone={loadSetup} />
      ) : (
        <div className={projector ? 'layout projector' : 'layout'}>
          <nav className="sidebar" aria-label={t('nav.label')}>
            <div className="brand">
              <span className="logo" aria-hidden="true">✉</span> LanPost
            </div>
            <ul>
              {PAGES.map((entry) => (
                <li key={entry.id}>
                  <a href={`#/${entry.id}`} aria-current={entry.id === current.id ? 'page' : undefined}>
                    {t(entry.label)}
                  </a>
                </li>
              ))}
            </ul>
            <div className="sidebar-footer">
              <LanguageSelect label={t('app.language')} language={language} onChange={setLanguage} />
              <p className={`live-state ${liveState}`} role="status">
                <span className="dot" aria-hidden="true" /> {t(`live.${liveState}`)}
              </p>
            </div>
          </nav>
          <main className="content">
            <DiskBanner />
            {setup.firstStart && <FirstStartBanner first={setup.firstStart} onSeen={loadSetup} />}
            {current.render()}
          </main>
        </div>
      )}
      {toast && (
        <div className="toast" role="status">
          {toast}
        </div>
      )}
    </AppContext.Provider>
  );
}
