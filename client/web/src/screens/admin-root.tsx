import { useEffect, useState } from 'preact/hooks';
import type { Officer } from '../../../../shared/schemas/accounts.ts';
import type { RootSet } from '../../../../shared/crypto/index.ts';
import { constantTimeEqual } from '../../../../shared/crypto/index.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Notice, submitHandler, useAction } from '../components/form.tsx';
import { useT } from '../i18n/i18n.ts';
import { useObservable } from '../state/observable.ts';

interface RootView {
  current: RootSet;
  proposal: { rootSet: RootSet; proposedBy: string } | null;
}

/**
 * The agency root set (PROTOCOL.md §4.4): who may certify, how many administrators must agree to change
 * that, the pending proposal with its signatures, and a form to propose the next set.
 */
export function AdminRoot() {
  const chat = useChat();
  const names = useObservable(chat.names);
  const [view, setView] = useState<RootView | null>(null);
  const [admins, setAdmins] = useState<Officer[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [threshold, setThreshold] = useState(1);
  const [done, setDone] = useState<string | null>(null);
  const me = chat.me.officer;
  const t = useT('admin-root');
  const name = (id: string) => names[id] ?? admins.find((o) => o.id === id)?.displayName ?? id;

  const [load, , loadError] = useAction(async () => {
    const [root, officers] = await Promise.all([chat.client.agencyRootSet(), chat.api.officers(chat.me.agency.id)]);
    setView(root);
    const active = officers.filter((o) => o.role !== 'officer' && o.status === 'active');
    setAdmins(active);
    setChosen(root.current.members.map((m) => m.officerId));
    setThreshold(root.current.threshold);
  });
  useEffect(() => void load(), []);

  const [propose, proposing, proposeError] = useAction(async () => {
    const res = await chat.client.proposeRootSet(chosen, threshold);
    setDone(res.applied ? t('inForce', { version: res.version }) : t('proposed', { version: res.version, signatures: res.signatures, threshold: res.threshold }));
    await load();
  });
  const [approve, approving, approveError] = useAction(async () => {
    const res = await chat.client.approveRootSet();
    if (res) setDone(res.applied ? t('inForce', { version: res.version }) : t('signed', { signatures: res.signatures, threshold: res.threshold }));
    await load();
  });

  if (!view) return <ErrorBox error={loadError} />;
  const { current, proposal } = view;
  const inSet = current.members.some((m) => m.officerId === me.id);
  const myKey = current.members.find((m) => m.officerId === me.id)?.signPublicKey;
  const signedByMe = !!proposal && !!myKey && proposal.rootSet.signatures.some((s) => constantTimeEqual(s.signPublicKey, myKey));

  return (
    <section aria-labelledby="root-title">
      <h2 id="root-title">{t('title')}</h2>
      <p>{t('intro', { threshold: current.threshold, members: current.members.length })}</p>
      <table>
        <caption>{t('caption', { version: current.version, threshold: current.threshold, members: current.members.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('colAdministrator')}</th>
          </tr>
        </thead>
        <tbody>
          {current.members.map((m) => (
            <tr key={m.officerId} data-testid="root-member">
              <td>
                {name(m.officerId)}
                {!admins.some((o) => o.id === m.officerId) && <strong>{t('noLongerAdmin')}</strong>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {done && <Notice kind="ok">{done}</Notice>}
      {proposal && (
        <div class="notice notice-warn" data-testid="root-proposal">
          <p>
            <strong>{t('pendingVersion', { version: proposal.rootSet.version })}</strong>
            {t('pendingDetail', {
              by: name(proposal.proposedBy),
              members: proposal.rootSet.members.map((m) => name(m.officerId)).join(', '),
              threshold: proposal.rootSet.threshold,
              total: proposal.rootSet.members.length,
              signatures: proposal.rootSet.signatures.length,
              needed: current.threshold,
            })}
          </p>
          {inSet && !signedByMe && (
            <button type="button" disabled={approving} onClick={() => void approve()}>
              {t('checkAndSign')}
            </button>
          )}
          <ErrorBox error={approveError} />
        </div>
      )}
      {inSet ? (
        <form class="card inline-form" onSubmit={submitHandler(() => void propose())} aria-label={t('proposeTitle')}>
          <h3>{t('proposeTitle')}</h3>
          <fieldset>
            <legend>{t('newSetMembers')}</legend>
            {admins.map((o) => (
              <label key={o.id} class="checkbox">
                <input
                  type="checkbox"
                  name="root-member"
                  checked={chosen.includes(o.id)}
                  onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, o.id] : chosen.filter((x) => x !== o.id))}
                />{' '}
                {o.displayName}
              </label>
            ))}
          </fieldset>
          <label class="field">
            <span class="field-label">{t('thresholdLabel')}</span>
            <input type="number" name="root-threshold" min={1} max={Math.max(1, chosen.length)} value={threshold} onInput={(e) => setThreshold(Number(e.currentTarget.value))} />
          </label>
          <button type="submit" disabled={proposing || chosen.length === 0}>
            {t('propose')}
          </button>
          <ErrorBox error={proposeError} />
        </form>
      ) : (
        <p>{t('onlyMembers')}</p>
      )}
    </section>
  );
}
