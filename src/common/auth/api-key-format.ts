import type { Principal } from './principal';

// `pnk_<key id, 32 hex>_<secret, 43 base64url chars>`: the id finds the row, the hash proves the secret.
export const API_KEY_FORMAT = /^pnk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** The key id a presented key claims (its public part), or undefined when it is malformed. */
export function apiKeyIdOf(presented: string): string | undefined {
  const hex = API_KEY_FORMAT.exec(presented)?.[1];
  return hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The header an API key is presented in. */
export const API_KEY_HEADER = 'x-api-key';

/**
 * The one API-key verifier (implemented by the auth module's `ApiKeysService`): the principal
 * behind a presented key, or undefined for a malformed, unknown or revoked one; synchronous when
 * the key is known in memory.
 */
export abstract class ApiKeyVerifier {
  abstract authenticate(presented: string): Principal | undefined | Promise<Principal | undefined>;
}
