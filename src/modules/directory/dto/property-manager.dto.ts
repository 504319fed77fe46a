import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';

export class CreatePropertyManagerDto {
  /** @example "John Smith" */
  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /** @example "john@example.com" */
  @IsEmail() @MaxLength(320)
  email: string;

  /** The `sub` claim of this PM's dashboard JWT. @example "9b2f6c1e-auth-user" */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  auth_user_id?: string;

  /** @example "Smith Property Management" */
  @IsOptional() @IsString() @MaxLength(200)
  company_name?: string;
}

/** Any of the fields; at least one. */
export class UpdatePropertyManagerDto {
  /** @example "John Smith" */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  /** @example "john.smith@example.com" */
  @IsOptional() @IsEmail() @MaxLength(320)
  email?: string;

  /** null clears it. @example "Smith Property Management" */
  @IsOptional() @IsString() @MaxLength(200)
  company_name?: string | null;
}

export class ListPropertyManagersQueryDto extends PageQueryDto {}

export class PropertyManagerDto {
  property_manager_id: number;
  name: string;
  email: string;
  auth_user_id: string | null;
  company_name: string | null;
  created_at: Date;
  /** Set once the PM was offboarded. */
  offboarded_at: Date | null;
}

export class PropertyManagerListDto {
  property_managers: PropertyManagerDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}
