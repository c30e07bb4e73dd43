/**
 * Intercom: signed notifications (`X-Hub-Signature: sha1=…`) for conversation and ticket topics,
 * in the API 2.x and the older 1.x item shape; write-back of tags, mapped attributes and an
 * admin note through the REST API on the workspace's regional host (helpdesks.md §3).
 */
import type { Provider } from '../types.ts';
import { normalizeIntercom } from './normalize.ts';
import { parseIntercom } from './parse.ts';
import { verifyIntercom } from './verify.ts';
import { intercomWriteBack } from './write-back.ts';

export const intercomProvider: Provider = {
  name: 'intercom',
  verify: verifyIntercom,
  parse: parseIntercom,
  normalize: normalizeIntercom,
  writeBack: intercomWriteBack,
};
