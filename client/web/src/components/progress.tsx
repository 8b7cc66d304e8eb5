import { useT } from '../i18n/i18n.ts';
import { formatBytes, percent } from '../lib/format.ts';

export function ProgressBar({ label, loaded, total }: { label: string; loaded: number; total: number }) {
  const p = percent(loaded, total);
  const t = useT('progress');
  return (
    <div class="progress" data-testid="progress">
      <label>
        <span>
          {t('status', { label, percent: p })} {total > 0 ? t('ofTotal', { loaded: formatBytes(loaded), total: formatBytes(total) }) : ''}
        </span>
        <progress max={100} value={p} aria-valuenow={p} aria-label={label} />
      </label>
    </div>
  );
}
