export type Role = 'admin' | 'property_manager' | 'realtor' | 'chatbot' | 'metrics';
export type ApiKeyScope = 'admin' | 'chatbot' | 'metrics';
export const API_KEY_SCOPES: ApiKeyScope[] = ['admin', 'chatbot', 'metrics'];

/** Who is calling, as established by a verified credential. */
export interface Principal {
  roles: Role[];
  /** `api_key` or `user` (a JWT subject). */
  actorType: 'api_key' | 'user';
  /** The API key's id or the JWT's `sub`. */
  actorId: string;
  /** Which credential proved it: `api_key:<id>` or `jwt`. */
  credential: string;
  /** Set for a PM: their own id. */
  propertyManagerId?: number;
  /** Set for a realtor: their id and their PM's. */
  realtorId?: number;
  realtorPropertyManagerId?: number;
}

/** The principal plus where the call came from: what a use case needs for its audit record. */
export interface Actor {
  principal: Principal;
  requestId: string;
  clientIp: string;
}
