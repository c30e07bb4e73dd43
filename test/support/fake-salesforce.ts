/**
 * A fake Salesforce org for reconciliation tests, from the REST API Developer Guide and the SOQL
 * reference (no OpenAPI file exists; every rule below is checked by hand against those pages):
 * - `GET /services/data/vNN.N/query?q=SOQL` → `{totalSize, done, records: [{attributes, …}],
 *   nextRecordsUrl?}`, dateTimes written `2024-06-02T16:30:00.000+0000`, a relationship field as a
 *   nested object (`"CreatedBy": {"attributes": {…}, "UserType": "Standard"}`); a query it cannot
 *   parse → 400 `[{"message", "errorCode": "MALFORMED_QUERY"}]`, a field the object does not have
 *   → 400 `INVALID_FIELD` (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm,
 *   …/api_rest/errorcodes.htm). The SOQL understood is
 *   `SELECT fields FROM Case|CaseComment|EmailMessage WHERE term AND … ORDER BY field ASC[, Id ASC] LIMIT n`,
 *   a term being a comparison of a filterable field with a dateTime literal (unquoted,
 *   `YYYY-MM-DDThh:mm:ssZ`), a quoted id, `true`/`false` or `null`, or the keyed page's
 *   `(F > t OR (F = t AND Id > 'id'))` (SOQL "Comparison Operators", "Date Formats and Date
 *   Literals": https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm).
 *   Fields per object as in the Object Reference (Case, CaseComment, EmailMessage); long text areas
 *   (`Description`, `CommentBody`, `TextBody`, `HtmlBody`) cannot be filtered or sorted;
 * - `batchSize` makes it answer in batches with `nextRecordsUrl` (queryMore), as Salesforce does past
 *   2000 rows; a locator is used once;
 * - every answer carries `Sforce-Limit-Info: api-usage=used/allowed` (each request counts one);
 *   `limitExceededEvery` answers every n-th listing query (keyed, `… Id ASC LIMIT n`, and its
 *   queryMore) 403 `REQUEST_LIMIT_EXCEEDED` (…/api_rest/headers_api_usage.htm; the 403 body as
 *   helpdesks.md §4.4 records it) — only those, so the processing of the recovered events is not
 *   slowed by retries the write-back tests already pin;
 * - `PATCH /sobjects/Case/{id}` (204) and `POST /sobjects/CaseComment` (201, stored as a comment of
 *   the Case: the bridge's note is one, `IsPublished` false, by the integration user), which move
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

export interface FakeCaseComment {
  Id: string;
  ParentId: string;
  CommentBody: string;
  IsPublished: boolean;
  CreatedById: string;
  /** The creator's `User.UserType` (`Standard` for internal users, `PowerCustomerSuccess`, … for portal users). */
  UserType: string;
  CreatedDate: string;
  LastModifiedDate: string;
}

export interface FakeEmailMessage {
  Id: string;
  ParentId: string | null;
  Subject: string;
  TextBody: string | null;
  HtmlBody: string | null;
  FromAddress: string;
  Incoming: boolean;
  Status: string;
  MessageDate: string;
  CreatedDate: string;
  LastModifiedDate: string;
}

export interface FakeSalesforce {
  readonly cases: Map<string, FakeCase>;
  readonly comments: Map<string, FakeCaseComment>;
  readonly emails: Map<string, FakeEmailMessage>;
  readonly respond: Responder;
  /** The SOQL of every query, in order. */
  readonly queries: string[];
  /** Requests answered 403 REQUEST_LIMIT_EXCEEDED. */
  readonly limitExceeded: number[];
  writeBacks(caseId: string): number;
}

/** Salesforce's dateTime notation in REST answers. */
export const sfTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/** The integration user the bridge writes as (an internal user). */
const INTEGRATION_USER = '0055e000001INTGAAA';

type Row = Readonly<Record<string, unknown>>;

interface ObjectSchema {
  /** Selectable fields; `Rel.Field` for a parent relationship's field. */
  readonly fields: ReadonlySet<string>;
  /** Fields that may appear in WHERE and ORDER BY (not long text areas). */
  readonly filterable: ReadonlySet<string>;
  rows(): Iterable<Row>;
}

const malformed = (message: string): FakeReply => ({ status: 400, json: [{ message, errorCode: 'MALFORMED_QUERY' }] });
const invalidField = (field: string, object: string): FakeReply => ({ status: 400, json: [{ message: `No such column '${field}' on entity '${object}'`, errorCode: 'INVALID_FIELD' }] });

