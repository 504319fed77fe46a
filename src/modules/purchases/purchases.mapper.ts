import { PurchaseOperationDto } from './dto/purchase.dto';
import { isFinal, PurchaseOperationEntity } from './entities/purchase-operation.entity';

export const toPurchaseOperationDto = (op: PurchaseOperationEntity): PurchaseOperationDto => ({
  operation_id: op.id,
  state: op.state,
  property_manager_id: op.propertyManagerId,
  area_code: op.areaCode,
  phone_number: op.phoneNumber,
  twilio_sid: op.twilioSid,
  vapi_phone_number_id: op.vapiPhoneNumberId,
  purchased_phone_number_id: op.purchasedPhoneNumberId,
  sandbox: op.sandbox,
  needs_attention: !isFinal(op.state) && op.attempts >= 3,
  attempts: op.attempts,
  error: op.error ? { code: op.error.code, message: op.error.message } : null,
  last_error: op.lastError,
  idempotency_key: op.idempotencyKey,
  created_at: op.createdAt,
  updated_at: op.updatedAt,
  finished_at: op.finishedAt,
});
