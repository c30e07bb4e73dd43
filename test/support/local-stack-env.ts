/**
 * The environment a local-stack test starts from: every variable that would point `npm start`
 * elsewhere (real Simpli URLs, secrets from AWS or the developer's shell) unset, so the stack falls
 * back to its Simpli simulator and its documented local secret. Tests add what they pin.
 */
export const LOCAL_DEFAULTS_ENV = {
  TRIAGE_URL: undefined,
  SENTIMENT_URL: undefined,
  QA_URL: undefined,
  REPLY_URL: undefined,
  WEBHOOK_SECRETS: undefined,
  WEBHOOK_SECRETS_ARN: undefined,
  HELPDESK_CONFIG: undefined,
  HELPDESK_CONFIG_ARN: undefined,
} as const;

/** The local stack's environment with every Simpli service at one fake server, the rest as above. */
export function localEnvWithSimpli(simpliUrl: string, extra: Record<string, string | undefined> = {}) {
  return { ...LOCAL_DEFAULTS_ENV, TRIAGE_URL: simpliUrl, SENTIMENT_URL: simpliUrl, QA_URL: simpliUrl, REPLY_URL: simpliUrl, ...extra };
}
