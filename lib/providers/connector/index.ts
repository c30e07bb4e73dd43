/**
 * Connectors as providers: a name in HELPDESK_CONFIG that is not a built-in provider and names a
 * preset or carries a `connector` specification is served at `/webhooks/<name>` by this engine,
 * through the same ingest, queue, Ledger, steps, DLQ and metrics as a built-in.
 */
import type { ProviderIngest, ProviderProcess, ProviderSettings } from '../types.ts';
import { connectorOf, isConnectorEntry } from './compile.ts';
import { CONNECTOR_NAME } from './spec.ts';
import { parseConnector } from './parse.ts';
import { normalizeConnector, writeBackConnector } from './process.ts';
import { verifyConnector } from './verify.ts';

export { CONNECTOR_NAME } from './spec.ts';
export { compileConnector, isConnectorEntry } from './compile.ts';

export function isConnector(name: string, settings: ProviderSettings | undefined): boolean {
  return CONNECTOR_NAME.test(name) && isConnectorEntry(name, settings);
}

export function connectorIngest(name: string): ProviderIngest {
  return {
    name,
    verify: ({ request, secrets, settings, nowMs }) => verifyConnector(connectorOf(name, settings), request, secrets, nowMs),
    parse: (request, settings) => parseConnector(connectorOf(name, settings), request),
  };
}

export function connectorProcess(name: string): ProviderProcess {
  return {
    name,
    normalize: async (event, { settings }) => normalizeConnector(connectorOf(name, settings), event),
    writeBack: (input, { settings }) => {
      const connector = connectorOf(name, settings);
      return writeBackConnector(connector, input, connector.settings);
    },
  };
}
