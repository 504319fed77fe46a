import { NotFoundError } from '../../common/errors/domain-error';

export class ApiKeyNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('api_key_not_found', `API key ${id} does not exist.`);
  }
}