const SELECT = /^SELECT (?<fields>[A-Za-z.]+(?:, [A-Za-z.]+)*) FROM (?<object>[A-Za-z]+) WHERE (?<where>.+?) ORDER BY (?<order>[A-Za-z]+) ASC(?<byId>, Id ASC)? LIMIT (?<limit>[1-9]\d{0,4})$/;
const DATETIME = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z';
const ID = "'[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?'";
/** The WHERE terms, tried at each position; `sticky` so a term must start exactly there. */
const TERMS: readonly RegExp[] = [
  new RegExp(`\\((?<f1>[A-Za-z]+) > (?<t1>${DATETIME}) OR \\((?<f2>[A-Za-z]+) = (?<t2>${DATETIME}) AND Id > (?<after>${ID})\\)\\)`, 'y'),
  new RegExp(`(?<field>[A-Za-z]+) (?<op>>=|=|!=) (?<value>${DATETIME}|${ID}|true|false|null)`, 'y'),
];

type Predicate = (row: Row) => boolean;

function compare(a: unknown, op: string, literal: string): boolean {
  if (literal === 'null') return op === '!=' ? a !== null && a !== undefined : a === null || a === undefined;
  const value: unknown = literal === 'true' ? true : literal === 'false' ? false : literal.startsWith("'") ? literal.slice(1, -1) : Date.parse(literal);
  const left = typeof value === 'number' ? (typeof a === 'string' ? Date.parse(a) : Number.NaN) : a;
  if (op === '>=') return typeof value === 'number' && (left as number) >= value;
  if (op === '=') return left === value;
  return left !== value;
}

/** The WHERE clause as a predicate, or the reply refusing it. */
function whereOf(where: string, object: string, schema: ObjectSchema): Predicate | FakeReply {
  const predicates: Predicate[] = [];
  let at = 0;
  while (true) {
    let matched: RegExpExecArray | null = null;
    for (const term of TERMS) {
      term.lastIndex = at;
      matched = term.exec(where);
      if (matched !== null) break;
    }
    const g = matched?.groups;
    if (matched === null || g === undefined) return malformed(`unexpected WHERE term at "${where.slice(at, at + 40)}"`);
    if (g.f1 !== undefined) {
      const field = g.f1;
      if (g.f2 !== field || g.t1 !== g.t2) return malformed('the two fields and times of a keyed page must be equal');
      if (!schema.filterable.has(field)) return invalidField(field, object);
      const t = Date.parse(g.t1 ?? '');
      const after = (g.after ?? '').slice(1, -1);
      predicates.push((row) => {
        const v = Date.parse(String(row[field]));
        return v > t || (v === t && String(row.Id) > after);
      });
    } else {
      const field = g.field ?? '';
      if (!schema.filterable.has(field)) return invalidField(field, object);
      const value = g.value ?? '';
      const isTime = /^\d/.test(value);
      // A dateTime literal only for dateTime fields; `>=` only with one.
      if (isTime !== field.endsWith('Date') || (g.op === '>=' && !isTime)) return malformed(`${field} ${g.op} ${value}: the literal does not fit the field`);
      const op = g.op ?? '=';
      predicates.push((row) => compare(row[field], op, value));
    }
    at += matched[0].length;
    if (at === where.length) break;
    if (!where.startsWith(' AND ', at)) return malformed(`expected AND at "${where.slice(at, at + 40)}"`);
    at += 5;
  }
  return (row) => predicates.every((p) => p(row));
}

