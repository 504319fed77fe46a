import { PhoneRequestDto } from './dto/phone-request.dto';
import { PhoneNumberRequestEntity } from './entities/phone-number-request.entity';

export const toPhoneRequestDto = (r: PhoneNumberRequestEntity): PhoneRequestDto => ({
  request_id: r.id,
  property_manager_id: r.propertyManagerId,
  country_code: r.countryCode,
  area_code: r.areaCode,
  status: r.status,
  notes: r.notes,
  requested_at: r.requestedAt,
  fulfilled_at: r.fulfilledAt,
  cancelled_at: r.cancelledAt,
  fulfilled_by_purchased_phone_number_id: r.fulfilledByNumberId,
});
