/**
 * The Salesforce Outbound Message envelope (helpdesks.md §4.1; WSDL of
 * `http://soap.sforce.com/2005/09/outbound`): `notifications` with `OrganizationId`, `ActionId`,
 * `SessionId`, `EnterpriseUrl`, `PartnerUrl` and 1–100 `Notification`s, each an `Id` and an
 * `sObject xsi:type="sf:<Object>"` holding the fields the admin selected.
 */
import { BadRequestError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { childNamed, childrenNamed, escapeXml, parseXml, XmlError, type XmlElement } from './xml.ts';

export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const OUTBOUND_NS = 'http://soap.sforce.com/2005/09/outbound';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** "A single SOAP message can include up to 100 notifications." */
export const MAX_NOTIFICATIONS = 100;

export interface OutboundNotification {
  /** The notification id: Salesforce's own dedup key across redeliveries. */
  readonly id: string;
  /** `Case`, `CaseComment`, `EmailMessage`, … (from `xsi:type="sf:Case"`). */
  readonly sObjectType: string;
  /** Selected fields by API name (`Subject`, `AI_Category__c`); `xsi:nil` fields are null. */
  readonly fields: Readonly<Record<string, string | null>>;
}

export interface OutboundMessage {
  readonly organizationId: string | undefined;
  readonly actionId: string | undefined;
  readonly notifications: readonly OutboundNotification[];
}

/** Parses and validates the envelope; anything else is a BadRequestError. */
export function parseOutboundMessage(rawBody: Buffer): OutboundMessage {
  const text = rawBody.toString('utf8');
  if (text.trim() === '') throw new BadRequestError('empty_body', 'the body is empty: Salesforce sends a SOAP envelope');
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlError) throw new BadRequestError(error.reason, `the body is not acceptable XML: ${error.message}`, { cause: error });
    throw error;
  }
  if (root.name !== 'Envelope' || root.ns !== SOAP_ENVELOPE_NS) {
    throw new BadRequestError('not_a_soap_envelope', 'the body is not a SOAP 1.1 envelope');
  }
  const notifications = childNamed(childNamed(root, 'Body', SOAP_ENVELOPE_NS) ?? root, 'notifications', OUTBOUND_NS);
  if (notifications === undefined) {
    throw new BadRequestError('not_an_outbound_message', `the SOAP body holds no notifications element of ${OUTBOUND_NS}`);
  }
  const list = childrenNamed(notifications, 'Notification', OUTBOUND_NS);
  if (list.length > MAX_NOTIFICATIONS) {
    throw new BadRequestError('too_many_notifications', `${list.length} notifications; an outbound message carries at most ${MAX_NOTIFICATIONS}`);
  }
  return {
    organizationId: textOf(childNamed(notifications, 'OrganizationId', OUTBOUND_NS)),
    actionId: textOf(childNamed(notifications, 'ActionId', OUTBOUND_NS)),
    notifications: list.map(notificationOf),
  };
}

function notificationOf(element: XmlElement, index: number): OutboundNotification {
  const id = textOf(childNamed(element, 'Id', OUTBOUND_NS));
  if (id === undefined) throw new BadRequestError('missing_notification_id', `notification ${index + 1} has no Id`);
  const sObject = childNamed(element, 'sObject', OUTBOUND_NS);
  if (sObject === undefined) throw new BadRequestError('missing_sobject', `notification ${shown(id)} has no sObject`);
  const type = sObject.attributes['xsi:type'] ?? Object.entries(sObject.attributes).find(([k]) => k.endsWith(':type') && sObject.resolve(k.split(':')[0] ?? '') === XSI_NS)?.[1];
  const sObjectType = type?.includes(':') ? type.slice(type.indexOf(':') + 1) : type;
  if (sObjectType === undefined || sObjectType === '') throw new BadRequestError('missing_sobject_type', `the sObject of notification ${shown(id)} has no xsi:type`);
  const fields: Record<string, string | null> = {};
  for (const field of sObject.children) {
    const nil = Object.entries(field.attributes).some(([k, v]) => k.endsWith(':nil') && v === 'true');
    // A field named `__proto__` is a field like any other, not the object's prototype.
    Object.defineProperty(fields, field.name, { value: nil ? null : field.text, enumerable: true, writable: true, configurable: true });
  }
  return { id, sObjectType, fields };
}

function textOf(element: XmlElement | undefined): string | undefined {
  const value = element?.text.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The acknowledgement Salesforce needs to dequeue the message; a bare 200 is not enough and makes
 * it retry for 24 hours (helpdesks.md §4.1).
 */
export const NOTIFICATIONS_ACK =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  `<soapenv:Envelope xmlns:soapenv="${escapeXml(SOAP_ENVELOPE_NS)}">` +
  '<soapenv:Body>' +
  `<notificationsResponse xmlns="${escapeXml(OUTBOUND_NS)}"><Ack>true</Ack></notificationsResponse>` +
  '</soapenv:Body>' +
  '</soapenv:Envelope>';
