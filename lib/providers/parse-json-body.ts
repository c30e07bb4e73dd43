import { BadRequestError } from '../errors.ts';

/** Parses a webhook body as JSON (UTF-8, BOM tolerated) or throws BadRequestError. */
export function parseJsonBody(rawBody: Buffer): unknown {
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new BadRequestError('empty_body', 'the body is empty: send the event as JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('invalid_json', 'the body is not valid JSON: send the event as a JSON object');
  }
}
