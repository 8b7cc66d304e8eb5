import { useEffect, useState } from 'preact/hooks';
import { api } from '../../../../shared/api/index.ts';
import type { AgencyStats, Figure, NetworkStats, SideFigures } from '../../../../shared/schemas/stats.ts';
import { useChat } from '../app-context.ts';
import { ErrorBox, useAction } from '../components/form.tsx';
import { useLanguage } from '../i18n/i18n.ts';
import { formatDateTime } from '../lib/format.ts';
import {
  answeredBars,
  barLength,
  downloadName,
  figureText,
  formatDuration,
  formatShare,
  refusalBars,
  sideRows,
  statsText as text,
  statsViewFor,
  yearOptions,
  type FigureRow,
} from '../lib/stats.ts';

// The same contracts read as bytes (CSV); the server picks the format from `format=csv`.
const agencyCsv = { ...api.stats.agency, binaryResponse: true } as const;
const networkCsv = { ...api.stats.network, binaryResponse: true } as const;

function save(bytes: BlobPart, type: string, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `#/stats`: the agency's figures for its administrators, the network's for platform administrators (docs/STATS.md). */
export function StatsScreen() {
  const chat = useChat();
  // The texts (lib/stats.ts statsText) read the current language; a switch re-renders the screen and its parts.
  useLanguage();
  const view = statsViewFor(chat.me.officer.role, chat.me.agency.id);
  const [year, setYear] = useState(() => new Date().getUTCFullYear());
  const [stats, setStats] = useState<AgencyStats | NetworkStats | null>(null);
  const [load, loading, error] = useAction(async (y: number) => {
    if (!view) return;
    setStats(null);
    setStats(view.scope === 'agency' ? await chat.client.call(api.stats.agency, { params: { id: view.agencyId }, query: { year: y } }) : await chat.client.call(api.stats.network, { query: { year: y } }));
  });
  useEffect(() => {
    void load(year);
  }, [year]);
  const [csv, csvBusy, csvError] = useAction(async () => {
    if (!view) return;
    const bytes =
      view.scope === 'agency'
        ? await chat.client.call(agencyCsv, { params: { id: view.agencyId }, query: { year, format: 'csv' } })
        : await chat.client.call(networkCsv, { query: { year, format: 'csv' } });
    save(bytes as BlobPart, 'text/csv', downloadName(view, year, 'csv'));
  });
  const [report, reportBusy, reportError] = useAction(async () => {
    if (!view) return;
    const signed = await chat.client.call(api.stats.report, { query: { year } });
    save(JSON.stringify(signed, null, 2), 'application/json', downloadName(view, year, 'json'));
  });
  if (!view) return <p>{text.notAllowed}</p>;
  const k = stats?.minCount ?? 5;
  return (
    <section class="stats" aria-labelledby="stats-title">
      <h1 id="stats-title">{view.scope === 'agency' ? text.agencyTitle(chat.me.agency.name) : text.networkTitle}</h1>
      <p class="hint">{text.intro(k)}</p>
      <div class="toolbar">
        <label class="field">
          <span class="field-label">{text.year}</span>
          <select name="stats-year" value={year} onChange={(e) => setYear(Number(e.currentTarget.value))}>
            {yearOptions(Date.now()).map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={csvBusy || !stats} onClick={() => void csv()} data-testid="stats-csv">
          {text.downloadCsv}
        </button>
        {view.scope === 'network' && (
          <button type="button" disabled={reportBusy || !stats} onClick={() => void report()} title={text.reportHint}>
            {text.downloadReport}
          </button>
        )}
      </div>
      <ErrorBox error={error ?? csvError ?? reportError} />
      {loading && !stats && <p aria-busy="true">{text.loading}</p>}
      {stats && <p class="meta">{text.generatedAt(formatDateTime(stats.generatedAt))}</p>}
      {stats?.scope === 'agency' && (
        <>
          <Side title={text.asRequested} id="as-requested" side={stats.asRequested} k={k} />
          <Side title={text.asRequesting} id="as-requesting" side={stats.asRequesting} k={k} />
        </>
      )}
      {stats?.scope === 'network' && <Side title={text.networkRequests} id="network-requests" side={stats.requests} k={k} />}
      {stats?.scope === 'network' && <Agencies rows={stats.agencies} k={k} />}
      {stats && <Pairs pairs={stats.countryPairs} k={k} />}
      {stats && <ResponseTimesTable stats={stats} k={k} />}
      {stats && <FigureTable id="directory-health" title={text.directoryHealth} k={k} rows={healthRows(stats)} />}
    </section>
  );
}

function healthRows(s: AgencyStats | NetworkStats): FigureRow[] {
  const d = s.directoryHealth;
  return [
    { key: 'staleEntries', label: text.rows.staleEntries, figure: d.staleEntries },
    { key: 'desksTestUnacknowledged', label: text.rows.desksTestUnacknowledged, figure: d.desksTestUnacknowledged },
    { key: 'exhaustedPages', label: text.rows.exhaustedPages, figure: d.exhaustedPages },
  ];
}

function Side({ title, id, side, k }: { title: string; id: string; side: SideFigures; k: number }) {
  const countries = Object.entries(side.answeredByCountry).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section class="stats-side" aria-labelledby={`${id}-title`} data-testid={`stats-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div class="charts">
        <BarChart id={`${id}-answered`} title={text.chartAnswered} rows={answeredBars(side)} k={k} />
        <BarChart id={`${id}-refusals`} title={text.chartRefusals} rows={refusalBars(side)} k={k} />
      </div>
      <FigureTable id={`${id}-figures`} title={title} k={k} rows={sideRows(side)} hideCaption />
      {countries.length > 0 && (
        <table class="figures">
          <caption>{text.byCountry}</caption>
          <thead>
            <tr>
              <th scope="col">{text.country}</th>
              <th scope="col">{text.full}</th>
              <th scope="col">{text.partial}</th>
            </tr>
          </thead>
          <tbody>
            {countries.map(([c, f]) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                <td>{figureText(f.full, k)}</td>
                <td>{figureText(f.partial, k)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function FigureTable({ id, title, rows, k, hideCaption }: { id: string; title: string; rows: FigureRow[]; k: number; hideCaption?: boolean }) {
  return (
    <table class="figures" id={id}>
      <caption class={hideCaption ? 'sr-only' : undefined}>{title}</caption>
      <thead>
        <tr>
          <th scope="col">{text.figure}</th>
          <th scope="col">{text.value}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-figure={r.key} data-suppressed={r.figure.suppressed ? 'true' : undefined}>
            <th scope="row">{r.label}</th>
            <td>{figureText(r.figure, k)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const BAR_W = 240;
const ROW_H = 22;
const LABEL_W = 200;

/**
 * Horizontal bars as inline SVG. The SVG is an image named by its title whose description points to the table that
 * follows it, which holds the same figures (the text alternative); suppressed cells draw no bar and read "fewer than k".
 */
function BarChart({ id, title, rows, k }: { id: string; title: string; rows: FigureRow[]; k: number }) {
  const figures = rows.map((r) => r.figure);
  const height = rows.length * ROW_H + 4;
  return (
    <figure class="chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>{title}</figcaption>
      <svg role="img" aria-labelledby={`${id}-caption`} aria-describedby={`${id}-desc`} width={LABEL_W + BAR_W + 110} height={height} viewBox={`0 0 ${LABEL_W + BAR_W + 110} ${height}`}>
        <desc id={`${id}-desc`}>{text.chartAlt}</desc>
        {rows.map((r, i) => {
          const y = i * ROW_H + 2;
          const len = barLength(r.figure, figures, BAR_W);
          return (
            <g key={r.key}>
              <text x={0} y={y + 15} font-size="12" fill="currentColor">
                {r.label}
              </text>
              <rect x={LABEL_W} y={y + 3} width={len} height={ROW_H - 8} fill="#1f5fa8" />
              <text x={LABEL_W + len + 6} y={y + 15} font-size="12" fill="currentColor" font-style={r.figure.suppressed ? 'italic' : undefined}>
                {figureText(r.figure, k)}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="figures sr-only">
        <caption>{title}</caption>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>{figureText(r.figure, k)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function Pairs({ pairs, k }: { pairs: AgencyStats['countryPairs']; k: number }) {
  if (pairs.length === 0) return null;
  return (
    <table class="figures" data-testid="stats-pairs">
      <caption>{text.countryPairs}</caption>
      <thead>
        <tr>
          <th scope="col">{text.pair}</th>
          <th scope="col">{text.requests}</th>
        </tr>
      </thead>
      <tbody>
        {pairs.map((p) => (
          <tr key={`${p.from}>${p.to}`}>
            <th scope="row">
              {p.from} → {p.to}
            </th>
            <td>{figureText(p.requests, k)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Agencies({ rows, k }: { rows: { agencyId: string; sent: Figure; received: Figure }[]; k: number }) {
  const chat = useChat();
  if (rows.length === 0) return null;
  return (
    <table class="figures" data-testid="stats-agencies">
      <caption>{text.agencies}</caption>
      <thead>
        <tr>
          <th scope="col">{text.agency}</th>
          <th scope="col">{text.sent}</th>
          <th scope="col">{text.received}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.agencyId}>
            <th scope="row">{chat.agencies.get()[r.agencyId]?.name ?? r.agencyId.slice(0, 8)}</th>
            <td>{figureText(r.sent, k)}</td>
            <td>{figureText(r.received, k)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ResponseTimesTable({ stats, k }: { stats: AgencyStats | NetworkStats; k: number }) {
  const groups = (['all', 'urgent', 'non-urgent'] as const).map((u) => [u, stats.responseTimes[u]] as const);
  return (
    <table class="figures" data-testid="stats-response-times">
      <caption>{text.responseTimes}</caption>
      <thead>
        <tr>
          <th scope="col">{text.urgency}</th>
          <th scope="col">{text.answered}</th>
          <th scope="col">{text.median}</th>
          <th scope="col">{text.p90}</th>
          <th scope="col">{text.withinDeadline}</th>
          <th scope="col">{text.withinShare}</th>
        </tr>
      </thead>
      <tbody>
        {groups.map(([u, r]) => (
          <tr key={u}>
            <th scope="row">{text.urgencies[u]}</th>
            <td>{figureText(r.answered, k)}</td>
            <td>{figureText(r.medianMs, k, formatDuration)}</td>
            <td>{figureText(r.p90Ms, k, formatDuration)}</td>
            <td>{figureText(r.withinDeadline, k)}</td>
            <td>{figureText(r.withinDeadlineShare, k, formatShare)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

