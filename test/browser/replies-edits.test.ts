import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { LiaisonClient } from '../../client/sdk/index.ts';
import {
  axeViolations,
  buildWebOnce,
  describeViolations,
  hasChromium,
  launch,
  newPage,
  screenshot,
  seedAgencyOfficers,
  signInAndUnlock,
  startServer,
  type Person,
  type Server,
  pageState,
  sleep,
  recordNotifications,
  setTabHidden,
  shownNotifications,
} from './harness.ts';

const BOB_MSG = 'The container MSCU 123456-7 leaves Antwerp on Tuesday.';
const WRONG = 'Seal number is 99-1234 (unchecked).';

function message(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}

async function menu(page: Page, text: string, action: string): Promise<void> {
  await message(page, text).first().getByRole('button', { name: /^Actions for the message/ }).click();
  await page.getByRole('menuitem', { name: action }).click();
}

async function openChannel(page: Page, server: Server, who: Person): Promise<void> {
  await signInAndUnlock(page, server.baseUrl, who);
  const dismiss = page.getByRole('button', { name: 'Dismiss' });
  if (await dismiss.isVisible()) await dismiss.click();
  const link = page.getByRole('link', { name: /Operation Harbour/ }).first();
  await link.waitFor({ timeout: 60_000 });
  await link.click();
  await page.getByRole('log', { name: 'Messages' }).waitFor();
  // Typing notices are ephemeral (PROTOCOL.md §9.3): one sent before the other side's socket is connected is lost
  // by design, so both sides wait for their realtime connection (the history above came over HTTP).
  await page.locator('.conn.conn-connected').waitFor({ timeout: 30_000 });
}

