/**
 * Jira Service Management (Jira Cloud): an admin webhook (System › WebHooks) with a secret.
 * - Signature: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>` (WebSub method=signature;
 *   https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks).
 * - Events: `webhookEvent` is `jira:issue_created` or `comment_created`; the body carries `issue`
 *   (`key`, `fields.summary`, `fields.description`, `fields.reporter.accountId`, `fields.assignee`,
 *   `fields.status.name`) and, for comments, `comment` (`id`, `body`, `author`)
 *   (https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event).
 * - API: Basic auth with the account email and an API token
 *   (https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/);
 *   `PUT /rest/api/3/issue/{key}` sets `fields.labels` (the whole list: read `GET …?fields=labels`, merge,
 *   write) and `fields.priority.name` (https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-put);
 *   an internal comment is `POST /rest/servicedeskapi/request/{key}/comment` `{body, public: false}`
 *   (https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-comment-post).
 *   Default priorities: Highest, High, Medium, Low, Lowest.
 */
export const jiraPreset = {
  authenticity: { type: 'hmac', algorithm: 'sha256', header: 'x-hub-signature', prefix: 'sha256=', encoding: 'hex' },
  events: {
    source: 'webhookEvent',
    map: { 'jira:issue_created': 'ticket.created', comment_created: 'message.created', 'jira:issue_updated': 'ticket.resolved' },
    // An update is a resolution when the issue has a resolution; its resolution date keys it, so later
    // updates of the resolved issue are duplicates and QA runs once per resolution.
    when: { 'jira:issue_updated': { path: 'issue.fields.resolution.name' } },
    identity: ['comment.id', 'issue.fields.resolutiondate', 'header:x-atlassian-webhook-identifier'],
  },
  fields: {
    ticketId: ['issue.key', 'issue.id'],
    subject: ['issue.fields.summary'],
    body: ['issue.fields.description'],
    customerId: ['issue.fields.reporter.accountId'],
    agentId: ['issue.fields.assignee.accountId'],
    status: ['issue.fields.status.name'],
    message: ['comment.body'],
  },
  auth: { type: 'basic', username: '{settings.email}', password: '{settings.token}' },
  writeBack: [
    { method: 'PUT', url: '{settings.baseUrl}/rest/api/3/issue/{ticket_id}', body: { fields: { labels: '{tags}', priority: { name: '{priority}' } } } },
    { method: 'POST', url: '{settings.baseUrl}/rest/servicedeskapi/request/{ticket_id}/comment', body: { body: '{note}', public: false } },
  ],
  priority: { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Highest' },
  tags: { mode: 'replace', read: { url: '{settings.baseUrl}/rest/api/3/issue/{ticket_id}?fields=labels', path: 'fields.labels' } },
} as const;
