// @vitest-environment happy-dom
/**
 * The composer's code picker (docs/CODES.md, WEB.md): it offers only the channel policy's codes and starts on the
 * policy's default — in a channel whose minimum is TLP:RED the default send is RED, not AMBER (issue 14) — shows
 * each code's meaning in words, and the evaluation pickers of the channel's profile.
 */
import { h, render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { CodePicker, defaultChoice, EvaluationBadge, type CodeChoice } from '../../client/web/src/components/code-picker.tsx';
import { policyFromMinimum, type HandlingPolicy } from '../../shared/crypto/index.ts';

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

/** Renders the picker as the composer does (controlled by its latest choice) and returns that choice. */
function mount(policy: HandlingPolicy): { current: () => CodeChoice } {
  root = document.createElement('div');
  document.body.append(root);
  let choice = defaultChoice(policy);
  const draw = () => render(h(CodePicker, { policy, value: choice, onChange: (c: CodeChoice) => ((choice = c), draw()) }), root);
  draw();
  return { current: () => choice };
}

const select = (name: string) => root.querySelector<HTMLSelectElement>(`select[name="${name}"]`)!;
const options = (name: string) => Array.from(select(name).querySelectorAll('option'), (o) => o.value);
async function choose(name: string, value: string) {
  await act(() => {
    select(name).value = value;
    select(name).dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('composer code picker', () => {
  it('a RED-minimum TLP channel offers RED only and starts on it', () => {
    const picker = mount(policyFromMinimum('TLP:RED'));
    expect(options('handling')).toEqual(['TLP:RED']);
    expect(select('handling').value).toBe('TLP:RED');
    expect(picker.current()).toEqual({ handling: 'TLP:RED', codes: {} });
    // The meaning is in words, and the select is described by it.
    const meaning = root.querySelector('#handling-meaning')!;
    expect(select('handling').getAttribute('aria-describedby')).toBe('handling-meaning');
    expect(meaning.textContent).toMatch(/individual recipients only/);
    // No evaluation pickers in a TLP channel without an evaluation vocabulary.
    expect(root.querySelector('fieldset.evaluation')).toBeNull();
  });

  it('an AMBER-minimum channel with GREEN never offered starts on its default', () => {
    mount(policyFromMinimum('TLP:AMBER', 'TLP:AMBER+STRICT'));
    expect(options('handling')).toEqual(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']);
    expect(select('handling').value).toBe('TLP:AMBER+STRICT');
  });

  it('a Europol 4x4 channel offers H0–H3, starts on H2, builds A1 and asks for H3 conditions', async () => {
    const picker = mount(policyFromMinimum('H0', 'H2', { handling: 'europol-h', evaluation: 'europol-4x4' }));
    expect(options('handling')).toEqual(['H0', 'H1', 'H2', 'H3']);
    expect(select('handling').value).toBe('H2');
    expect(root.querySelector('#handling-meaning')!.textContent).toMatch(/permission of the agency that provided it/);
    expect(options('evaluation-0')).toEqual(['', 'A', 'B', 'C', 'X']);
    expect(options('evaluation-1')).toEqual(['', '1', '2', '3', '4']);
    await choose('evaluation-0', 'A');
    // Half an evaluation is none.
    expect(picker.current().codes).toEqual({});
    await choose('evaluation-1', '1');
    expect(picker.current()).toEqual({ handling: 'H2', codes: { evaluation: 'A1' } });
    expect(root.querySelector('[data-testid="evaluation-meaning"]')!.textContent).toMatch(/Known to be true without reservation/);
    expect(root.querySelector('textarea[name="conditions"]')).toBeNull();
    await choose('handling', 'H3');
    expect(root.querySelector('textarea[name="conditions"]')).not.toBeNull();
    expect(picker.current()).toEqual({ handling: 'H3', codes: { evaluation: 'A1', conditions: '' } });
  });

  it('a UK 3x5x2 channel builds 1-B-C and then needs conditions; the badge reads its meaning', async () => {
    const picker = mount(policyFromMinimum('TLP:GREEN', 'TLP:AMBER', { handling: 'tlp-2.0', evaluation: 'uk-3x5x2' }));
    await choose('evaluation-0', '1');
    await choose('evaluation-1', 'B');
    await choose('evaluation-2', 'C');
    expect(picker.current().codes.evaluation).toBe('1-B-C');
    expect(root.querySelector('textarea[name="conditions"]')).not.toBeNull();
    render(h(EvaluationBadge, { evaluation: '1-B-C' }), root);
    const badge = root.querySelector('[data-testid="evaluation"]')!;
    expect(badge.getAttribute('tabindex')).toBe('0');
    expect(badge.getAttribute('aria-label')).toBe('Evaluation 1-B-C: Source reliable; Known indirectly to the source but corroborated; Lawful sharing permitted with conditions (stated).');
  });
});

describe('composer default send', () => {
  it('in a channel whose minimum is TLP:RED the default send is RED (it was AMBER, which the channel refuses)', async () => {
    const { Composer } = await import('../../client/web/src/screens/composer.tsx');
    const { SessionContext } = await import('../../client/web/src/app-context.ts');
    const { Observable } = await import('../../client/web/src/state/observable.ts');
    const sent: { handling?: string; codes?: unknown }[] = [];
    const noMessages = new Observable<unknown[]>([]);
    const chat = {
      client: { codes: { policy: async () => policyFromMinimum('TLP:RED') }, typing: () => undefined },
      send: async (_channelId: string, _payload: unknown, opts: { handling?: string; codes?: unknown }) => void sent.push(opts),
      drafts: new Map<string, string>(),
      // What the composer reads for replies, edits and mentions (none here).
      me: { officer: { id: 'me' } },
      compose: new Observable<Record<string, unknown>>({}),
      setCompose: () => undefined,
      messagesOf: () => noMessages,
      names: new Observable<Record<string, string>>({}),
      channels: new Observable<unknown[]>([]),
      nameOf: (id: string) => id,
    };
    const session = { chat: new Observable<unknown>(chat) };
    root = document.createElement('div');
    document.body.append(root);
    await act(() => render(h(SessionContext.Provider, { value: session as never }, h(Composer, { channelId: 'ch-red' })), root));
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    // The Options button shows the default code; the code picker is behind it.
    const toggle = root.querySelector<HTMLButtonElement>('button.options-toggle')!;
    expect(toggle.textContent).toContain('TLP:RED');
    await act(() => toggle.click());
    expect(options('handling')).toEqual(['TLP:RED']);
    const text = root.querySelector<HTMLTextAreaElement | HTMLInputElement>('[name="text"]')!;
    await act(() => {
      text.value = 'Meet at the port';
      text.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(sent).toEqual([expect.objectContaining({ handling: 'TLP:RED', codes: {} })]);
  });
});

describe('forwarding a message with handling conditions', () => {
  it('asks to confirm the H3 conditions and forwards them with the message', async () => {
    const { ForwardForm } = await import('../../client/web/src/screens/message-item.tsx');
    const { SessionContext } = await import('../../client/web/src/app-context.ts');
    const { Observable } = await import('../../client/web/src/state/observable.ts');
    const sent: { to: string; opts: Record<string, unknown> }[] = [];
    const none = new Observable([]);
    const channel = (id: string, title: string) => ({ id, title, agreementId: null, readOnly: null, untrusted: null, members: [{ officerId: 'ana', agencyId: 'pt' }] });
    const chat = {
      channels: new Observable([channel('src', 'Source'), channel('own', 'PJ only')]),
      me: { agency: { id: 'pt' } },
      api: { grants: async () => ({ grants: [] }) },
      messagesOf: () => none,
      client: { codes: { grants: async () => [] } },
      send: async (to: string, _payload: unknown, opts: Record<string, unknown>) => void sent.push({ to, opts }),
    };
    const message = {
      channelId: 'src',
      messageId: 'm-h3',
      seq: 1,
      senderId: 'bob',
      handling: 'H3',
      codes: { evaluation: 'X4', conditions: 'Not to be used for covert measures.' },
      payload: { kind: 'text', text: 'Phone numbers' },
      sentAt: 1,
      headerTime: 1,
      timeSkew: false,
      ackRequired: false,
      forwardedFrom: null,
    };
    root = document.createElement('div');
    document.body.append(root);
    await act(() => render(h(SessionContext.Provider, { value: { chat: new Observable<unknown>(chat) } as never }, h(ForwardForm, { message: message as never, onDone: () => undefined })), root));
    const button = root.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(root.textContent).toContain('Not to be used for covert measures.');
    expect(button.disabled).toBe(true);
    const box = root.querySelector<HTMLInputElement>('input[name="confirm-conditions"]')!;
    await act(() => {
      box.checked = true;
      box.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(button.disabled).toBe(false);
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(sent).toEqual([{ to: 'own', opts: { handling: 'H3', codes: message.codes, forwardedFrom: { messageId: 'm-h3', channelId: 'src' } } }]);
  });
});

describe('forwarding H2 under a grant', () => {
  it('offers only the channels the onward grant covers and cites the grant', async () => {
    const { ForwardForm } = await import('../../client/web/src/screens/message-item.tsx');
    const { SessionContext } = await import('../../client/web/src/app-context.ts');
    const { Observable } = await import('../../client/web/src/state/observable.ts');
    const sent: { to: string; opts: Record<string, unknown> }[] = [];
    const channel = (id: string, title: string, agencies: string[]) => ({ id, title, agreementId: null, readOnly: null, untrusted: null, members: agencies.map((a, i) => ({ officerId: `${id}${i}`, agencyId: a })) });
    const asked: unknown[][] = [];
    const none = new Observable([]);
    const chat = {
      channels: new Observable([channel('src', 'Source', ['pt', 'es']), channel('fr', 'With FR', ['pt', 'fr']), channel('de', 'With DE', ['pt', 'de'])]),
      me: { agency: { id: 'pt' } },
      api: { grants: async () => ({ grants: [] }) },
      messagesOf: () => none,
      client: {
        codes: {
          grants: async (...args: unknown[]) => (asked.push(args), [{ kind: 'use-grant', messageId: 'g-fr', sourceMessageId: 'm-h2', purpose: 'onward-to-third-party', granteeAgencyId: 'fr', scope: 's', decision: 'granted', expiresAt: Date.now() + 1e6 }]),
        },
      },
      send: async (to: string, _payload: unknown, opts: Record<string, unknown>) => void sent.push({ to, opts }),
    };
    const message = { channelId: 'src', messageId: 'm-h2', seq: 1, senderId: 'bob', handling: 'H2', codes: {}, payload: { kind: 'text', text: 'x' }, sentAt: 1, headerTime: 1, timeSkew: false, ackRequired: false, forwardedFrom: null };
    root = document.createElement('div');
    document.body.append(root);
    await act(async () => {
      render(h(SessionContext.Provider, { value: { chat: new Observable<unknown>(chat) } as never }, h(ForwardForm, { message: message as never, onDone: () => undefined })), root);
      await new Promise((r) => setTimeout(r, 0));
    });
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(asked[0]).toEqual(['src', 'm-h2', 'onward-to-third-party']);
    expect(Array.from(root.querySelectorAll('select[name="forward-target"] option'), (o) => o.textContent)).toEqual(['With FR']);
    await act(async () => {
      root.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(sent).toEqual([{ to: 'fr', opts: { handling: 'H2', codes: {}, forwardedFrom: { messageId: 'm-h2', channelId: 'src', grantId: 'g-fr' } } }]);
  });
});
