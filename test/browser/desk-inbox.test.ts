/**
 * The desk's end-to-end encrypted inbox in the web app (issue 13, docs/DESKS.md "Desk intake"): supervisor S sets
 * up the encrypted inbox; requester R of another agency finds the desk in the directory and sends an urgent request
 * in the browser; on-duty member M1 reads it decrypted under Unclaimed, takes it ("I take this"), lands in the case
 * channel and replies; R joins the case channel without a click (My requests co-signs the invitation) and reads the
 * reply; member M2 sees it under "Claimed by others" and reads M1's handover note. The server's data directory never
 * holds the request's text. Real server on loopback with the real clock; four browser contexts (four devices).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Desk } from '../../shared/schemas/desks.ts';
import {
  PASSPHRASE,
  apiPost,
  buildWebOnce,
  createAgency,
  createOfficer,
  enrolByApi,
  hasChromium,
  initPlatform,
  launch,
  newPage,
  screenshot,
  signInAndUnlock,
  startServer,
  type Person,
  type Server,
  sdkFor,
} from './harness.ts';

/** Only in the request's text (and so in the case channel's first message): never in the server's files. */
const MARKER = 'INBOX-MARKER-5521';
const REQUEST = `Seizure at the port tonight, need subscriber data for +351 912 000 111 ${MARKER}`;
const REPLY = 'Taken: I am on it, the data comes within the hour.';
const NOTE = 'Handover: port seizure request taken by me, subscriber data pending.';

/** Every file of the data directory (database, WAL, secrets…) as one buffer, to grep. */
function dataDirBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) parts.push(fs.readFileSync(p));
  }
  return Buffer.concat(parts);
}