describe.skipIf(!hasChromium)('web app: replies, edits, withdrawals, typing and mentions (PROTOCOL.md §9.3)', () => {
  let server: Server;
  let browser: Browser;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    await buildWebOnce();
    server = await startServer();
    browser = await launch();
    const seeded = await seedAgencyOfficers(server, [
      ['alice', 'Alice Costa'],
      ['bob', 'Bob Ruiz'],
    ]);
    [alice, bob] = seeded.officers as [Person, Person];
    const [adminSdk, aliceSdk, bobSdk] = seeded.sdks as [LiaisonClient, LiaisonClient, LiaisonClient];
    const ch = await adminSdk.createChannel({ kind: 'team', title: 'Operation Harbour', members: [alice.id, bob.id] });
    await bobSdk.send(ch.id, { kind: 'text', text: BOB_MSG });
    await aliceSdk.send(ch.id, { kind: 'text', text: WRONG });
    for (const c of [adminSdk, aliceSdk, bobSdk]) c.lock();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`${viewport.width}×${viewport.height}: Alice replies with a mention, edits and withdraws; Bob sees quote, typing, edit, withdrawal`, { timeout: 240_000 }, async () => {
      const a = await newPage(browser, { viewport });
      const b = await newPage(browser, { viewport });
      await Promise.all([openChannel(a.page, server, alice), openChannel(b.page, server, bob)]);
      const tag = `${viewport.width}`;
      const reply = `which terminal ${tag}?`;
      const edited = `Which terminal and which quay (${tag})?`;

      // Reply from the menu: a quote above the composer, "@Bo" offers Bob, Enter picks him.
      await menu(a.page, BOB_MSG, 'Reply');
      await a.page.getByTestId('compose-reply').waitFor();
      const box = a.page.getByLabel('Message', { exact: true });
      await box.pressSequentially('@Bo');
      await a.page.getByRole('option', { name: '@Bob Ruiz' }).waitFor();
      await box.press('Enter');
      expect(await box.inputValue()).toBe('@Bob Ruiz ');
      // Bob sees Alice typing (polite live region above his composer) while she types. A client says it is typing at
      // most once per 3 s and a notice shows for 5 s (PROTOCOL.md §9.3), so the notice is looked for during the typing:
      // checked only afterwards, it may rightly have gone on a slow machine.
      await Promise.all([
        box.pressSequentially(reply, { delay: 250 }),
        expect.poll(() => b.page.getByTestId('typing').textContent(), { timeout: 10_000, interval: 100 }).toBe('Alice Costa is typing…'),
      ]);
      await box.press('Enter');
      const got = message(b.page, reply);
      await got.waitFor().catch(async (err: unknown) => {
        await screenshot(a.page, `replies-edits-reply-missing-alice-${tag}`);
        await screenshot(b.page, `replies-edits-reply-missing-bob-${tag}`);
        throw new Error(`${String(err)}\n${await pageState(a, 'Alice')}\n${await pageState(b, 'Bob')}`);
      });
      await expect.poll(() => got.getByTestId('reply-quote').textContent()).toContain(BOB_MSG);
      expect(await got.getByTestId('reply-quote').getAttribute('data-reply')).toBe('verified');
      expect(await got.getAttribute('data-mentions-me')).toBe('true');
      await got.getByText('mentions you', { exact: true }).waitFor();
      // The quote brings the original into view and focus.
      await got.getByTestId('reply-quote').getByRole('button').click();
      await expect.poll(() => b.page.evaluate(() => document.activeElement?.textContent ?? '')).toContain(BOB_MSG);

      // Up arrow on the empty composer edits Alice's last message; Bob sees the new text marked "edited".
      await expect.poll(() => box.inputValue()).toBe('');
      await box.press('ArrowUp');
      await a.page.getByTestId('compose-edit').waitFor();
      await expect.poll(() => box.inputValue()).toContain(reply);
      await box.fill(edited);
      await box.press('Enter');
      const after = message(b.page, edited);
      await after.waitFor();
      await after.getByTestId('edited').waitFor();
      expect(await b.page.getByTestId('correction-notice').filter({ hasText: 'Alice Costa edited a message' }).count()).toBeGreaterThan(0);

      // Withdraw (first round only: the message exists once) with a reason.
      if (tag === '1280') {
        await menu(a.page, WRONG, 'Withdraw');
        await a.page.getByLabel('Reason').fill('Wrong seal number');
        await a.page.getByRole('alertdialog').getByRole('button', { name: 'Withdraw' }).click();
        await a.page.getByText('Message withdrawn by You: Wrong seal number').waitFor().catch(async (err: unknown) => {
          await screenshot(a.page, 'replies-edits-withdraw-failed');
          throw new Error(`${String(err)}\n${(await a.page.locator('.withdraw-form').textContent().catch(() => '')) ?? ''}\n${a.errors.join('\n')}`);
        });
        await b.page.getByText('Message withdrawn by Alice Costa: Wrong seal number').waitFor();
        expect(await b.page.getByTestId('message').filter({ hasText: WRONG }).count()).toBe(0);
      } else {
        await b.page.getByText('Message withdrawn by Alice Costa: Wrong seal number').waitFor();
      }
      await screenshot(b.page, `replies-edits-bob-${tag}`);
      await screenshot(a.page, `replies-edits-alice-${tag}`);
      for (const [who, page] of [['Bob', b.page], ['Alice', a.page]] as const) {
        const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(violations, `${who} ${tag}:\n${describeViolations(violations)}`).toEqual([]);
      }
      expect([...a.errors, ...b.errors].filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      await a.context.close();
      await b.context.close();
    });
  }

  it('typing straight after choosing a mention keeps every character in order, even when animation frames come late', { timeout: 240_000 }, async () => {
    const a = await newPage(browser, { viewport: { width: 390, height: 844 } });
    // A busy phone: every animation frame comes 300 ms late, after the next keystrokes.
    await a.context.addInitScript(() => {
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (cb: FrameRequestCallback) => {
        setTimeout(() => raf(cb), 300);
        return 0;
      };
    });
    await openChannel(a.page, server, alice);
    const box = a.page.getByLabel('Message', { exact: true });
    await box.pressSequentially('@Bo');
    await a.page.getByRole('option', { name: '@Bob Ruiz' }).waitFor();
    await box.press('Enter');
    await box.pressSequentially('which berth?');
    await sleep(500);
    expect(await box.inputValue()).toBe('@Bob Ruiz which berth?');
    // In the middle of a text too: the caret stays after the inserted name.
    await box.fill('see  now');
    await box.press('Home');
    for (let i = 0; i < 4; i++) await box.press('ArrowRight');
    await box.pressSequentially('@Bo');
    await a.page.getByRole('option', { name: '@Bob Ruiz' }).waitFor();
    await box.press('Enter');
    await box.pressSequentially('first');
    await sleep(500);
    expect(await box.inputValue()).toBe('see @Bob Ruiz first now');
    await a.context.close();
  });

  it('1280×800: a typed "@Bob Ruiz" notifies Bob: "@" on the channel in his list and a desktop notification without the text', { timeout: 240_000 }, async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    await recordNotifications(b.context);
    await Promise.all([openChannel(a.page, server, alice), openChannel(b.page, server, bob)]);
    // Bob leaves the channel for the list, then the tab goes to the background.
    await b.page.evaluate(() => {
      location.hash = '#/channels';
    });
    await b.page.getByRole('log', { name: 'Messages' }).waitFor({ state: 'detached' });
    expect(await b.page.getByTestId('mentioned').count()).toBe(0);
    await setTabHidden(b.page, true);

    const text = 'is the seal number checked now?';
    const box = a.page.getByLabel('Message', { exact: true });
    await box.pressSequentially(`@Bob Ruiz ${text}`);
    await box.press('Enter');
    await message(a.page, text).waitFor();

    const link = b.page.getByRole('link', { name: /Operation Harbour/ }).first();
    await link.getByTestId('mentioned').waitFor();
    expect(await link.getByTestId('mentioned').getAttribute('aria-label')).toBe('You were mentioned');
    const notes = () => shownNotifications(b.page);
    await expect.poll(notes, { timeout: 10_000 }).toContainEqual({ title: 'Liaison', body: 'You were mentioned in Operation Harbour' });
    expect(JSON.stringify(await notes())).not.toContain('seal');
    const violations = (await axeViolations(b.page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(violations, `Bob's channel list with a mention:\n${describeViolations(violations)}`).toEqual([]);

    // Back in the tab, Bob opens the channel: the message is highlighted for him and the "@" goes.
    await setTabHidden(b.page, false);
    await link.click();
    const got = message(b.page, text);
    await got.waitFor();
    expect(await got.getAttribute('data-mentions-me')).toBe('true');
    await got.getByText('mentions you', { exact: true }).waitFor();
    await expect.poll(() => b.page.getByTestId('mentioned').count()).toBe(0);
    expect([...a.errors, ...b.errors].filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    await a.context.close();
    await b.context.close();
  });
});
