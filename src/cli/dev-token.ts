/**
 * Prints a dashboard JWT for local use: `npm run dev-token -- <auth_user_id> [admin]`.
 * Signs HS256 with JWT_SECRET, valid for 12 hours. Refuses to run in production.
 */
import jwt from 'jsonwebtoken';
import { loadConfig } from '../config/app-config';

const config = loadConfig(process.env);
const [subject, role] = process.argv.slice(2);
if (config.isProduction) {
  process.stderr.write('dev-token is for development only.\n');
  process.exit(1);
}
if (!config.jwt.secret || !subject) {
  process.stderr.write('usage: JWT_SECRET=... npm run dev-token -- <auth_user_id> [admin]\n');
  process.exit(1);
}
process.stdout.write(
  jwt.sign({ sub: subject, role: role === 'admin' ? 'admin' : 'authenticated' }, config.jwt.secret, {
    algorithm: 'HS256',
    expiresIn: '12h',
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  }) + '\n',
);
