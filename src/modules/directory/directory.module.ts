import { Global, Module } from '@nestjs/common';
import { DashboardUsers } from '../auth/dashboard-users';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminPropertyManagersController } from './admin-property-managers.controller';
import { DirectoryService } from './directory.service';
import { PropertyManagerEntity } from './entities/property-manager.entity';
import { RealtorEntity } from './entities/realtor.entity';
import { RealtorsController } from './realtors.controller';

/** Property managers and realtors: who may own and hold numbers, and who a dashboard login is. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([PropertyManagerEntity, RealtorEntity])],
  controllers: [AdminPropertyManagersController, RealtorsController],
  providers: [DirectoryService, { provide: DashboardUsers, useExisting: DirectoryService }],
  exports: [DirectoryService, DashboardUsers],
})
export class DirectoryModule {}
