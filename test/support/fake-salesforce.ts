/**
 * A fake Salesforce org for reconciliation tests, from the REST API Developer Guide:
 * - `GET /services/data/vNN.N/query?q=SOQL` → `{totalSize, done, records: [{attributes, …}],
 *   nextRecordsUrl?}`, dateTimes written `2024-06-02T16:30:00.000+0000`; a malformed query → 400
 *   `[{"message", "errorCode": "MALFORMED_QUERY"}]`. Only the query shapes the bridge sends are
 *   understood (the keyed Case listing, the CaseComment / EmailMessage thread): anything else is
 *   refused, so a change in what the bridge asks shows up as a failure. `batchSize` makes the fake
 *   answer in batches with `nextRecordsUrl` (queryMore), as Salesforce does past 2000 rows;
 * - `PATCH /sobjects/Case/{id}` (204) and `POST /sobjects/CaseComment` (201), which move
 *   LastModifiedDate; Bearer auth, else 401 `INVALID_SESSION_ID`.
 */
import type { FakeReply, RecordedRequest, Responder } from './fake-server.ts';

export const SALESFORCE_TOKEN = '00D5e000000FAKE!token';
const VERSION = 'v62.0';

export interface FakeCase {
  Id: string;
  CaseNumber: string;
  Subject: string;
  Description: string;
  Status: string;
  IsClosed: boolean;
  ClosedDate: string | null;
  Priority: string;
  Origin: string;
  ContactId: string;
  SuppliedEmail: string | null;
  OwnerId: string;
  CreatedDate: string;
  LastModifiedDate: string;
}

export interface FakeSalesforce {
  readonly cases: Map<string, FakeCase>;
  readonly respond: Responder;
  writeBacks(caseId: string): number;
}

/** Salesforce's dateTime notation in REST answers. */
export const sfTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

const malformed = (message: string): FakeReply => ({ status: 400, json: [{ message, errorCode: 'MALFORMED_QUERY' }] });
const LISTING =
  /^SELECT (?<fields>[A-Za-z, ]+) FROM Case WHERE (?:LastModifiedDate >= (?<from>\S+Z)|\(LastModifiedDate > (?<t1>\S+Z) OR \(LastModifiedDate = (?<t2>\S+Z) AND Id > '(?<after>[A-Za-z0-9]{18})'\)\)) ORDER BY LastModifiedDate ASC, Id ASC LIMIT (?<limit>\d+)$/;

