/** Signs a request exactly as a helpdesk would, for `npm run send`, benchmarks and tests. */
export interface SignInput {
  readonly method: string;
  /** The full URL the request goes to (HubSpot v3 signs it). */
  readonly url: string;
  readonly body: Buffer;
  readonly secret: string;
  readonly nowMs: number;
}

/** Returns the headers to add (lower-case names); may also return a new URL (query tokens). */
export type Signer = (input: SignInput) => { headers: Record<string, string>; url?: string };
