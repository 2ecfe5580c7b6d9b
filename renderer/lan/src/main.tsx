import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from './i18n/index.js';
import { LandingPage } from './LandingPage.js';
import '../../src/palette.css';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <LandingPage />
    </I18nProvider>
  </StrictMode>,
);
