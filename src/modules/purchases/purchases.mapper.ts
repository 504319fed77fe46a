import { PurchasedPhoneNumberResultDto, PurchaseOperationDto } from './dto/purchase.dto';
import { needsAttention, PurchaseOperationEntity, PurchaseOutcome } from './entities/purchase-operation.entity';

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
  needs_attention: needsAttention(op),
  attempts: op.attempts,
  error: op.error ? { code: op.error.code, message: op.error.message } : null,
  last_error: op.lastError,
  idempotency_key: op.idempotencyKey,
  created_at: op.createdAt,
  updated_at: op.updatedAt,
  finished_at: op.finishedAt,
});

/** The guide's purchase response, built from the stored outcome (a first answer and its replays alike). */
export const toPurchaseResultDto = (outcome: PurchaseOutcome): PurchasedPhoneNumberResultDto => ({
  message: 'Phone number purchased and added successfully',
  purchased_phone_number_id: outcome.purchasedPhoneNumberId,
  phone_number: outcome.phoneNumber,
  twilio_sid: outcome.twilioSid,
  vapi_phone_number_id: outcome.vapiPhoneNumberId,
  status: outcome.status,
  property_manager_id: outcome.propertyManagerId,
  ...(outcome.sandbox ? { sandbox: true } : {}),
});
