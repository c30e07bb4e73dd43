/**
 * `npm start` writes where its emulated queues and table are to `.local/stack.json`, as the
 * environment variables the tools read, so `npm run redrive` and `npm run inspect` work against a
 * running local stack with no flags. Removed again when the stack stops.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const LOCAL_STACK_FILE = '.local/stack.json';

export type LocalStackEnv = Readonly<Record<string, string>>;

export function writeLocalStackFile(env: LocalStackEnv, file = LOCAL_STACK_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  // It may carry HELPDESK_CONFIG (API tokens): readable by its owner only.
  writeFileSync(file, `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });
}

export function removeLocalStackFile(file = LOCAL_STACK_FILE): void {
  rmSync(file, { force: true });
}

/**
 * The environment for a tool: the local stack's values under the caller's own, unless the caller
 * named an AWS stack (then nothing local may leak in, e.g. an emulator endpoint).
 */
export function withLocalStackEnv(env: Readonly<Record<string, string | undefined>>, awsStack: string | undefined, file = LOCAL_STACK_FILE): Readonly<Record<string, string | undefined>> {
  if (awsStack !== undefined || env.STACK_NAME !== undefined || !existsSync(file)) return env;
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as LocalStackEnv), ...env };
}
