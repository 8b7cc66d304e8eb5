import { Type } from 'typebox';
import { IdParams, errorResponses } from '../schemas/common.ts';
import {
  AddDeviceBody,
  AgencyRootView,
  DeviceBody,
  DeviceIdParams,
  DeviceList,
  RevokeDeviceBody,
  CertifyBody,
  KeyBackupBody,
  KeyLogPage,
  KeyLogQuery,
  OfficerKeys,
  PendingCertifications,
  ProposeRootSetBody,
  PendingRevocations,
  RegisterKeysBody,
  RegisteredKeys,
  RenewalRequestBody,
  RevokeCertificateBody,
  RootSetOutcome,
  RootSetProposal,
  RotatePrekeyBody,
  SignRootSetBody,
} from '../schemas/keys.ts';
import { defineEndpoint } from './endpoint.ts';

export const KeysBody = Type.Object({ keys: OfficerKeys });

const tags = ['keys'];

export const register = defineEndpoint({
  method: 'PUT',
  path: '/keys/me',
  tags,
  summary: 'Register identity keys (enrol key event, signed prekey, sealed backup)',
  body: RegisterKeysBody,
  response: { 200: RegisteredKeys, ...errorResponses(400, 401) },
});

export const backup = defineEndpoint({
  method: 'GET',
  path: '/keys/me/backup',
  tags,
  summary: 'Your own sealed key backup',
  response: { 200: KeyBackupBody, ...errorResponses(401, 404) },
});

export const rotatePrekey = defineEndpoint({
  method: 'POST',
  path: '/keys/me/prekey',
  tags,
  summary: 'Rotate your signed prekey',
  body: RotatePrekeyBody,
  response: { 200: KeysBody, ...errorResponses(400, 401, 409) },
});

export const requestRenewal = defineEndpoint({
  method: 'POST',
  path: '/keys/me/renewal',
  tags,
  summary: 'Ask your agency root to renew your certificate (signed renewal request, from 80 % of its lifetime)',
  body: RenewalRequestBody,
  response: { 200: KeysBody, ...errorResponses(400, 401, 403, 409) },
});

export const certify = defineEndpoint({
  method: 'POST',
  path: '/keys/certificates',
  tags,
  summary: 'Store a certificate issued by the agency root (with its cert-issue key event)',
  body: CertifyBody,
  response: { 200: KeysBody, ...errorResponses(400, 401, 403, 404) },
});

export const pending = defineEndpoint({
  method: 'GET',
  path: '/keys/pending',
  tags,
  summary: "Your agency's officers whose keys need a certificate, with the reason: new keys, renewal requested, expired, role changed (agency admin)",
  response: { 200: PendingCertifications, ...errorResponses(401, 403) },
});

export const officerKeys = defineEndpoint({
  method: 'GET',
  path: '/keys/officers/:id',
  tags,
  summary: "An officer's public keys, certificate and fingerprint",
  params: IdParams,
  response: { 200: KeysBody, ...errorResponses(401, 404) },
});

export const agencyRoot = defineEndpoint({
  method: 'GET',
  path: '/keys/agencies/:id/root',
  tags,
  summary: "An agency's root: the version-0 key and every later root set (PROTOCOL.md §4.4)",
  params: IdParams,
  response: { 200: AgencyRootView, ...errorResponses(401, 404) },
});

export const rootProposal = defineEndpoint({
  method: 'GET',
  path: '/keys/agencies/:id/root/proposal',
  tags,
  summary: "The agency's pending root-set proposal, if any (administrators of that agency)",
  params: IdParams,
  response: { 200: Type.Object({ proposal: Type.Union([RootSetProposal, Type.Null()]) }), ...errorResponses(401, 403, 404) },
});

export const proposeRootSet = defineEndpoint({
  method: 'POST',
  path: '/keys/agencies/:id/root/proposal',
  tags,
  summary: 'Propose the successor root set, signed by the proposer; it applies once the threshold of the set in force signed',
  params: IdParams,
  body: ProposeRootSetBody,
  response: { 201: RootSetOutcome, ...errorResponses(400, 401, 403, 404, 409) },
});

export const signRootSet = defineEndpoint({
  method: 'POST',
  path: '/keys/agencies/:id/root/proposal/signatures',
  tags,
  summary: 'Add your signature to the pending root-set proposal',
  params: IdParams,
  body: SignRootSetBody,
  response: { 200: RootSetOutcome, ...errorResponses(400, 401, 403, 404, 409) },
});

export const keyLog = defineEndpoint({
  method: 'GET',
  path: '/keylog',
  tags,
  summary: 'Key-transparency log entries from `from`, with the signed head at the end of the page',
  query: KeyLogQuery,
  response: { 200: KeyLogPage, ...errorResponses(400, 401) },
});

export const pendingRevocations = defineEndpoint({
  method: 'GET',
  path: '/keys/revocations/pending',
  tags,
  summary: "Your agency's certificates the agency root must revoke (suspended officers; agency root)",
  response: { 200: PendingRevocations, ...errorResponses(401, 403) },
});

export const revoke = defineEndpoint({
  method: 'POST',
  path: '/keys/revocations',
  tags,
  summary: "Revoke an officer's current certificate with a root-signed cert-revoke key event (agency root)",
  body: RevokeCertificateBody,
  response: { 200: KeysBody, ...errorResponses(400, 401, 403, 404, 409) },
});

// ---- devices (PROTOCOL.md §4.5) ----

export const addDevice = defineEndpoint({
  method: 'POST',
  path: '/keys/me/devices',
  tags,
  summary: "Add (or re-announce) this device: its key, certified by the officer's identity with a device-add key event; binds the calling session to the device",
  body: AddDeviceBody,
  response: { 200: DeviceBody, 201: DeviceBody, ...errorResponses(400, 401, 409) },
});

export const myDevices = defineEndpoint({
  method: 'GET',
  path: '/keys/me/devices',
  tags,
  summary: "The signed-in officer's devices, newest first, revoked ones included",
  response: { 200: DeviceList, ...errorResponses(401) },
});

export const revokeDevice = defineEndpoint({
  method: 'POST',
  path: '/keys/me/devices/:deviceId/revoke',
  tags,
  summary: "Revoke one of your devices with an identity-signed device-revoke key event; ends the device's sessions and refuses its sends",
  params: DeviceIdParams,
  body: RevokeDeviceBody,
  response: { 200: DeviceBody, ...errorResponses(400, 401, 404, 409) },
});
