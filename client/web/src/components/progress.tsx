import { formatBytes, percent } from '../lib/format.ts';

export function ProgressBar({ label, loaded, total }: { label: string; loaded: number; total: number }) {
  const p = percent(loaded, total);
  return (
    <div class="progress" data-testid="progress">
      <label>
        <span>
          {label} — {p} % {total > 0 ? `(${formatBytes(loaded)} of ${formatBytes(total)})` : ''}
        </span>
        <progress max={100} value={p} aria-valuenow={p} aria-label={label} />
      </label>
    </div>
  );
}
