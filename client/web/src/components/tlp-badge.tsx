import { useT } from '../i18n/i18n.ts';
import { TLP_STYLES, type HandlingCode } from '../lib/tlp.ts';

export function TlpBadge({ code }: { code: HandlingCode }) {
  const t = useT('tlp');
  const s = TLP_STYLES[code];
  return (
    <span
      class="tlp"
      data-tlp={code}
      title={s.meaning}
      tabIndex={0}
      aria-label={t('badgeLabel', { label: s.label, meaning: s.meaning })}
      style={{ color: s.color, background: s.background, borderColor: s.border }}
    >
      {s.label}
    </span>
  );
}
