import { Fragment, type ComponentChildren } from 'preact';
import type { Enrolment } from '../../../../shared/schemas/accounts.ts';
import { useT, type TFunction } from '../i18n/i18n.ts';
import { formatDateTime } from '../lib/format.ts';

/**
 * A translated sentence with markup inside it ("Signed in as <strong>{{name}}</strong>"): the values
 * given here are elements, placed where the translation puts their `{{placeholder}}`.
 */
export function tRich(t: TFunction, key: string, nodes: Record<string, ComponentChildren>, values: Record<string, unknown> = {}): ComponentChildren {
  const marks = Object.fromEntries(Object.keys(nodes).map((k) => [k, `\uE000${k}\uE000`]));
  const parts = t(key, { ...values, ...marks }).split(/\uE000(\w+)\uE000/);
  return parts.map((part, i) => <Fragment key={i}>{i % 2 ? nodes[part] : part}</Fragment>);
}

/** A freshly issued one-time link: shown once, to hand over through a trusted channel. */
export function EnrolmentLink({ who, enrolment }: { who: string; enrolment: Enrolment }) {
  const t = useT('enrolment-link');
  return (
    <div class="notice notice-ok" role="status">
      <p>{tRich(t, 'linkFor', { who: <strong>{who}</strong> }, { until: formatDateTime(enrolment.expiresAt) })}</p>
      <code class="link-box" data-testid="enrolment-link">
        {enrolment.link}
      </code>
      <button type="button" class="secondary" onClick={() => void navigator.clipboard?.writeText(enrolment.link)}>
        {t('copy')}
      </button>
    </div>
  );
}
