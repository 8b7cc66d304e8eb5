import { describe, expect, it } from 'vitest';
import { contactRequestLabel, contactTermsText, readOnlyText, reusableChannel, type ChannelLike } from '../../client/web/src/lib/contact.ts';
import { entryChanges, entryForm } from '../../client/web/src/lib/entry-edit.ts';
import { errorText } from '../../client/web/src/lib/errors.ts';
import { assignableRoles, memberCandidates } from '../../client/web/src/lib/people.ts';
import { forwardTargets, type ForwardChannel } from '../../client/web/src/lib/tlp.ts';
import { LiaisonApiError } from '../../client/sdk/errors.ts';
import type { DirectoryEntry } from '../../shared/schemas/directory.ts';

const ch = (over: Partial<ChannelLike>): ChannelLike => ({ id: 'c', kind: 'direct', readOnly: null, contactRequest: null, contactEntryId: null, members: [{ officerId: 'me' }], ...over });

describe('contact requests', () => {
  it('says which kind of channel "Contact" opens', () => {
    expect(contactTermsText({ contactRequest: true, agreementId: null }, null)).toBe('Contact request — no agreement between your agencies; the recipient must accept.');
    expect(contactTermsText({ contactRequest: false, agreementId: 'a' }, 'PT–ES MOU')).toBe('Direct channel under “PT–ES MOU”.');
    expect(contactTermsText({ contactRequest: false, agreementId: 'a' }, null)).toBe('Direct channel under your agencies’ agreement.');
    expect(contactTermsText({ contactRequest: false, agreementId: null }, null)).toBe('Direct channel within your agency.');
  });

  it('reuses an open channel with the recipient or my pending request from the entry, never a closed one', () => {
    const withBob = ch({ id: 'x', members: [{ officerId: 'me' }, { officerId: 'bob' }] });
    const pending = ch({ id: 'p', contactRequest: 'pending', readOnly: 'contact_request_pending', contactEntryId: 'e1' });
    const declined = ch({ id: 'd', contactRequest: 'declined', readOnly: 'closed', contactEntryId: 'e2' });
    expect(reusableChannel([withBob], 'bob', 'e9')?.id).toBe('x');
    expect(reusableChannel([pending], 'bob', 'e1')?.id).toBe('p');
    expect(reusableChannel([pending], 'bob', 'e2')).toBeUndefined();
    expect(reusableChannel([declined], 'bob', 'e2')).toBeUndefined();
    expect(reusableChannel([ch({ kind: 'case', members: [{ officerId: 'bob' }] })], 'bob', 'e1')).toBeUndefined();
  });

  it('labels and banners', () => {
    expect(contactRequestLabel(ch({ contactRequest: 'pending' }))).toMatch(/awaiting acceptance/);
    expect(contactRequestLabel(ch({ contactRequest: 'declined' }))).toMatch(/declined · closed/);
    expect(contactRequestLabel(ch({}))).toBeNull();
    expect(readOnlyText(ch({ contactRequest: 'declined', readOnly: 'closed' }))).toMatch(/declined this contact request/);
    expect(readOnlyText(ch({ contactRequest: 'pending', readOnly: 'contact_request_pending' }))).toMatch(/awaiting acceptance/);
    expect(readOnlyText(ch({ readOnly: 'agreement_ended' }))).toMatch(/agreement .* has ended/);
    expect(readOnlyText(ch({}))).toBeNull();
  });

  it('explains the server’s contact and forwarding refusals', () => {
    expect(errorText(new LiaisonApiError(409, 'contact_request_exists', 'x'))).toMatch(/already have a contact request/);
    expect(errorText(new LiaisonApiError(409, 'officer_unreachable', 'x'))).toMatch(/not certified/);
    expect(errorText(new LiaisonApiError(403, 'forwarding_forbidden', 'x'))).toMatch(/does not allow forwarding/);
  });
});

describe('forward targets', () => {
  const fc = (id: string, agencies: string[], over: Partial<ForwardChannel> = {}): ForwardChannel => ({ id, agreementId: null, readOnly: null, untrusted: null, members: agencies.map((a, i) => ({ officerId: `${id}${i}`, agencyId: a })), ...over });
  const source = fc('src', ['a', 'b'], { agreementId: 'ab' });
  // 'a' sponsors the institution 'fiu' (active extended-access grant); 'b' is a party of the source's agreement.
  const channels = [source, fc('own', ['a']), fc('ab', ['a', 'b']), fc('afiu', ['a', 'fiu']), fc('ac', ['a', 'c']), fc('ro', ['a'], { readOnly: 'closed' })];
  const ids = (code: Parameters<typeof forwardTargets>[0], clients: string[] = ['fiu']) => forwardTargets(code, source, channels, 'a', clients).map((c) => c.id);

  it('applies PROTOCOL.md §8 (TLP 2.0) and leaves out the source and read-only channels', () => {
    expect(ids('TLP:RED')).toEqual([]);
    expect(ids('TLP:AMBER+STRICT')).toEqual(['own']);
    expect(ids('TLP:AMBER')).toEqual(['own', 'afiu']);
    expect(ids('TLP:AMBER', [])).toEqual(['own']);
    expect(ids('TLP:GREEN')).toEqual(['own', 'ab', 'afiu', 'ac']);
  });
});

describe('people and roles', () => {
  it('never offers a role above your own', () => {
    expect(assignableRoles('officer')).toEqual([]);
    expect(assignableRoles('agency_admin')).toEqual(['officer', 'agency_admin']);
    expect(assignableRoles('platform_admin')).toEqual(['officer', 'agency_admin', 'platform_admin']);
  });

  it('searches own officers and directory entries with officers, without current members', () => {
    const sources = {
      agencyName: 'PJ',
      officers: [
        { id: 'o1', displayName: 'Ana Silva', status: 'active' },
        { id: 'o2', displayName: 'Rui Sousa', status: 'suspended' },
        { id: 'me', displayName: 'Me', status: 'active' },
      ],
      entries: [
        { title: 'Darknet desk', agency: { name: 'Guardia Civil' }, officer: { id: 'b1', displayName: 'Bob Ruiz' } },
        { title: 'Rota', agency: { name: 'Guardia Civil' }, officer: null },
        { title: 'Cyber', agency: { name: 'PJ' }, officer: { id: 'o1', displayName: 'Ana Silva' } },
      ],
    };
    expect(memberCandidates('', sources, new Set(['me'])).map((c) => c.officerId)).toEqual(['o1', 'b1']);
    expect(memberCandidates('darknet', sources, new Set()).map((c) => [c.name, c.detail])).toEqual([['Bob Ruiz', 'Guardia Civil · Darknet desk']]);
    expect(memberCandidates('ana', sources, new Set(['o1']))).toEqual([]);
  });
});

describe('directory entry edit', () => {
  const entry = { id: 'e', title: 'Desk', officer: null, languages: ['en', 'pt'], specialisations: ['fugitives'], phone: '+351 1', notes: '' } as unknown as DirectoryEntry;
  it('sends only what changed, and clears the phone', () => {
    const f = entryForm(entry);
    expect(entryChanges(entry, f)).toBeNull();
    expect(entryChanges(entry, { ...f, title: ' Fugitives desk ', phone: '' })).toEqual({ title: 'Fugitives desk', phone: null });
    expect(entryChanges(entry, { ...f, languages: 'EN pt es' })).toEqual({ languages: ['en', 'pt', 'es'] });
  });
});
