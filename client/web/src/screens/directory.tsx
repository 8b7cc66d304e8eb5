import { useEffect, useState } from 'preact/hooks';
import type { DirectoryEntry } from '../../../../shared/schemas/directory.ts';
import { SPECIALISATIONS } from '../../../../shared/directory/vocabulary.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Notice, submitHandler, useAction } from '../components/form.tsx';
import { LiaisonClientError } from '../../../sdk/errors.ts';
import { formatDate, formatDateTime, groupFingerprint } from '../lib/format.ts';
import { availabilitySummary, scheduleLines } from '../lib/schedule.ts';
import { errorCode } from '../lib/errors.ts';
import type { ChatData } from '../state/chat.ts';

const AGENCY_KINDS = ['ncb', 'police', 'customs', 'border', 'prosecutor', 'fiu', 'other'] as const;

/** Opens the existing direct channel with the entry's officer, or a new one under a covering agreement. */
export async function contactEntry(chat: ChatData, entry: DirectoryEntry): Promise<string> {
  const officerId = entry.officer?.id;
  if (!officerId) throw new LiaisonClientError('directory/desk', 'This entry is a rota desk without a linked officer: use its phone number.');
  if (officerId === chat.me.officer.id) throw new LiaisonClientError('directory/self', 'This is your own entry.');
  chat.learnNames({ [officerId]: entry.officer!.displayName });
  const existing = chat.channels.get().find((c) => c.kind === 'direct' && c.members.some((m) => m.officerId === officerId));
  if (existing) return existing.id;
  let agreementId: string | null = null;
  if (entry.agency.id !== chat.me.agency.id) {
    await chat.refreshAgreements();
    const covering = chat.agreements.get().find((a) => a.status === 'active' && a.parties.some((p) => p.agencyId === chat.me.agency.id) && a.parties.some((p) => p.agencyId === entry.agency.id));
    if (!covering) throw new LiaisonClientError('directory/no-agreement', `There is no active agreement between your agency and ${entry.agency.name}. Ask your administrator to propose one.`);
    agreementId = covering.id;
  }
  const ch = await chat.client.createChannel({ kind: 'direct', agreementId, title: `${chat.me.officer.displayName} ↔ ${entry.officer!.displayName}`, members: [officerId], policy: { minimum: 'TLP:GREEN' } });
  await chat.refreshChannels();
  return ch.id;
}

