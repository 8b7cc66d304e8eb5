import { useEffect, useRef, useState } from 'preact/hooks';
import type { Desk, UpdateDeskBody } from '../../../../shared/schemas/desks.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction, TableWrap } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { inboxText } from '../lib/desk-inbox.ts';

/**
 * Members, supervisors (administrators only) and the backup desk (PATCH /desks/:id). Afterwards a supervisor's
 * app makes the desk channel match the new roster (client.desks.syncDeskChannel) and says what changed.
 */
export function DeskStaffing({
  desk,
  nameOf,
  admin,
  hasInbox,
  onSaved,
  onSynced,
}: {
  desk: Desk;
  nameOf: (id: string) => string;
  admin: boolean;
  hasInbox: boolean;
  onSaved: (d: Desk) => void;
  /** After the desk channel sync (it may have rotated the intake key). */
  onSynced: () => void;
}) {
  const chat = useChat();
  const t = useT('desk-staffing');
  const [candidates, setCandidates] = useState<{ id: string; name: string }[]>([]);
  const [desks, setDesks] = useState<Desk[]>([]);
  const [members, setMembers] = useState<string[]>(desk.members);
  const [supervisors, setSupervisors] = useState<string[]>(desk.supervisors);
  const [backup, setBackup] = useState<string>(desk.backupDeskId ?? '');
  const [saved, setSaved] = useState<string | null>(null);
  const savedRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setMembers(desk.members);
    setSupervisors(desk.supervisors);
    setBackup(desk.backupDeskId ?? '');
  }, [desk.id, desk.updatedAt]);
  const [load] = useAction(async () => {
    const roster = [...new Set([...desk.supervisors, ...desk.members])];
    const found = new Map(roster.map((id) => [id, nameOf(id)]));
    if (admin) {
      for (const o of await chat.api.officers(desk.agencyId)) if (o.status === 'active') found.set(o.id, o.displayName);
    } else {
      const dir = await chat.api.directory({ limit: 100 }).catch(() => null);
      for (const e of dir?.entries ?? []) if (e.officer && e.agency.id === desk.agencyId) found.set(e.officer.id, e.officer.displayName);
    }
    setCandidates([...found].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)));
    setDesks((await chat.api.desks()).filter((d) => d.agencyId === desk.agencyId && d.id !== desk.id));
  });
  useEffect(() => void load(), [desk.id]);
  const [save, saving, error] = useAction(async () => {
    setSaved(null);
    const body: UpdateDeskBody = { members, backupDeskId: backup || null };
    if (admin) body.supervisors = supervisors;
    const d = await chat.api.updateDesk(desk.id, body);
    onSaved(d);
    let line = t('saved');
    if (hasInbox && d.supervisors.includes(chat.me.officer.id)) {
      // The desk channel is the roster: add, remove (and rotate) with this supervisor's signature.
      await chat.client.desks.settled();
      const r = await chat.client.desks.syncDeskChannel(d.id);
      if (r.rotated) onSynced();
      line = `${t('saved')} ${inboxText.synced(r.added.map(nameOf), r.removed.map(nameOf), r.rotated)}`;
    } else if (hasInbox) {
      line = `${t('saved')} ${t('syncLater')}`;
    }
    setSaved(line);
    setTimeout(() => savedRef.current?.focus(), 0);
  });
  const toggle = (list: string[], set: (v: string[]) => void, id: string, on: boolean) => set(on ? [...list, id] : list.filter((x) => x !== id));
  return (
    <section aria-labelledby="staffing-title" data-testid="desk-staffing">
      <h2 id="staffing-title">{t('title')}</h2>
      <p class="hint">{t('hint')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <TableWrap label={t('title')}>
          <table>
            <caption class="sr-only">{t('title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('officer')}</th>
                <th scope="col">{t('member')}</th>
                <th scope="col">{t('supervisor')}</th>
              </tr>
            </thead>
            <tbody>
              {candidates.map((o) => (
                <tr key={o.id}>
                  <th scope="row">{o.name}</th>
                  <td>
                    <input type="checkbox" aria-label={t('isMember', { name: o.name })} checked={members.includes(o.id)} onChange={(e) => toggle(members, setMembers, o.id, e.currentTarget.checked)} />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('isSupervisor', { name: o.name })}
                      checked={supervisors.includes(o.id)}
                      disabled={!admin}
                      onChange={(e) => toggle(supervisors, setSupervisors, o.id, e.currentTarget.checked)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {!admin && <p class="hint">{`${t('supervisorsAdminOnly')} ${t('candidatesHint')}`}</p>}
        <div class="field">
          <label class="field-label" for="backup-desk">
            {t('backup')}
          </label>
          <select id="backup-desk" value={backup} onChange={(e) => setBackup(e.currentTarget.value)} aria-describedby="backup-desk-hint">
            <option value="">{t('noBackup')}</option>
            {desk.backupDeskId && !desks.some((d) => d.id === desk.backupDeskId) && <option value={desk.backupDeskId}>{desk.backupDeskId}</option>}
            {desks.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          <small id="backup-desk-hint" class="hint">
            {t('backupHint')}
          </small>
        </div>
        <button type="submit" disabled={saving}>
          {saving ? t('saving') : t('save')}
        </button>
        <ErrorBox error={error} />
        <div role="status" aria-live="polite" tabIndex={-1} ref={savedRef} data-testid="staffing-result">
          {saved && <p class="notice notice-ok">{saved}</p>}
        </div>
      </form>
    </section>
  );
}
