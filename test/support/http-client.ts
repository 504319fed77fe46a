import { checkResponse } from './openapi-conformance';

/**
 * A small HTTP client for e2e tests: real requests over loopback, like a caller's. Every response
 * is checked against the OpenAPI document of the application that gave it (see
 * openapi-conformance.ts); a response the document does not describe fails the test.
 */
export interface Credentials {
  jwt?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: Credentials & { body?: unknown; rawBody?: string; contentType?: string } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.jwt) headers.authorization = `Bearer ${options.jwt}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    await checkResponse(method, this.baseUrl + path, response.status, response.headers.get('content-type'), text);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, auth: Credentials = {}) {
    return this.request<T>('GET', path, auth);
  }

  post<T = any>(path: string, body: unknown, auth: Credentials = {}) {
    return this.request<T>('POST', path, { ...auth, body });
  }

  patch<T = any>(path: string, body: unknown, auth: Credentials = {}) {
    return this.request<T>('PATCH', path, { ...auth, body });
  }

  delete<T = any>(path: string, auth: Credentials = {}) {
    return this.request<T>('DELETE', path, auth);
  }
}
