import { PurchasedNumberDto } from './dto/purchased-number.dto';
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