export function startFakeSalesforce(options: { now: () => number; batchSize?: number }): FakeSalesforce {
  const cases = new Map<string, FakeCase>();
  const writes = new Map<string, number>();
  const pending = new Map<string, Record<string, unknown>[]>();
  let locators = 0;

  function answer(rows: Record<string, unknown>[]): FakeReply {
    const batch = options.batchSize ?? 2000;
    if (rows.length <= batch) return { json: { totalSize: rows.length, done: true, records: rows } };
    // A query locator is a record id (key prefix 01g), as in the guide's `01gD0000002HU6KIAW-2000`.
    const locator = `01g5e00000${String(++locators).padStart(5, '0')}AAA`;
    pending.set(locator, rows.slice(batch));
    return { json: { totalSize: rows.length, done: false, nextRecordsUrl: `/services/data/${VERSION}/query/${locator}-${batch}`, records: rows.slice(0, batch) } };
  }

  function query(r: RecordedRequest): FakeReply {
    const soql = r.query.get('q') ?? '';
    if (/ FROM (CaseComment|EmailMessage) WHERE ParentId = '[A-Za-z0-9]{15,18}' ORDER BY (CreatedDate|MessageDate) ASC LIMIT \d+$/.test(soql)) return answer([]);
    const m = LISTING.exec(soql);
    if (m?.groups === undefined) return malformed(`unexpected query: ${soql}`);
    const g = m.groups;
    if (g.t1 !== undefined && g.t1 !== g.t2) return malformed('the two times of a keyed page must be equal');
    const fields = (g.fields ?? '').split(',').map((f) => f.trim());
    const unknown = fields.find((f) => !['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'IsClosed', 'ClosedDate', 'Priority', 'Origin', 'ContactId', 'SuppliedEmail', 'OwnerId', 'CreatedDate', 'LastModifiedDate'].includes(f));
    if (unknown !== undefined) return { status: 400, json: [{ message: `No such column '${unknown}' on entity 'Case'`, errorCode: 'INVALID_FIELD' }] };
    const from = Date.parse(g.from ?? g.t1 ?? '');
    const after = g.after;
    const rows = [...cases.values()]
      .filter((c) => {
        const t = Date.parse(c.LastModifiedDate);
        return after === undefined ? t >= from : t > from || (t === from && c.Id > after);
      })
      .sort((a, b) => Date.parse(a.LastModifiedDate) - Date.parse(b.LastModifiedDate) || (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0))
      .slice(0, Number(g.limit))
      .map((c) => ({ attributes: { type: 'Case', url: `/services/data/${VERSION}/sobjects/Case/${c.Id}` }, ...Object.fromEntries(fields.map((f) => [f, c[f as keyof FakeCase]])) }));
    return answer(rows);
  }

  const touch = (id: string) => {
    const c = cases.get(id);
    if (c === undefined) return false;
    writes.set(id, (writes.get(id) ?? 0) + 1);
    c.LastModifiedDate = sfTime(Math.floor(options.now() / 1000) * 1000);
    return true;
  };

  const respond: Responder = (r) => {
    if (r.headers.authorization !== `Bearer ${SALESFORCE_TOKEN}`) return { status: 401, json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
    const base = `/services/data/${VERSION}`;
    if (r.method === 'GET' && r.path === `${base}/query`) return query(r);
    const more = new RegExp(`^${base}/query/(01g[A-Za-z0-9]{15})-\\d+$`).exec(r.path);
    if (r.method === 'GET' && more !== null) {
      const rows = pending.get(more[1] ?? '');
      if (rows === undefined) return { status: 400, json: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }] };
      pending.delete(more[1] ?? '');
      return answer(rows);
    }
    const patch = new RegExp(`^${base}/sobjects/Case/([A-Za-z0-9]{18})$`).exec(r.path);
    if (r.method === 'PATCH' && patch !== null) return touch(patch[1] ?? '') ? { status: 204 } : { status: 404, json: [{ errorCode: 'NOT_FOUND' }] };
    if (r.method === 'POST' && r.path === `${base}/sobjects/CaseComment`) {
      const parent = String((r.body as { ParentId?: unknown } | undefined)?.ParentId ?? '');
      return touch(parent) ? { status: 201, json: { id: '00a5e00000FAKE1AAA', success: true, errors: [] } } : { status: 400, json: [{ errorCode: 'INVALID_CROSS_REFERENCE_KEY' }] };
    }
    return { status: 404, json: [{ errorCode: 'NOT_FOUND', message: `${r.method} ${r.path}` }] };
  };
  return { cases, respond, writeBacks: (id) => writes.get(id) ?? 0 };
}

/**
 * An 18-character Case id for a number (key prefix 500): the 15-character id plus Salesforce's
 * case-safe suffix — per 5-character chunk, a bit per upper-case letter, as a character of
 * A–Z0–5 (the published algorithm, e.g. https://help.salesforce.com/s/articleView?id=000385585).
 */
export function caseId(n: number): string {
  const id15 = `5005e0000${String(n).padStart(6, '0')}`;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i] ?? '')) bits |= 1 << i;
    suffix += alphabet[bits];
  }
  return id15 + suffix;
}

export function fakeCase(n: number, createdAtMs: number, closed: boolean): FakeCase {
  const created = Math.floor(createdAtMs / 1000) * 1000;
  const closedAt = created + 3_600_000;
  return {
    Id: caseId(n),
    CaseNumber: String(n).padStart(8, '0'),
    Subject: `Refund request ${n}`,
    Description: `I was charged twice for order ${n}.`,
    Status: closed ? 'Closed' : 'New',
    IsClosed: closed,
    ClosedDate: closed ? sfTime(closedAt) : null,
    Priority: 'Medium',
    Origin: 'Email',
    ContactId: `0035e0000${String(n).padStart(6, '0')}AAA`,
    SuppliedEmail: null,
    OwnerId: '0055e000001OWNRAAA',
    CreatedDate: sfTime(created),
    LastModifiedDate: sfTime(closed ? closedAt : created),
  };
}
