/** Storage port for desk intake keys and sealed desk requests. SQL lives in server/store/sqlite/intake-repository.ts. */
export interface IntakeKeyRow {
  deskId: string;
  version: number;
  /** The statement's wire JSON (PROTOCOL.md A.15) as published. */
  statement: string;
  signerId: string;
  createdAt: number;
}

/** `copy`: an Art. 4(1) copy to the agency's SPOC desk, never paged or claimed (docs/REQUESTS.md). */
export type DeskRequestState = 'open' | 'claimed' | 'copy';

export interface DeskRequestRow {
  id: string;
  deskId: string;
  requesterId: string;
  requestId: string;
  version: number;
  /** The request's wire JSON (A.16): sealed, so the server cannot read it. */
  request: string;
  receivedAt: number;
  pageId: string | null;
  state: DeskRequestState;
  claimedBy: string | null;
  claimedAt: number | null;
  caseChannelId: string | null;
  /** For a copy: the request (requests.id) it was linked to. */
  copyOf: string | null;
}

export interface IntakeRepository {
  /** The desk's statements, oldest version first. */
  keys(deskId: string): Promise<IntakeKeyRow[]>;
  key(deskId: string, version: number): Promise<IntakeKeyRow | undefined>;
  latestKey(deskId: string): Promise<IntakeKeyRow | undefined>;
  insertKey(row: IntakeKeyRow): Promise<void>;
  request(id: string): Promise<DeskRequestRow | undefined>;
  requestByRequester(requesterId: string, requestId: string): Promise<DeskRequestRow | undefined>;
  insertRequest(row: DeskRequestRow): Promise<void>;
  /** The desk's requests, newest first, optionally in one state. */
  requestsOfDesk(deskId: string, state: DeskRequestState | undefined, limit: number): Promise<DeskRequestRow[]>;
  requestsOf(requesterId: string, limit: number): Promise<DeskRequestRow[]>;
  /** Claims an open request (first claim wins): true when this call changed it. */
  claim(id: string, by: string, at: number): Promise<boolean>;
  setCaseChannel(id: string, channelId: string): Promise<void>;
  /** Links an unlinked copy to its request: true when this call changed it. */
  linkCopy(id: string, requestId: string): Promise<boolean>;
}
