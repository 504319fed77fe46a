import type { AddedNumber } from '../numbers/numbers.service';
import { AddedPurchasedNumberDto, PurchasedNumberDto } from './dto/purchased-number.dto';
import { PurchasedPhoneNumberEntity } from '../numbers/entities/purchased-phone-number.entity';

export const toPurchasedNumberDto = (n: PurchasedPhoneNumberEntity): PurchasedNumberDto => ({
  purchased_phone_number_id: n.id,
  property_manager_id: n.propertyManagerId,
  phone_number: n.phoneNumber,
  twilio_sid: n.twilioSid,
  vapi_phone_number_id: n.vapiPhoneNumberId,
  status: n.status,
  assigned_to_type: n.assignedToType,
  assigned_to_id: n.assignedToId,
  purchased_at: n.purchasedAt,
  assigned_at: n.assignedAt,
  notes: n.notes,
  released_at: n.releasedAt,
});

/** The guide's answer to "add purchased number". */
export const toAddedPurchasedNumberDto = ({ number, propertyManager, fulfilledRequestIds }: AddedNumber): AddedPurchasedNumberDto => ({
  message: `Phone number ${number.phoneNumber} added successfully and is now available for assignment`,
  purchased_phone_number_id: number.id,
  phone_number: number.phoneNumber,
  twilio_sid: number.twilioSid,
  vapi_phone_number_id: number.vapiPhoneNumberId,
  status: number.status,
  property_manager_id: number.propertyManagerId,
  pm_name: propertyManager.name,
  pm_email: propertyManager.email,
  fulfilled_request_ids: fulfilledRequestIds,
});
