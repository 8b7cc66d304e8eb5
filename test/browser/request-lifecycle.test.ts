/**
 * Issue 14's request lifecycle in Chromium: Bob (Guardia Civil, ES, request zone Madrid) sends an urgent request
 * through the web form to Alice (Policia Judiciaria, PT, request zone Lisbon); Alice sees it with its deadline in both
 * zones, asks for a clarification, Bob gives it, the clock (an injected ManualClock, the browsers' with it) passes the
 * deadline, PJ's administrator sees the request on the agency's overdue board, Alice answers in full and the board
 * drops it. The state shown changes at each step on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../server/clock.ts';
import { formatDeadline } from '../../shared/requests/lifecycle.ts';
import { totpCode } from '../world/app.ts';
import { activeAgreement, openCaseChannel, twoAgencyNetwork, type Creds, type TwoAgencyNetwork } from '../world/network.ts';
import { buildWebOnce, hasChromium, launch, PASSPHRASE, screenshot, signInAndUnlock, startServer, type Server } from './harness.ts';

const HOUR_MS = 3600_000;
const DAY_MS = 86_400_000;
/** Monday 15 March 2027, 09:00 UTC: Lisbon UTC+0, Madrid UTC+1 (before the spring change). */
const START = Date.UTC(2027, 2, 15, 9, 0);