export function startFakeSalesforce(options: { now: () => number; batchSize?: number; limitExceededEvery?: number; apiAllowance?: number; apiUsedAtStart?: number }): FakeSalesforce {
  const cases = new Map<string, FakeCase>();
  const comments = new Map<string, FakeCaseComment>();
  const emails = new Map<string, FakeEmailMessage>();
  const writes = new Map<string, number>();
  const pending = new Map<string, Row[]>();
  const queries: string[] = [];
  const limitExceeded: number[] = [];
  let locators = 0;
  let requests = 0;
  let listings = 0;
  let notes = 0;
  const allowance = options.apiAllowance ?? 100_000;

  const SCHEMAS: Readonly<Record<string, ObjectSchema>> = {
    Case: {
      fields: new Set(['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'IsClosed', 'ClosedDate', 'Priority', 'Origin', 'ContactId', 'SuppliedEmail', 'OwnerId', 'CreatedDate', 'LastModifiedDate']),
      filterable: new Set(['Id', 'CaseNumber', 'Status', 'IsClosed', 'ClosedDate', 'CreatedDate', 'LastModifiedDate']),
      rows: () => cases.values() as Iterable<Row>,
    },
    CaseComment: {
      fields: new Set(['Id', 'ParentId', 'CommentBody', 'IsPublished', 'CreatedById', 'CreatedBy.UserType', 'CreatedDate', 'LastModifiedDate']),
      filterable: new Set(['Id', 'ParentId', 'IsPublished', 'CreatedById', 'CreatedDate', 'LastModifiedDate']),
      rows: () => comments.values() as Iterable<Row>,
    },
    EmailMessage: {
      fields: new Set(['Id', 'ParentId', 'Subject', 'TextBody', 'HtmlBody', 'FromAddress', 'Incoming', 'Status', 'MessageDate', 'CreatedDate', 'LastModifiedDate']),
      filterable: new Set(['Id', 'ParentId', 'Subject', 'FromAddress', 'Incoming', 'Status', 'MessageDate', 'CreatedDate', 'LastModifiedDate']),
      rows: () => emails.values() as Iterable<Row>,
    },
  };

  function answer(rows: Row[]): FakeReply {
    const batch = options.batchSize ?? 2000;
    if (rows.length <= batch) return { json: { totalSize: rows.length, done: true, records: rows } };
    // A query locator is a record id (key prefix 01g), as in the guide's `01gD0000002HU6KIAW-2000`.
    const locator = `01g5e00000${String(++locators).padStart(5, '0')}AAA`;
    pending.set(locator, rows.slice(batch));
    return { json: { totalSize: rows.length, done: false, nextRecordsUrl: `/services/data/${VERSION}/query/${locator}-${batch}`, records: rows.slice(0, batch) } };
  }

  function shape(object: string, row: Row, fields: readonly string[]): Row {
    const out: Record<string, unknown> = { attributes: { type: object, url: `/services/data/${VERSION}/sobjects/${object}/${String(row.Id)}` } };
    for (const f of fields) {
      if (f === 'CreatedBy.UserType') out.CreatedBy = { attributes: { type: 'User', url: `/services/data/${VERSION}/sobjects/User/${String(row.CreatedById)}` }, UserType: row.UserType };
      else out[f] = row[f] ?? null;
    }
    return out;
  }

  function query(r: RecordedRequest): FakeReply {
    const soql = r.query.get('q') ?? '';
    queries.push(soql);
    const m = SELECT.exec(soql);
    const g = m?.groups;
    if (g === undefined) return malformed(`unexpected query: ${soql}`);
    const object = g.object ?? '';
    const schema = SCHEMAS[object];
    if (schema === undefined) return { status: 400, json: [{ message: `sObject type '${object}' is not supported`, errorCode: 'INVALID_TYPE' }] };
    const fields = (g.fields ?? '').split(', ');
    const unknown = fields.find((f) => !schema.fields.has(f));
    if (unknown !== undefined) return invalidField(unknown, object);
    const order = g.order ?? '';
    if (!schema.filterable.has(order)) return { status: 400, json: [{ message: `field '${order}' can not be sorted in a query call`, errorCode: 'INVALID_FIELD' }] };
    const where = whereOf(g.where ?? '', object, schema);
    if (typeof where !== 'function') return where;
    const byTime = (a: Row, b: Row) => Date.parse(String(a[order])) - Date.parse(String(b[order]));
    const byId = (a: Row, b: Row) => (String(a.Id) < String(b.Id) ? -1 : String(a.Id) > String(b.Id) ? 1 : 0);
    const rows = [...schema.rows()]
      .filter(where)
      .sort((a, b) => byTime(a, b) || (g.byId === undefined ? 0 : byId(a, b)))
      .slice(0, Number(g.limit))
      .map((row) => shape(object, row, fields));
    return answer(rows);
  }

  const touch = (id: string) => {
    const c = cases.get(id);
    if (c === undefined) return false;
    writes.set(id, (writes.get(id) ?? 0) + 1);
    c.LastModifiedDate = sfTime(Math.floor(options.now() / 1000) * 1000);
    return true;
  };

  function route(r: RecordedRequest): FakeReply {
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
      const body = (r.body ?? {}) as { ParentId?: unknown; CommentBody?: unknown; IsPublished?: unknown };
      const parent = String(body.ParentId ?? '');
      if (!touch(parent)) return { status: 400, json: [{ errorCode: 'INVALID_CROSS_REFERENCE_KEY' }] };
      const id = salesforceId('00a5e0009', ++notes);
      const now = sfTime(Math.floor(options.now() / 1000) * 1000);
      comments.set(id, { Id: id, ParentId: parent, CommentBody: String(body.CommentBody ?? ''), IsPublished: body.IsPublished === true, CreatedById: INTEGRATION_USER, UserType: 'Standard', CreatedDate: now, LastModifiedDate: now });
      return { status: 201, json: { id, success: true, errors: [] } };
    }
    return { status: 404, json: [{ errorCode: 'NOT_FOUND', message: `${r.method} ${r.path}` }] };
  }

  const respond: Responder = (r) => {
    if (r.headers.authorization !== `Bearer ${SALESFORCE_TOKEN}`) return { status: 401, json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
    requests++;
    const listing = r.path.includes('/query/') || / Id ASC LIMIT \d+$/.test(r.query.get('q') ?? '');
    if (listing && options.limitExceededEvery !== undefined && ++listings % options.limitExceededEvery === 0) {
      limitExceeded.push(requests);
      return { status: 403, json: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
    }
    const reply = route(r);
    return { ...reply, headers: { ...reply.headers, 'sforce-limit-info': `api-usage=${(options.apiUsedAtStart ?? 0) + requests}/${allowance}` } };
  };
  return { cases, comments, emails, respond, queries, limitExceeded, writeBacks: (id) => writes.get(id) ?? 0 };
}

/**
 * An 18-character record id: `prefix` padded with `n` to 15 characters, plus Salesforce's case-safe
 * suffix — per 5-character chunk, a bit per upper-case letter, as a character of A–Z0–5 (the
 * published algorithm, e.g. https://help.salesforce.com/s/articleView?id=000385585).
 */
export function salesforceId(prefix: string, n: number): string {
  const id15 = `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i] ?? '')) bits |= 1 << i;
    suffix += alphabet[bits];
  }
  return id15 + suffix;
}

/** An 18-character Case id for a number (key prefix 500). */
export const caseId = (n: number): string => salesforceId('5005e0000', n);

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

/**
 * The messages of Case `n`, seconds after its creation: a customer's published comment and an
 * incoming email (the customer messages), and what is not one — an agent's published comment, an
 * internal comment, an outgoing email.
 */
export function fakeMessages(n: number, createdAtMs: number): { comments: FakeCaseComment[]; emails: FakeEmailMessage[] } {
  const at = (seconds: number) => sfTime(Math.floor(createdAtMs / 1000) * 1000 + seconds * 1000);
  const comment = (prefix: string, seconds: number, body: string, published: boolean, userType: string, by: string): FakeCaseComment => ({
    Id: salesforceId(prefix, n),
    ParentId: caseId(n),
    CommentBody: body,
    IsPublished: published,
    CreatedById: by,
    UserType: userType,
    CreatedDate: at(seconds),
    LastModifiedDate: at(seconds),
  });
  const email = (prefix: string, seconds: number, text: string, incoming: boolean): FakeEmailMessage => ({
    Id: salesforceId(prefix, n),
    ParentId: caseId(n),
    Subject: `RE: Refund request ${n}`,
    TextBody: text,
    HtmlBody: `<p>${text}</p>`,
    FromAddress: incoming ? `customer${n}@example.com` : 'support@acme.example',
    Incoming: incoming,
    Status: incoming ? '0' : '3',
    MessageDate: at(seconds),
    CreatedDate: at(seconds),
    LastModifiedDate: at(seconds),
  });
  return {
    comments: [
      comment('00a5e0000', 10, `Case ${n}: still no refund, please hurry.`, true, 'PowerCustomerSuccess', `0055e0001${String(n).padStart(6, '0')}AAA`),
      comment('00a5e0001', 20, `Case ${n}: we are looking into it.`, true, 'Standard', '0055e000001OWNRAAA'),
      comment('00a5e0002', 25, `Case ${n}: internal — check the payment provider.`, false, 'Standard', '0055e000001OWNRAAA'),
    ],
    emails: [email('02s5e0000', 30, `Case ${n}: here is my bank statement.`, true), email('02s5e0001', 40, `Case ${n}: thank you, we received it.`, false)],
  };
}
