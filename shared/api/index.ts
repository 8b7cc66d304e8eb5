import * as accounts from './accounts.ts';
import * as agreements from './agreements.ts';
import * as attachments from './attachments.ts';
import * as audit from './audit.ts';
import * as auth from './auth.ts';
import * as channels from './channels.ts';
import * as desks from './desks.ts';
import * as directory from './directory.ts';
import * as enrolment from './enrolment.ts';
import type { Endpoint } from './endpoint.ts';
import * as extendedAccess from './extended-access.ts';
import * as health from './health.ts';
import * as keys from './keys.ts';
import * as messages from './messages.ts';
import * as notifications from './notifications.ts';
import * as pages from './pages.ts';
import * as intake from './intake.ts';
import * as requests from './requests.ts';
import * as stats from './stats.ts';

export * from './endpoint.ts';

/** Every HTTP endpoint of Liaison, by domain: `api.channels.get`, `api.agreements.transitions.suspend`. */
export const api = { accounts, agreements, attachments, audit, auth, channels, desks, directory, enrolment, extendedAccess, health, intake, keys, messages, notifications, pages, requests, stats };

function isEndpoint(value: unknown): value is Endpoint {
  return typeof value === 'object' && value !== null && 'method' in value && 'path' in value && 'response' in value;
}

/** All contracts, flattened (the OpenAPI test checks the served document lists exactly these). */
export function allEndpoints(): Endpoint[] {
  const out: Endpoint[] = [];
  const walk = (value: unknown): void => {
    if (isEndpoint(value)) out.push(value);
    else if (typeof value === 'object' && value !== null && !('type' in value) && !('~kind' in value)) for (const v of Object.values(value)) walk(v);
  };
  walk(api);
  return out;
}
