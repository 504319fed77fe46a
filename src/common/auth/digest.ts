import * as crypto from 'node:crypto';

// Credentials are digested on every chatbot request: the one-shot `crypto.hash` (Node >= 20.12)
// costs a fifth of a Hash object; older Node 20 releases get the Hash object.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64' | 'buffer') => string | Buffer }).hash;

/** SHA-256 of a string, as bytes. */
export const sha256 = oneShot
  ? (value: string): Buffer => oneShot('sha256', value, 'buffer') as Buffer
  : (value: string): Buffer => crypto.createHash('sha256').update(value).digest();

/** SHA-256 of a string, base64 (a cache key for a presented credential). */
export const sha256Base64 = oneShot
  ? (value: string): string => oneShot('sha256', value, 'base64') as string
  : (value: string): string => crypto.createHash('sha256').update(value).digest('base64');
