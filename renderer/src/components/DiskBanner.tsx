// Above every page while the data folder's disk is below the free-space floor: new mail is
// refused until space is freed, and the admin must know it whatever page is open.
import { useLive, useResource } from '../context.js';
import { useI18n } from '../i18n/index.js';
import { Notice } from './ui.js';

const MB = 1024 * 1024;

export function DiskBanner() {
  const { t } = useI18n();
  const status = useResource('GET /api/status');
  useLive((event) => {
    if (event.type === 'disk' || event.type === 'settings') status.reloadSoon();
  });
  const disk = status.data?.disk;
  if (!disk?.low) return null;
  return (
    <Notice tone="bad">
      <p>{t('disk.low', { free: Math.floor((disk.freeBytes ?? 0) / MB), floor: Math.floor(disk.floorBytes / MB) })}</p>
      <p>{t('disk.fix')}</p>
    </Notice>
  );
}
