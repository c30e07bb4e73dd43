/**
 * Local stack only: a provider without HELPDESK_CONFIG gets its write-back appended as one JSON
 * line to a file (default `.local/helpdesk-updates.jsonl`) instead of calling its API.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DryRunSink } from './pipeline.ts';

export function createJsonlDryRun(file: string): DryRunSink {
  return {
    async write(entry) {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ at: new Date().toISOString(), dryRun: true, ...entry })}\n`);
    },
  };
}
