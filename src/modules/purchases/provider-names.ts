/**
 * How a purchased number is named at the providers, so the tech team can find its purchase.
 *
 * - Twilio's `FriendlyName` (64 characters, per Twilio's contract) carries the full operation id:
 *   `PM 12 purchase 0f6e…` (59 characters at most). The purchase flow recognises its own number by it.
 * - VAPI's `name` is capped at 40 characters by VAPI's contract (`CreateTwilioPhoneNumberDTO.name`),
 *   so it carries the PM and the first 8 hex digits of the operation id: `PM 12 op 0f6e1a2b`
 *   (25 characters at most), enough to find the operation in `GET /admin/purchase-operations`.
 */
export const TWILIO_FRIENDLY_NAME_MAX = 64;
export const VAPI_NAME_MAX = 40;

export interface NamedPurchase {
  id: string;
  propertyManagerId: number;
}

export const twilioFriendlyNameOf = (op: NamedPurchase): string => `PM ${op.propertyManagerId} purchase ${op.id}`;

export const vapiNameOf = (op: NamedPurchase): string => `PM ${op.propertyManagerId} op ${op.id.replace(/-/g, '').slice(0, 8)}`;
