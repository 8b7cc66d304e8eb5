import { useEffect, useRef, useState } from 'preact/hooks';
import type { Desk } from '../../../../shared/schemas/desks.ts';
import type { ReachabilityReport } from '../../../../shared/schemas/pages.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useT } from '../i18n/i18n.ts';
import { ackDuration, ackShare, testPagesSummary } from '../lib/reachability.ts';

/** The desk's reachability reports (docs/DESKS.md "Reachability reports"), newest first; supervisors may make one now. */
export function DeskReachability({ desk, canRun, nameOf }: { desk: Desk; canRun: boolean; nameOf: (id: string) => string }) {
  const chat = useChat();
  const t = useT('desk-reachability');
  const [reports, setReports] = useState<ReachabilityReport[] | null>(null);
  const [made, setMade] = useState(false);
  const statusRef = useRef<HTMLParagraphElement>(null);
  const [load, , loadError] = useAction(async () => setReports(await chat.api.reachability(desk.id)));
  const [run, running, runError] = useAction(async () => {
    setMade(false);
    const report = await chat.api.runReachability(desk.id);
    setReports((rs) => [report, ...(rs ?? []).filter((r) => r.id !== report.id)]);
    setMade(true);
    setTimeout(() => statusRef.current?.focus(), 0);
  });
  useEffect(() => void load(), [desk.id]);
  return (
    <section aria-labelledby="reachability-title" data-testid="reachability">
      <h2 id="reachability-title">{t('title')}</h2>
      <p class="hint">{t('hint')}</p>
      {canRun && (
        <button type="button" onClick={() => void run()} disabled={running}>
          {running ? t('running') : t('run')}
        </button>
      )}
      <p role="status" aria-live="polite" tabIndex={-1} ref={statusRef}>
        {made ? t('made') : ''}
      </p>
      <ErrorBox error={loadError ?? runError} />
      {reports && reports.length === 0 && <p>{t('none')}</p>}
      {reports && reports.length > 0 && (
        <div class="reachability-scroll" tabIndex={0} role="region" aria-labelledby="reachability-title">
        <table class="reachability">
          <caption class="sr-only">{t('title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('period')}</th>
              <th scope="col">{t('pages')}</th>
              <th scope="col">{t('acknowledged')}</th>
              <th scope="col">{t('exhausted')}</th>
              <th scope="col">{t('median')}</th>
              <th scope="col">{t('p90')}</th>
              <th scope="col">{t('uncovered')}</th>
              <th scope="col">{t('tests')}</th>
              <th scope="col">{t('noTransport')}</th>
            </tr>
          </thead>
          <tbody>
            {reports.slice(0, 14).map((r) => {
              const n = r.numbers;
              const share = ackShare(n);
              return (
                <tr key={r.id}>
                  <th scope="row">
                    {formatDateTime(r.periodStart)} – {formatDateTime(r.periodEnd)}{' '}
                    <span class="meta">({r.scheduled ? t('scheduled') : t('onDemand')})</span>
                  </th>
                  <td>{n.pagesOpened}</td>
                  <td>
                    {n.acknowledged}
                    {share !== null && <span class="meta"> ({share}%)</span>}
                  </td>
                  <td class={n.exhausted > 0 ? 'warn' : ''}>{n.exhausted}</td>
                  <td>{ackDuration(n.medianAckMs)}</td>
                  <td>{ackDuration(n.p90AckMs)}</td>
                  <td class={n.uncoveredHours > 0 ? 'warn' : ''}>{n.uncoveredHours}</td>
                  <td>{testPagesSummary(n.testPages)}</td>
                  <td class={n.officersWithoutTransport.length > 0 ? 'warn' : ''}>
                    {n.officersWithoutTransport.length === 0 ? t('none0') : n.officersWithoutTransport.map(nameOf).join(', ')}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      )}
    </section>
  );
}
