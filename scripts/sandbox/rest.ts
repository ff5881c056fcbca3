import https from 'node:https';

/** A minimal REST client for the sandbox and the tests' own set-up (not the plugin's client). */
export class SandboxRest {
  private readonly agent: https.Agent;

  constructor(
    readonly server: string,
    private readonly token: string,
    ca: string,
  ) {
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 16 });
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        new URL(path, this.server),
        {
          method,
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 0) >= 300) {
              const error = new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`) as Error & { statusCode?: number };
              error.statusCode = res.statusCode ?? 0;
              reject(error);
            } else {
              // /readyz and friends answer plain text.
              let value: unknown = text;
              try {
                value = text ? JSON.parse(text) : undefined;
              } catch {
                // keep the text
              }
              resolve(value as T);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  create<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** PUT: replaces the whole object; its metadata.resourceVersion makes it an optimistic-lock write (409 on conflict). */
  replace<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  /** GET that answers undefined for 404 (object or resource not there). */
  async find<T = unknown>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  mergePatch<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body, 'application/merge-patch+json');
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  /** Creates, ignoring "already exists" so seeds can be applied twice. */
  async ensure(path: string, body: unknown): Promise<void> {
    try {
      await this.create(path, body);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