function message(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

describe.skipIf(!hasChromium)('web app: the desk inbox (encrypted requests, claim, case channel, handover notes)', () => {
  let server: Server;
  let browser: Browser;
  let people: { s: Person; r: Person; m1: Person; m2: Person };
  let desk: Desk;
  let ptAdmin: Person;
  const pages: { page: Page; errors: string[] }[] = [];

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const platform = await initPlatform(server.app);
    const a = await createAgency(server.app, platform, { name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin' });
    ptAdmin = a.admin;
    const b = await createAgency(server.app, platform, { name: 'Guardia Civil', country: 'ES', admin: 'es-admin' });
    const enrol = async (admin: Person, agencyId: string, username: string, name: string) => enrolByApi(server.app, (await createOfficer(server.app, admin, agencyId, username, name)).token);
    people = {
      s: await enrol(a.admin, a.agencyId, 'sam.reis', 'Sam Reis'),
      m1: await enrol(a.admin, a.agencyId, 'ana.silva', 'Ana Silva'),
      m2: await enrol(a.admin, a.agencyId, 'rui.costa', 'Rui Costa'),
      r: await enrol(b.admin, b.agencyId, 'eva.ruiz', 'Eva Ruiz'),
    };
    // Keys through the SDK (the browsers unlock them from the backup); the agencies certify them.
    const admins = [await sdkFor(server, a.admin), await sdkFor(server, b.admin)];
    const officers = await Promise.all(Object.values(people).map((p) => sdkFor(server, p)));
    // One after another: six concurrent key uploads once met a reset keep-alive connection (ECONNRESET).
    for (const c of [...admins, ...officers]) await c.createIdentity(PASSPHRASE);
    for (const c of admins) await c.certifyPending();
    for (const c of [...admins, ...officers]) c.lock();

    // The night desk: Ana on duty around the clock, Rui a member off the rota, Sam supervises; linked from the directory.
    desk = (await apiPost<{ desk: Desk }>(server.app, a.admin, '/api/v1/desks', { name: 'Night desk', phone: '+351 21 864 5150', timeZone: 'Europe/Lisbon', members: [people.m1.id, people.m2.id], supervisors: [people.s.id] })).desk;
    const rota = await server.app.inject({
      method: 'PUT',
      url: `/api/v1/desks/${desk.id}/rota`,
      headers: { authorization: `Bearer ${a.admin.tokens.accessToken}` },
      payload: { timeZone: 'Europe/Lisbon', weekly: [{ officerId: people.m1.id, days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }], overrides: [] },
    });
    expect(rota.statusCode, rota.body).toBe(200);
    await apiPost(server.app, a.admin, '/api/v1/directory', { title: 'Night desk', specialisations: ['internet-drug-crime'], languages: ['pt', 'en'], availability: { kind: '24/7' }, deskId: desk.id });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('S sets up the inbox; R sends a request from the directory; M1 reads it, takes it and replies in the case channel; R reads the reply; M2 sees it taken and reads the handover note', { timeout: 240_000 }, async () => {
    const { s, r, m1, m2 } = people;
    const [S, R, M1, M2] = await Promise.all([newPage(browser), newPage(browser), newPage(browser), newPage(browser)]);
    pages.push(S, R, M1, M2);
    await Promise.all([signInAndUnlock(S.page, server.baseUrl, s), signInAndUnlock(R.page, server.baseUrl, r), signInAndUnlock(M1.page, server.baseUrl, m1)]);
    const deskUrl = `${server.baseUrl}/#/desks/${desk.id}`;

    // Before the setup, the directory entry offers only Contact.
    await R.page.goto(`${server.baseUrl}/#/directory/${encodeURIComponent((await directoryEntryId())!)}`);
    await R.page.getByRole('heading', { name: 'Night desk', level: 2 }).waitFor();
    await R.page.getByTestId('contact-terms').waitFor();
    expect(await R.page.getByTestId('desk-request').count()).toBe(0);

    // S, the supervisor: no encrypted inbox yet; one button sets it up (desk channel + intake key v1).
    await S.page.goto(deskUrl);
    const setup = S.page.getByTestId('intake-setup');
    await setup.getByText('This desk has no encrypted inbox yet.').waitFor();
    await screenshot(S.page, 'desk-inbox-setup');
    await setup.getByRole('button', { name: 'Set up the encrypted inbox' }).click();
    await setup.getByText('Encrypted inbox ready: intake key version 1.').waitFor({ timeout: 60_000 });
    await expect.poll(() => S.page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('status');
    expect(await setup.getByRole('button', { name: 'Rotate key' }).count()).toBe(1);
    await S.page.getByTestId('desk-inbox').waitFor();
    // The staffing editor: both members ticked (a supervisor who is no administrator may see colleagues as "Officer …");
    // supervisors are the administrators' to change.
    const staffing = S.page.getByTestId('desk-staffing');
    await expect.poll(() => staffing.getByRole('checkbox', { name: /is a member$/, checked: true }).count()).toBe(2);
    expect(await staffing.getByRole('checkbox', { name: 'Sam Reis is a supervisor' }).isDisabled()).toBe(true);
    expect(await staffing.getByRole('checkbox', { name: 'Sam Reis is a supervisor' }).isChecked()).toBe(true);

    // M1, on duty, has the desk open: nothing yet.
    await M1.page.goto(deskUrl);
    const inbox = M1.page.getByTestId('desk-inbox');
    await inbox.getByTestId('inbox-unclaimed').getByText('None.').waitFor({ timeout: 30_000 });
    expect(await M1.page.getByRole('button', { name: 'Set up the encrypted inbox' }).count()).toBe(0);

    // R finds the desk in the directory and sends an urgent request in the browser.
    await R.page.getByRole('link', { name: 'Directory' }).click();
    await R.page.getByRole('searchbox', { name: 'Search' }).fill('night');
    await R.page.getByRole('button', { name: 'Search' }).click();
    await R.page.getByTestId('directory-entry').filter({ hasText: 'Night desk' }).click();
    const form = R.page.getByTestId('desk-request');
    await form.getByRole('heading', { name: 'Send a request to the desk' }).waitFor();
    expect(await form.getByRole('radio', { name: /^Urgent/ }).isChecked()).toBe(true);
    // An empty request is refused inline, focus back on the field.
    await form.getByRole('button', { name: 'Send the request' }).click();
    await form.getByRole('alert').getByText('Write the request first.').waitFor();
    await expect.poll(() => R.page.evaluate(() => document.activeElement?.id)).toBe('desk-request-text');
    await form.getByLabel('Your request').fill(REQUEST);
    expect(await form.getByRole('alert').count()).toBe(0);
    expect(await form.getByLabel('Your request').getAttribute('aria-invalid')).toBe('false');
    await screenshot(R.page, 'desk-inbox-request-form');
    await form.getByRole('button', { name: 'Send the request' }).click();
    const sent = form.getByTestId('desk-request-sent');
    await expect.poll(() => sent.textContent(), { timeout: 30_000 }).toMatch(/^Sent at \d{4}-\d\d-\d\d \d\d:\d\d \S+; the desk is being paged\./);
    const pageHref = await sent.getByRole('link', { name: 'Follow its page' }).getAttribute('href');
    expect(pageHref).toMatch(/^#\/pages\/[\w-]+$/);
    expect(await sent.getByRole('link', { name: 'My requests' }).getAttribute('href')).toBe('#/desks/requests');

    // M1's inbox refreshes on the desk notice: the request under Unclaimed, decrypted, urgent, from R of Guardia Civil.
    const item = inbox.getByTestId('inbox-unclaimed').locator('article[data-request-id]');
    await item.getByTestId('request-text').waitFor({ timeout: 30_000 });
    expect(await item.getByTestId('request-text').textContent()).toBe(REQUEST);
    expect(await item.getByRole('heading', { level: 4 }).textContent()).toMatch(/^Request from .+ \(Guardia Civil\)$/);
    const facts = await item.locator('dl').textContent();
    expect(facts).toMatch(/Received(just now|\d+ min ago) \(\d{4}-\d\d-\d\d \d\d:\d\d \S+\)/);
    expect(facts).toContain('PriorityUrgent');
    expect(facts).toContain('Nobody has taken it yet');
    await screenshot(M1.page, 'desk-inbox-unclaimed');

    // "I take this": the claim, then the case channel with R.
    await item.getByRole('button', { name: 'I take this' }).click();
    await expect.poll(() => M1.page.evaluate(() => location.hash), { timeout: 60_000 }).toMatch(/^#\/channels\/[\w-]+$/);
    const caseHash = await M1.page.evaluate(() => location.hash);

    // R's app co-signs the claimer's invitation on its own (the invitation event → myRequests): R joins without a click.
    // Then M1's app posts the request as the channel's first message, and M1 replies.
    await M1.page.getByLabel('Message', { exact: true }).waitFor({ timeout: 60_000 });
    await message(M1.page, MARKER).waitFor({ timeout: 30_000 });
    await M1.page.getByLabel('Message', { exact: true }).fill(REPLY);
    await M1.page.getByRole('button', { name: 'Send', exact: true }).click();
    await message(M1.page, REPLY).waitFor();
    await screenshot(M1.page, 'desk-inbox-case-channel');

    // R: My requests shows it taken, with the case channel; there R reads the request and M1's reply.
    await R.page.getByRole('link', { name: 'My requests' }).click();
    const mine = R.page.getByTestId('my-requests');
    await expect.poll(() => mine.getByTestId('my-request-state').first().textContent(), { timeout: 30_000 }).toMatch(/^Taken by .+, \d{4}-\d\d-\d\d \d\d:\d\d/);
    const open = mine.getByRole('link', { name: 'Open case channel' });
    await open.waitFor({ timeout: 30_000 });
    expect(await open.getAttribute('href')).toBe(caseHash);
    await screenshot(R.page, 'desk-inbox-my-requests');
    await open.click();
    await message(R.page, REPLY).waitFor({ timeout: 30_000 });
    await message(R.page, MARKER).waitFor();

    // M1 writes a handover note on the desk screen; the request is under "Claimed by me" with its case channel.
    await M1.page.goto(deskUrl);
    const mineSection = M1.page.getByTestId('inbox-mine');
    await mineSection.getByTestId('request-text').waitFor({ timeout: 30_000 });
    expect(await mineSection.getByRole('link', { name: 'Open case channel' }).getAttribute('href')).toBe(caseHash);
    await M1.page.getByLabel('New handover note').fill(NOTE);
    await M1.page.getByRole('button', { name: 'Add the note' }).click();
    await M1.page.getByTestId('handovers').getByText(NOTE).waitFor();

    // M2 signs in: the request is under "Claimed by others", taken by Ana, without "I take this"; the note is there.
    await signInAndUnlock(M2.page, server.baseUrl, m2);
    await M2.page.goto(deskUrl);
    const others = M2.page.getByTestId('inbox-others');
    await others.getByTestId('request-text').waitFor({ timeout: 30_000 });
    expect(await others.getByTestId('request-text').textContent()).toBe(REQUEST);
    expect(await others.getByTestId('request-state').textContent()).toMatch(new RegExp(`^Taken by (Ana Silva|Officer ${m1.id.slice(0, 6)}( \\(Policia Judiciaria\\))?), \\d{4}-`));
    expect(await others.getByRole('button', { name: 'I take this' }).count()).toBe(0);
    expect(await M2.page.getByTestId('inbox-unclaimed').getByText('None.').count()).toBe(1);
    await M2.page.getByTestId('handovers').getByText(NOTE).waitFor({ timeout: 30_000 });
    await screenshot(M2.page, 'desk-inbox-claimed-by-others');

    // A race: R sends a second request; M2 clicks "I take this" just after M1 took it (M1's claim goes in first,
    // held in front of M2's). M2's app says who was first; the request moves to "Claimed by others".
    await R.page.goto(`${server.baseUrl}/#/directory/${encodeURIComponent((await directoryEntryId())!)}`);
    const form2 = R.page.getByTestId('desk-request');
    await form2.getByLabel('Your request').fill(`Second request ${MARKER}`);
    await form2.getByRole('button', { name: 'Send the request' }).click();
    await expect.poll(() => form2.getByTestId('desk-request-sent').textContent(), { timeout: 30_000 }).toMatch(/^Sent at /);
    // R waits on My requests this time (the screen and the invitation event both read them: one co-signature).
    await form2.getByRole('link', { name: 'My requests' }).click();
    await expect.poll(() => R.page.getByTestId('my-request-state').allTextContents()).toEqual(['Waiting: the desk is being paged', expect.stringMatching(/^Taken by /)]);
    const second = M2.page.getByTestId('inbox-unclaimed').locator('article[data-request-id]');
    await second.getByTestId('request-text').waitFor({ timeout: 30_000 });
    const secondId = (await second.getAttribute('data-request-id'))!;
    await M2.page.route('**/api/v1/desks/*/requests/*/claim', async (route) => {
      const first = await server.app.inject({ method: 'POST', url: `/api/v1/desks/${desk.id}/requests/${secondId}/claim`, headers: { authorization: `Bearer ${m1.tokens.accessToken}` } });
      expect(first.statusCode, first.body).toBe(200);
      await route.continue();
    });
    await second.getByRole('button', { name: 'I take this' }).click();
    const announcement = M2.page.getByTestId('inbox-announcement');
    await expect.poll(() => announcement.textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^Already taken by (Ana Silva|Officer ${m1.id.slice(0, 6)}( \\(Policia Judiciaria\\))?), who was first\\.$`));
    await expect.poll(() => M2.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('inbox-announcement');
    await expect.poll(() => M2.page.getByTestId('inbox-others').locator('article[data-request-id]').count()).toBe(2);
    expect(await M2.page.evaluate(() => location.hash)).toBe(`#/desks/${desk.id}`);
    await M2.page.unroute('**/api/v1/desks/*/requests/*/claim');
    await screenshot(M2.page, 'desk-inbox-already-taken');

    // M1's claim of the second request went in without its case channel (as if the channel had failed): M1's app
    // opens it from "Claimed by me" without claiming again, and R joins it without a click.
    await M1.page.goto(deskUrl);
    const unopened = M1.page.getByTestId('inbox-mine').locator(`article[data-request-id="${secondId}"]`);
    await unopened.getByRole('button', { name: 'Open the case channel' }).click();
    await expect.poll(() => M1.page.evaluate(() => location.hash), { timeout: 60_000 }).toMatch(/^#\/channels\/[\w-]+$/);
    expect(await M1.page.evaluate(() => location.hash)).not.toBe(caseHash);
    await message(M1.page, `Second request ${MARKER}`).waitFor({ timeout: 60_000 });
    await expect.poll(() => R.page.getByTestId('my-requests').getByRole('link', { name: 'Open case channel' }).count(), { timeout: 30_000 }).toBe(2);
    expect(await R.page.getByTestId('my-requests').getByRole('alert').count()).toBe(0);
    await M1.page.goto(deskUrl);

    // M1 swaps tomorrow's first eight hours of her shift to Rui, then takes the swap back (members swap only their own).
    const overrides = M1.page.getByTestId('desk-overrides');
    await overrides.getByRole('heading', { name: 'Swap my shift' }).waitFor();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await overrides.getByLabel('From').fill(`${tomorrow}T09:00`);
    await overrides.getByLabel('Until').fill(`${tomorrow}T08:00`);
    await overrides.getByRole('button', { name: 'Add' }).click();
    await overrides.getByRole('alert').getByText('Enter a start and an end, the end after the start.').waitFor();
    await overrides.getByLabel('Until').fill(`${tomorrow}T17:00`);
    await overrides.getByRole('button', { name: 'Add' }).click();
    await overrides.getByText('Added.').waitFor();
    const swap = overrides.getByRole('listitem').filter({ hasText: 'covers for Ana Silva' });
    expect(await swap.textContent()).toMatch(/^(Rui Costa|Officer \w+( \(Policia Judiciaria\))?) covers for Ana Silva: \w{3} \d+ \w{3} 09:00–17:00/);
    await screenshot(M1.page, 'desk-inbox-swap');
    await swap.getByRole('button', { name: /^Remove: / }).click();
    await overrides.getByText('No swaps or extra shifts.').waitFor();

    // S takes Rui off the desk: S's app removes him from the desk channel and rotates the intake key, and says so.
    await S.page.goto(deskUrl);
    const staff = S.page.getByTestId('desk-staffing');
    await expect.poll(() => staff.getByRole('checkbox', { name: /is a member$/, checked: true }).count()).toBe(2);
    await staff.getByRole('checkbox', { name: new RegExp(`^(Rui Costa|Officer ${m2.id.slice(0, 6)}.*) is a member$`) }).uncheck();
    await staff.getByRole('button', { name: 'Save members and backup' }).click();
    await expect
      .poll(() => staff.getByTestId('staffing-result').textContent(), { timeout: 60_000 })
      .toMatch(/^Saved\. Desk channel updated: removed .+\. The intake key was rotated, because whoever left may still hold the old one\.$/);
    await expect.poll(() => S.page.getByTestId('intake-version').textContent()).toBe('Intake key version 2.');
    await screenshot(S.page, 'desk-inbox-staffing-synced');

    // R sends a third request (sealed to key v2). The administrator puts M2 back on the desk; no supervisor has synced
    // the desk channel since, so M2's device cannot open it and says why in plain words.
    const THIRD = `Third request ${MARKER}`;
    await R.page.goto(`${server.baseUrl}/#/directory/${encodeURIComponent((await directoryEntryId())!)}`);
    const form3 = R.page.getByTestId('desk-request');
    await form3.getByLabel('Your request').fill(THIRD);
    await form3.getByRole('button', { name: 'Send the request' }).click();
    await expect.poll(() => form3.getByTestId('desk-request-sent').textContent(), { timeout: 30_000 }).toMatch(/^Sent at /);
    const back = await server.app.inject({ method: 'PATCH', url: `/api/v1/desks/${desk.id}`, headers: { authorization: `Bearer ${ptAdmin.tokens.accessToken}` }, payload: { members: [m1.id, m2.id] } });
    expect(back.statusCode, back.body).toBe(200);
    await M2.page.goto(`${server.baseUrl}/#/desks`);
    await M2.page.goto(deskUrl);
    const third = M2.page.getByTestId('inbox-unclaimed').locator('article[data-request-id]');
    await expect
      .poll(() => third.getByTestId('request-unopened').textContent(), { timeout: 30_000 })
      .toMatch(/^Not readable on this device yet: a supervisor must add you to the desk channel/);
    await screenshot(M2.page, 'desk-inbox-not-readable-yet');

    // S locks and unlocks: the web app syncs the desk channels S supervises on unlock, M2 is added and gets the keys.
    await S.page.getByRole('button', { name: 'Lock' }).click();
    await S.page.getByLabel('Key-backup passphrase').fill(PASSPHRASE);
    await S.page.getByRole('button', { name: 'Unlock' }).click();
    await S.page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    await expect
      .poll(
        async () => {
          await M2.page.getByRole('button', { name: 'Refresh inbox' }).click();
          return M2.page.getByTestId('inbox-unclaimed').getByTestId('request-text').allTextContents();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toEqual([THIRD]);

    // The server never held the request's text (database, WAL, secrets).
    expect(dataDirBytes(server.app.ctx.config.dataDir).includes(Buffer.from(MARKER))).toBe(false);

    const errors = pages.flatMap((p) => p.errors).filter((e) => !/status of 4\d\d/.test(e));
    expect(errors).toEqual([]);
  });

  async function directoryEntryId(): Promise<string | undefined> {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/directory?q=night', headers: { authorization: `Bearer ${people.r.tokens.accessToken}` } });
    return (res.json() as { entries: { id: string; deskId: string | null }[] }).entries.find((e) => e.deskId === desk.id)?.id;
  }
});
