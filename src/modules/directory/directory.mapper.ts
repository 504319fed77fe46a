import { PropertyManagerDto } from './dto/property-manager.dto';
import { RealtorDto } from './dto/realtor.dto';
import { PropertyManagerEntity } from './entities/property-manager.entity';
import { RealtorEntity } from './entities/realtor.entity';

export const toPropertyManagerDto = (pm: PropertyManagerEntity): PropertyManagerDto => ({
  property_manager_id: pm.id,
  name: pm.name,
  email: pm.email,
  auth_user_id: pm.authUserId,
  company_name: pm.companyName,
  created_at: pm.createdAt,
  offboarded_at: pm.offboardedAt,
});

export const toRealtorDto = (r: RealtorEntity): RealtorDto => ({
  realtor_id: r.id,
  property_manager_id: r.propertyManagerId,
  name: r.name,
  email: r.email,
  auth_user_id: r.authUserId,
  created_at: r.createdAt,
});
