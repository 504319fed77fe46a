import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'realtors' })
export class RealtorEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column('integer', { name: 'property_manager_id' })
  propertyManagerId: number;

  @Column('text')
  name: string;

  @Column('text')
  email: string;

  /** The `sub` of this realtor's dashboard JWT. */
  @Column('text', { name: 'auth_user_id', nullable: true })
  authUserId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
