import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'property_managers' })
export class PropertyManagerEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column('text')
  name: string;

  @Column('text')
  email: string;

  /** The `sub` of this PM's dashboard JWT. */
  @Column('text', { name: 'auth_user_id', nullable: true })
  authUserId: string | null;

  @Column('text', { name: 'company_name', nullable: true })
  companyName: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
