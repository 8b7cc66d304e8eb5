import { useEffect, useState } from 'preact/hooks';
import type { Officer } from '../../../../shared/schemas/accounts.ts';
import type { RootSet } from '../../../../shared/crypto/index.ts';
import { constantTimeEqual } from '../../../../shared/crypto/index.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, Notice, submitHandler, useAction } from '../components/form.tsx';
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
    setDone(res.applied ? `Root set version ${res.version} is now in force.` : `Proposed version ${res.version}: ${res.signatures} of ${res.threshold} signatures so far.`);
    await load();
  });
  const [approve, approving, approveError] = useAction(async () => {
    const res = await chat.client.approveRootSet();
    if (res) setDone(res.applied ? `Root set version ${res.version} is now in force.` : `Signed: ${res.signatures} of ${res.threshold} signatures.`);
    await load();
  });

  if (!view) return <ErrorBox error={loadError} />;
  const { current, proposal } = view;
  const inSet = current.members.some((m) => m.officerId === me.id);
  const myKey = current.members.find((m) => m.officerId === me.id)?.signPublicKey;
  const signedByMe = !!proposal && !!myKey && proposal.rootSet.signatures.some((s) => constantTimeEqual(s.signPublicKey, myKey));

  return (
    <section aria-labelledby="root-title">
      <h2 id="root-title">Agency root</h2>
      <p>
        These administrators’ keys certify your agency’s officers. Changing this list needs {current.threshold} of {current.members.length} of them to
        sign, so no single administrator can move it.
      </p>
      <table>
        <caption>
          Root set version {current.version}: {current.threshold} of {current.members.length} signatures to change it
        </caption>
        <thead>
          <tr>
            <th scope="col">Administrator</th>
          </tr>
        </thead>
        <tbody>
          {current.members.map((m) => (
            <tr key={m.officerId} data-testid="root-member">
              <td>
                {name(m.officerId)}
                {!admins.some((o) => o.id === m.officerId) && <strong> — no longer an active administrator: propose a set without them</strong>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {done && <Notice kind="ok">{done}</Notice>}
      {proposal && (
        <div class="notice notice-warn" data-testid="root-proposal">
          <p>
            <strong>Pending: version {proposal.rootSet.version}</strong>, proposed by {name(proposal.proposedBy)} —{' '}
            {proposal.rootSet.members.map((m) => name(m.officerId)).join(', ')}; {proposal.rootSet.threshold} of {proposal.rootSet.members.length} to change it
            later. Signatures: {proposal.rootSet.signatures.length} of {current.threshold}.
          </p>
          {inSet && !signedByMe && (
            <button type="button" disabled={approving} onClick={() => void approve()}>
              Check and sign
            </button>
          )}
          <ErrorBox error={approveError} />
        </div>
      )}
      {inSet ? (
        <form class="card inline-form" onSubmit={submitHandler(() => void propose())} aria-label="Propose a new root set">
          <h3>Propose a new root set</h3>
          <fieldset>
            <legend>Administrators in the new set</legend>
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
            <span class="field-label">Signatures needed to change it later</span>
            <input type="number" name="root-threshold" min={1} max={Math.max(1, chosen.length)} value={threshold} onInput={(e) => setThreshold(Number(e.currentTarget.value))} />
          </label>
          <button type="submit" disabled={proposing || chosen.length === 0}>
            Propose
          </button>
          <ErrorBox error={proposeError} />
        </form>
      ) : (
        <p>Only administrators in the root set propose or sign a new one.</p>
      )}
    </section>
  );
}
