import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto';

export class CreateRealtorDto {
  /** @example "Jane Doe" */
  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /** @example "jane@example.com" */
  @IsEmail() @MaxLength(320)
  email: string;

  /** The `sub` claim of this realtor's dashboard JWT, so they can call `GET /my-number`. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  auth_user_id?: string;
}

/** Any of the fields; at least one. */
export class UpdateRealtorDto {
  /** @example "Jane Doe" */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200)
  name?: string;

  /** @example "jane.doe@example.com" */
  @IsOptional() @IsEmail() @MaxLength(320)
  email?: string;
}

export class ListRealtorsQueryDto extends PageQueryDto {}

export class RealtorDto {
  realtor_id: number;
  property_manager_id: number;
  name: string;
  email: string;
  auth_user_id: string | null;
  created_at: Date;
}

export class RealtorListDto {
  realtors: RealtorDto[];
  next_cursor: string | null;
}
