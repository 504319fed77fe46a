import { Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * The chatbot's answer for one assigned number, as the JSON text the lookup sends: a read model
 * the database keeps (triggers of migration 1763901500000), never written by the service. The
 * lookup reads it with a single-row select when its cache cannot answer.
 */
@Entity({ name: 'chatbot_owner_answers' })
@Unique('uq_chatbot_owner_answers_phone_number', ['phoneNumber'])
@Unique('uq_chatbot_owner_answers_vapi_phone_number_id', ['vapiPhoneNumberId'])
@Index('ix_chatbot_owner_answers_property_manager', ['propertyManagerId'])
export class ChatbotOwnerAnswerEntity {
  @PrimaryColumn('integer', { name: 'purchased_phone_number_id', primaryKeyConstraintName: 'chatbot_owner_answers_pkey' })
  @ForeignKey('purchased_phone_numbers', { name: 'chatbot_owner_answers_purchased_phone_number_id_fkey', onDelete: 'CASCADE' })
  purchasedPhoneNumberId: number;

  @Column('text', { name: 'phone_number' })
  phoneNumber: string;

  @Column('text', { name: 'vapi_phone_number_id', nullable: true })
  vapiPhoneNumberId: string | null;

  @Column('integer', { name: 'property_manager_id' })
  propertyManagerId: number;

  /** `OwnerLookupDto` as JSON, byte for byte what `JSON.stringify` writes. */
  @Column('text')
  answer: string;
}
