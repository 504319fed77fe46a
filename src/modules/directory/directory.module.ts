import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminPropertyManagersController } from './admin-property-managers.controller';
import { DirectoryService } from './directory.service';
import { PropertyManagerEntity } from './entities/property-manager.entity';
import { RealtorEntity } from './entities/realtor.entity';
import { RealtorsController } from './realtors.controller';

/** Property managers and realtors. */
@Module({
  imports: [TypeOrmModule.forFeature([PropertyManagerEntity, RealtorEntity])],
  controllers: [AdminPropertyManagersController, RealtorsController],
  providers: [DirectoryService],
  exports: [DirectoryService],
})
export class DirectoryModule {}
