/** The text of a CaseComment or EmailMessage, on the outbound-message path and in the listing alike. */
import { firstString } from '../../mapping.ts';

export function messageTextOf(sObject: Readonly<Record<string, string | null>>): string | undefined {
  return firstString(sObject, ['CommentBody', 'TextBody', 'HtmlBody']);
}
