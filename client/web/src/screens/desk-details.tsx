import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { SPECIALISATIONS, type Specialisation } from '../../../../shared/directory/vocabulary.ts';
import type { Desk } from '../../../../shared/schemas/desks.ts';
import { useChat } from '../app-context.ts';
import { CheckboxGroup, ErrorBox, Field, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { changedDetails, knownSpecialisations, splitList } from '../lib/desk-details.ts';
import { browserTimeZone, supportedTimeZones, timeZoneOptions } from '../lib/zones.ts';

/** Supervisors and administrators edit the desk's name, 24/7 phone, time zone, specialisations and languages (PATCH /desks/:id). */
export function DeskDetailsEditor({ desk, onSaved }: { desk: Desk; onSaved: (d: Desk) => void }) {
  const chat = useChat();
  const t = useT('desk-details');
  const [name, setName] = useState(desk.name);
  const [phone, setPhone] = useState(desk.phone);
  const [timeZone, setTimeZone] = useState(desk.timeZone);
  const [specialisations, setSpecialisations] = useState<Specialisation[]>(knownSpecialisations(desk.specialisations));
  const [languages, setLanguages] = useState(desk.languages.join(', '));
  const [status, setStatus] = useState('');
  const statusRef = useRef<HTMLParagraphElement>(null);
  const zones = useMemo(() => timeZoneOptions(supportedTimeZones(), browserTimeZone(), timeZone), [timeZone]);
  useEffect(() => {
    setName(desk.name);
    setPhone(desk.phone);
    setTimeZone(desk.timeZone);
    setSpecialisations(knownSpecialisations(desk.specialisations));
    setLanguages(desk.languages.join(', '));
  }, [desk.id]);
  const [save, saving, error] = useAction(async () => {
    setStatus('');
    const body = changedDetails({ ...desk, specialisations: knownSpecialisations(desk.specialisations) }, {
      name: name.trim(),
      phone: phone.trim(),
      timeZone,
      specialisations,
      languages: splitList(languages),
    });
    if (body === null) {
      setStatus(t('unchanged'));
    } else {
      const d = await chat.api.updateDesk(desk.id, body);
      onSaved(d);
      // The server canonicalises (E.164 phone, language tags): show what it stored.
      setPhone(d.phone);
      setLanguages(d.languages.join(', '));
      setStatus(t('saved'));
    }
    setTimeout(() => statusRef.current?.focus(), 0);
  });
  return (
    <section aria-labelledby="desk-details-title">
      <h2 id="desk-details-title">{t('title')}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label={t('name')} name="desk-details-name" required minLength={2} maxLength={160} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field label={t('phone')} name="desk-details-phone" type="tel" required minLength={8} maxLength={32} hint={t('phoneHint')} value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
        <div class="field">
          <label class="field-label" for="desk-details-zone">
            {t('timeZone')}
          </label>
          <select id="desk-details-zone" value={timeZone} onChange={(e) => setTimeZone(e.currentTarget.value)} aria-describedby="desk-details-zone-hint">
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
          <small id="desk-details-zone-hint" class="hint">
            {t('timeZoneHint')}
          </small>
        </div>
        <CheckboxGroup legend={t('specialisations')} options={SPECIALISATIONS} selected={specialisations} onChange={setSpecialisations} />
        <Field label={t('languages')} name="desk-details-languages" hint={t('languagesHint')} value={languages} onInput={(e) => setLanguages(e.currentTarget.value)} />
        <button type="submit" disabled={saving}>
          {saving ? t('saving') : t('save')}
        </button>
      </form>
      <p role="status" aria-live="polite" tabIndex={-1} ref={statusRef}>
        {status}
      </p>
      <ErrorBox error={error} />
    </section>
  );
}