describe.skipIf(!hasChromium)('web app: a request through its lifecycle (issue 14)', () => {
  const clock = new ManualClock(START);
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer({ clock, config: { session: { idleTimeoutMs: 60 * DAY_MS, absoluteTimeoutMs: 90 * DAY_MS } } });
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A browser on the server's clock (key events and message times must agree with it), console errors collected. */
  async function open(who: Creds, timezoneId: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId });
    await context.clock.install({ time: clock.now() });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.setDefaultTimeout(20_000);
    await signInAndUnlock(page, server.baseUrl, who, {
      totp: () => {
        clock.advance(30_000);
        return totpCode(who.totpSecret, clock.now());
      },
    });
    return { page, errors };
  }

  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    for (const c of contexts) await c.clock.setSystemTime(clock.now());
  }

  it('urgent request → clarification asked and given → overdue on the agency board → answered in full, dropped from the board', { timeout: 280_000 }, async () => {
    const host = { app: server.app, clock, baseUrl: server.baseUrl };
    const base = await twoAgencyNetwork(host, { prefix: 'rl-', identities: false });
    // Keys with the browser harness's passphrase, so the browsers unlock the same identities.
    for (const c of [base.adminA, base.adminB, base.alice, base.bob]) await c.createIdentity(PASSPHRASE);
    await base.adminA.certifyPending();
    await base.adminB.certifyPending();
    const net: TwoAgencyNetwork = { ...base, agreement: await activeAgreement(host, base.adminA, base.adminB, [base.a.agencyId, base.b.agencyId]) };
    const channel = await openCaseChannel(net, { title: 'Operation Harbour' });
    await net.adminA.requests.setTimeZone(net.a.agencyId, 'Europe/Lisbon');
    await net.adminB.requests.setTimeZone(net.b.agencyId, 'Europe/Madrid');

    const bob = await open(net.b.bob, 'Europe/Madrid');
    const alice = await open(net.a.alice, 'Europe/Lisbon');
    const admin = await open(net.a.admin, 'Europe/Lisbon');

    // Bob writes an urgent request in the channel; the form says which deadline applies before sending.
    await bob.page.goto(`${server.baseUrl}/#/channels/${channel.id}`);
    await bob.page.getByRole('button', { name: 'New request' }).click();
    const form = bob.page.getByRole('form', { name: 'New request' });
    await form.getByLabel('Template').selectOption('eu-2023-977');
    await form.getByLabel('Purpose of the request').fill('Identify the holder of a phone used in a kidnapping');
    await form.getByLabel('Legal basis').fill('Directive (EU) 2023/977 Art. 4');
    await form.getByLabel('Categories of personal data').fill('subscriber data\ntraffic data');
    await form.getByLabel('Requested information').fill('Holder of +351 900 000 001');
    await form.getByLabel('Case reference (optional)').fill('GC-2027/31');
    await expect.poll(() => form.getByTestId('deadline-rule').textContent()).toMatch(/7 calendar days/);
    await form.getByLabel('Urgent', { exact: true }).check();
    await form.getByLabel('Reasons for urgency').fill('Threat to the life of the victim');
    // Art. 5(1)(b): urgent, but the information is not directly accessible: 3 calendar days.
    expect(await form.getByTestId('deadline-rule').textContent()).toMatch(/3 calendar days/);
    // Art. 5(1)(a): urgent and directly accessible: 8 hours.
    await form.getByLabel('The requested side can access the database directly').check();
    expect(await form.getByTestId('deadline-rule').textContent()).toMatch(/8 hours after the server receives the request/);
    await screenshot(bob.page, 'request-composer');
    await form.getByRole('button', { name: 'Send request' }).click();
    await bob.page.getByTestId('request-sent').waitFor();

    const [view] = await net.adminA.requests.list({ role: 'received' });
    expect(view).toMatchObject({ urgency: 'urgent', template: 'eu-2023-977', state: 'open', timeZone: 'Europe/Lisbon', channelId: channel.id });
    expect(view!.deadline - view!.receivedAt).toBe(8 * HOUR_MS);
    const lisbon = formatDeadline(view!.deadline, 'Europe/Lisbon');
    const madrid = formatDeadline(view!.deadline, 'Europe/Madrid');

    // Both see the card in the channel with the state; Alice opens the request: the deadline in both zones, written out.
    const bobCard = bob.page.getByTestId('request-card');
    await expect.poll(() => bobCard.getByTestId('request-card-state').textContent()).toBe('Open');
    await alice.page.goto(`${server.baseUrl}/#/channels/${channel.id}`);
    const aliceCard = alice.page.getByTestId('request-card');
    await expect.poll(() => aliceCard.getByTestId('request-card-state').textContent()).toBe('Open');
    expect(await aliceCard.textContent()).toContain('Holder of +351 900 000 001');
    await aliceCard.getByRole('link', { name: 'Open the request' }).click();
    const detail = alice.page.getByTestId('request-detail');
    await expect.poll(() => detail.getByTestId('deadline-requester').textContent()).toBe(madrid);
    expect(await detail.getByTestId('deadline-requested').textContent()).toBe(lisbon);
    expect(lisbon).toContain('Europe/Lisbon (UTC+00:00)');
    expect(madrid).toContain('Europe/Madrid (UTC+01:00)');
    expect(await detail.getByTestId('request-state').textContent()).toBe('Open');
    await screenshot(alice.page, 'request-detail');

    // Alice asks for a clarification: the clock pauses; Bob's card follows.
    await detail.getByRole('button', { name: 'Ask for clarification' }).click();
    await detail.getByLabel('Text').fill('Which period of traffic data?');
    await detail.getByRole('button', { name: 'Send: Ask for clarification' }).click();
    await expect.poll(() => detail.getByTestId('request-state').textContent()).toBe('Clarification asked');
    expect(await detail.getByTestId('request-clock').getAttribute('data-kind')).toBe('paused-clarification');
    await expect.poll(() => bobCard.getByTestId('request-card-state').textContent()).toBe('Clarification asked');
    await bob.page.getByTestId('request-step-card').filter({ hasText: 'Which period of traffic data?' }).waitFor();

    // Bob gives it from his request view (the requester's steps only).
    await bobCard.getByRole('link', { name: 'Open the request' }).click();
    const bobDetail = bob.page.getByTestId('request-detail');
    await expect.poll(() => bobDetail.getByTestId('deadline-requester').textContent()).toBe(madrid);
    expect(await bobDetail.getByRole('button', { name: 'Answer (full)' }).count()).toBe(0);
    await bobDetail.getByRole('button', { name: 'Give clarification' }).click();
    await bobDetail.getByLabel('Text').fill('The last 30 days.');
    await bobDetail.getByRole('button', { name: 'Send: Give clarification' }).click();
    await expect.poll(() => bobDetail.getByTestId('request-state').textContent()).toBe('Open');
    await expect.poll(() => detail.getByTestId('request-state').textContent(), { timeout: 25_000 }).toBe('Open');

    // Nine hours later nobody has answered: overdue on PJ's agency board.
    await advance(9 * HOUR_MS);
    await admin.page.getByRole('link', { name: 'Requests', exact: true }).click();
    const board = admin.page.getByTestId('agency-overdue');
    await admin.page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(() => board.getByTestId('request-row').count()).toBe(1);
    expect(await board.getByTestId('request-row').getAttribute('data-overdue')).toBe('true');
    expect(await board.textContent()).toContain('Europe/Lisbon');
    await screenshot(admin.page, 'request-overdue-board');

    // Alice answers in full: closed on both sides, and the board drops it (its live refresh, no click).
    await expect.poll(() => detail.getByTestId('request-clock').textContent(), { timeout: 25_000 }).toMatch(/Overdue|overdue/);
    await detail.getByRole('button', { name: 'Answer (full)' }).click();
    await detail.getByLabel('Text').fill('Holder: J. Doe, Rua Augusta 1, Lisboa.');
    await detail.getByRole('button', { name: 'Send: Answer (full)' }).click();
    await expect.poll(() => detail.getByTestId('request-state').textContent()).toBe('Answered');
    expect(await detail.getByRole('button', { name: 'Ask for clarification' }).count()).toBe(0);
    await expect.poll(() => bobDetail.getByTestId('request-state').textContent(), { timeout: 25_000 }).toBe('Answered');
    await expect.poll(() => board.getByTestId('request-row').count(), { timeout: 25_000 }).toBe(0);
    expect((await net.adminA.requests.agencyOverdue(net.a.agencyId)).length).toBe(0);

    for (const who of [bob, alice, admin]) expect(who.errors, JSON.stringify(who.errors)).toEqual([]);
  });
});
