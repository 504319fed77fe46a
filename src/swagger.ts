import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER } from './modules/auth/api-key.strategy';

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Phone number service')
    .setDescription(
      [
        'Phone numbers for property managers (PMs) and their realtors: PMs request numbers, the tech',
        'team buys and records them, PMs assign them, and the chatbot looks up who owns a number.',
        '',
        'Admin endpoints take an admin JWT (`role: admin`) or an admin-scoped `X-API-Key`.',
        'Dashboard endpoints take the PM\'s or realtor\'s JWT. Errors are RFC 9457 problem JSON.',
      ].join('\n'),
    )
    .setVersion('1.0')
    .addServer('http://localhost:8000', 'Development')
    .addServer('https://leasing-copilot-mvp.onrender.com', 'Production')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
