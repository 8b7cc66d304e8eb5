import { IdParams, errorResponses } from '../schemas/common.ts';
import { AgencyStats, NetworkStats, ReportQuery, SignedStatsReport, StatsQuery } from '../schemas/stats.ts';
import { defineEndpoint } from './endpoint.ts';

const tags = ['stats'];

export const agency = defineEndpoint({
  method: 'GET',
  path: '/stats/agency/:id',
  tags,
  summary: "The agency's yearly figures without content (its administrators; docs/STATS.md)",
  description:
    'Directive (EU) 2023/977 Art. 18 figures as the requested and as the requesting party, country pairs, response times against the legal deadlines and directory health, computed from request metadata only, with counts below STATS_MIN_COUNT suppressed. `format=csv` or `Accept: text/csv` returns the flat CSV (text/csv). Audited as stats.viewed or stats.exported.',
  params: IdParams,
  query: StatsQuery,
  response: { 200: AgencyStats, ...errorResponses(400, 401, 403, 404) },
});

export const network = defineEndpoint({
  method: 'GET',
  path: '/stats/network',
  tags,
  summary: "The network's yearly figures without content (the secretariat's platform administrators; docs/STATS.md)",
  description: 'As /stats/agency/:id over every request, with sent and received counts per agency. `format=csv` or `Accept: text/csv` returns the flat CSV.',
  query: StatsQuery,
  response: { 200: NetworkStats, ...errorResponses(400, 401, 403) },
});

export const report = defineEndpoint({
  method: 'GET',
  path: '/stats/network/report',
  tags,
  summary: "The network's figures as a JSON report signed with the server's audit key (docs/STATS.md \"Signed report\")",
  query: ReportQuery,
  response: { 200: SignedStatsReport, ...errorResponses(400, 401, 403) },
});