export function DirectoryScreen({ entryId }: { entryId: string | null }) {
  const chat = useChat();
  const [q, setQ] = useState('');
  const [country, setCountry] = useState('');
  const [specialisation, setSpecialisation] = useState('');
  const [language, setLanguage] = useState('');
  const [agencyKind, setAgencyKind] = useState('');
  const [availableNow, setAvailableNow] = useState(false);
  const [entries, setEntries] = useState<DirectoryEntry[] | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [search, searching, error] = useAction(async () => {
    try {
      const page = await chat.api.directory({
        q: q.trim() || undefined,
        country: country.trim().toUpperCase() || undefined,
        specialisation: (specialisation || undefined) as DirectoryEntry['specialisations'][number] | undefined,
        language: language.trim().toLowerCase() || undefined,
        agencyKind: (agencyKind || undefined) as DirectoryEntry['agency']['kind'] | undefined,
        availableNow: availableNow || undefined,
        limit: 50,
      });
      setEntries(page.entries);
      chat.learnNames(Object.fromEntries(page.entries.filter((e) => e.officer).map((e) => [e.officer!.id, e.officer!.displayName])));
    } catch (err) {
      if (errorCode(err) === 'not_found' || errorCode(err) === 'http_404') setUnavailable(true);
      else throw err;
    }
  });
  useEffect(() => void search(), [availableNow]);
  if (unavailable) return <Notice kind="warn">The directory is unavailable on this server right now.</Notice>;
  return (
    <div class={`split ${entryId ? 'has-detail' : ''}`}>
      <section class="list-pane" aria-label="Directory search">
        <h1>Directory</h1>
        <form class="filters" role="search" onSubmit={submitHandler(() => void search())}>
          <label class="field">
            <span class="field-label">Search</span>
            <input type="search" name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="Name, desk, agency…" />
          </label>
          <label class="field">
            <span class="field-label">Country</span>
            <input name="country" value={country} maxLength={2} onInput={(e) => setCountry(e.currentTarget.value)} placeholder="PT" />
          </label>
          <label class="field">
            <span class="field-label">Specialisation</span>
            <select name="specialisation" value={specialisation} onChange={(e) => setSpecialisation(e.currentTarget.value)}>
              <option value="">Any</option>
              {SPECIALISATIONS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field-label">Language</span>
            <input name="language" value={language} maxLength={2} onInput={(e) => setLanguage(e.currentTarget.value)} placeholder="en" />
          </label>
          <label class="field">
            <span class="field-label">Agency kind</span>
            <select name="agencyKind" value={agencyKind} onChange={(e) => setAgencyKind(e.currentTarget.value)}>
              <option value="">Any</option>
              {AGENCY_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" name="availableNow" checked={availableNow} onChange={(e) => setAvailableNow(e.currentTarget.checked)} />
            Available now
          </label>
          <button type="submit" disabled={searching}>
            Search
          </button>
        </form>
        <ErrorBox error={error} />
        {entries && entries.length === 0 && <p class="empty">No contact points match.</p>}
        <ul class="entry-list">
          {entries?.map((e) => (
            <li key={e.id}>
              <a href={`#/directory/${e.id}`} aria-current={e.id === entryId ? 'page' : undefined} data-testid="directory-entry">
                <span class="title">
                  {e.title}
                  {e.officer ? ` — ${e.officer.displayName}` : ''}
                </span>
                <span class="meta">
                  {e.agency.name} · {e.country} · {e.availableNow ? 'available now' : 'off duty'}
                  {e.stale ? ' · not confirmed recently' : ''}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section class="detail-pane">{entryId ? <EntryDetail key={entryId} id={entryId} /> : <p class="empty">Choose a contact point.</p>}</section>
    </div>
  );
}

function EntryDetail({ id }: { id: string }) {
  const chat = useChat();
  const [data, setData] = useState<{ entry: DirectoryEntry; nextChange: { at: number; available: boolean } | null } | null>(null);
  const [load, , loadError] = useAction(async () => setData(await chat.api.directoryEntry(id)));
  const [contact, contacting, contactError] = useAction(async () => {
    location.hash = `#/channels/${await contactEntry(chat, data!.entry)}`;
  });
  useEffect(() => void load(), [id]);
  if (loadError) return <ErrorBox error={loadError} />;
  if (!data) return <p aria-busy="true">Loading…</p>;
  const e = data.entry;
  return (
    <article class="card entry" aria-labelledby="entry-title">
      <a class="back" href="#/directory">
        ← Directory
      </a>
      <h2 id="entry-title">{e.title}</h2>
      <dl>
        <dt>Agency</dt>
        <dd>
          {e.agency.name} ({e.agency.kind}, {e.agency.country}){e.agency.sponsor ? `, sponsored by ${e.agency.sponsor.name}` : ''}
        </dd>
        {e.officer && (
          <>
            <dt>Officer</dt>
            <dd>{e.officer.displayName}</dd>
            <dt>Key fingerprint</dt>
            <dd>
              <code class="fingerprint" data-testid="fingerprint">
                {e.officer.fingerprint ? groupFingerprint(e.officer.fingerprint) : 'no keys yet'}
              </code>
            </dd>
          </>
        )}
        <dt>Availability</dt>
        <dd>
          <strong>{e.availableNow ? 'Available now' : 'Off duty now'}</strong>
          {data.nextChange && ` — ${data.nextChange.available ? 'on duty' : 'off duty'} from ${formatDateTime(data.nextChange.at)}`}
          {e.availability.kind === 'schedule' ? (
            <ul class="schedule" aria-label={availabilitySummary(e.availability)}>
              {scheduleLines(e.availability).map((l) => (
                <li key={l}>{l}</li>
              ))}
              <li class="hint">Times in {e.availability.timeZone}</li>
            </ul>
          ) : (
            <span> (24/7)</span>
          )}
        </dd>
        <dt>Specialisations</dt>
        <dd>{e.specialisations.join(', ') || '—'}</dd>
        <dt>Languages</dt>
        <dd>{e.languages.join(', ')}</dd>
        {e.phone && (
          <>
            <dt>Phone</dt>
            <dd>{e.phone}</dd>
          </>
        )}
        {e.notes && (
          <>
            <dt>Notes</dt>
            <dd>{e.notes}</dd>
          </>
        )}
        <dt>Last confirmed</dt>
        <dd>
          {formatDate(e.lastConfirmedAt)}
          {e.stale && <span class="tag warn"> stale</span>}
        </dd>
      </dl>
      {e.officer && e.officer.id !== chat.me.officer.id && (
        <button type="button" disabled={contacting} onClick={() => void contact()}>
          Contact {e.officer.displayName}
        </button>
      )}
      <ErrorBox error={contactError} />
    </article>
  );
}
