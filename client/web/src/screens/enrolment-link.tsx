import type { Enrolment } from '../../../../shared/schemas/accounts.ts';
import { formatDateTime } from '../lib/format.ts';

/** A freshly issued one-time link: shown once, to hand over through a trusted channel. */
export function EnrolmentLink({ who, enrolment }: { who: string; enrolment: Enrolment }) {
  return (
    <div class="notice notice-ok" role="status">
      <p>
        Enrolment link for <strong>{who}</strong> (single use, valid until {formatDateTime(enrolment.expiresAt)}). Hand it over in person or by a trusted
        channel; it is shown only now.
      </p>
      <code class="link-box" data-testid="enrolment-link">
        {enrolment.link}
      </code>
      <button type="button" class="secondary" onClick={() => void navigator.clipboard?.writeText(enrolment.link)}>
        Copy
      </button>
    </div>
  );
}
