import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, exportJWK, generateKeyPair, SignJWT } from 'jose';
import knexFactory, { Knex } from 'knex';
import {
  freePort,
  listeningPorts,
  ProductionBackend,
  startProductionBackend,
} from './__testUtils__/productionBackend';

// The local PostgreSQL (trust authentication) stands in for the production one.
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const SANDBOX_PORT = 4599;

async function waitUntilReady(backend: ProductionBackend, url: string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (backend.child.exitCode !== null) {
      throw new Error(`backend exited: ${backend.output()}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`backend not ready: ${backend.output().slice(-3000)}`);
}

/**
 * A user token as the auth backend would issue one, signed by a key placed in
 * the auth backend's own key table: every plugin then trusts it through the
 * published JWKS, exactly as for a real sign-in.
 */
async function userToken(
  authDb: Knex,
  issuer: string,
  userRef: string,
): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', {
    extractable: true,
  });
  const kid = `test-${randomBytes(6).toString('hex')}`;
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid,
    alg: 'ES256',
    use: 'sig',
  };
  await authDb('signing_keys').insert({ kid, key: JSON.stringify(jwk) });
  const now = Math.floor(Date.now() / 1000);
  const exp = now + 600;
  // The user identity proof: the signature of the limited token that
  // backends derive from this one (header and claims in this exact order).
  const limited = await new CompactSign(
    new TextEncoder().encode(JSON.stringify({ sub: userRef, iat: now, exp })),
  )
    .setProtectedHeader({
      typ: 'vnd.backstage.limited-user',
      alg: 'ES256',
      kid,
    })
    .sign(privateKey);
  return new SignJWT({ ent: [userRef], uip: limited.split('.')[2] })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'vnd.backstage.user' })
    .setIssuer(issuer)
    .setSubject(userRef)
    .setAudience('backstage')
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(privateKey);
}

describe('the production configuration', () => {
  const prefix = `tgprod_${randomBytes(4).toString('hex')}_`;
  let admin: Knex;

  beforeAll(() => {
    admin = knexFactory({
      client: 'pg',
      connection: { ...PG, database: 'postgres' },
    });
  });

  afterAll(async () => {
    const { rows } = await admin.raw(
      'SELECT datname FROM pg_database WHERE datname LIKE ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    }
    await admin.destroy();
  });

  const settings = (port: number) => ({
    APP_BASE_URL: 'https://trailguard.example.com',
    BACKEND_BASE_URL: `http://127.0.0.1:${port}`,
    POSTGRES_HOST: PG.host,
    POSTGRES_PORT: String(PG.port),
    POSTGRES_USER: PG.user,
    POSTGRES_PASSWORD: 'unused-with-trust-auth',
    TRAILGUARD_SCAN_ROLE_NAME: 'TrailGuardReadOnly',
    // A port of its own and fresh databases; everything else is the file's.
    APP_CONFIG_backend_listen: JSON.stringify({ port, host: '127.0.0.1' }),
    APP_CONFIG_backend_database_prefix: prefix,
  });

  it('runs without the sandbox, endpoint overrides, guest sign-in or allow-all', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tg-production-'));
    const probe = join(dir, 'env.json');
    const backend = startProductionBackend({
      ...settings(port),
      TRAILGUARD_ENV_PROBE_FILE: probe,
    });
    const base = `http://127.0.0.1:${port}`;
    let authDb: Knex | undefined;
    try {
      await waitUntilReady(backend, `${base}/.backstage/health/v1/readiness`);

      // Only the backend's own port: no sandbox listener.
      expect(listeningPorts(backend.child.pid!)).toEqual([port]);
      expect(listeningPorts(backend.child.pid!)).not.toContain(SANDBOX_PORT);
      expect(backend.output()).not.toMatch(/AWS sandbox/);

      // Guest sign-in is not there at all.
      const guest = await fetch(`${base}/api/auth/guest/refresh`, {
        method: 'POST',
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      });
      expect(guest.status).toBe(404);

      // An ordinary user may not trigger a scan of an account nobody gave them.
      authDb = knexFactory({
        client: 'pg',
        connection: { ...PG, database: `${prefix}auth` },
      });
      const token = await userToken(
        authDb,
        `${base}/api/auth`,
        'user:default/mallory',
      );
      const decision = await fetch(`${base}/api/permission/authorize`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          items: [
            {
              id: 'scan',
              permission: {
                type: 'resource',
                name: 'cloudtrail-encryption.scan.trigger',
                attributes: { action: 'update' },
                resourceType: 'cloudtrail-encryption-account',
              },
              resourceRef: '100000000001',
            },
          ],
        }),
      });
      expect(decision.status).toBe(200);
      const { items } = await decision.json();
      expect(items).toEqual([expect.objectContaining({ id: 'scan' })]);
      expect(items[0].result).toBe('DENY');
    } finally {
      await authDb?.destroy();
      await backend.stop();
    }
    // Written at exit: what the process held after running its course.
    const variables = JSON.parse(readFileSync(probe, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    expect(variables).toEqual({});
  }, 150_000);

  it('refuses to start without its required settings, naming them', async () => {
    const port = await freePort();
    const {
      BACKEND_BASE_URL: _url,
      TRAILGUARD_SCAN_ROLE_NAME: _role,
      ...rest
    } = settings(port);
    const backend = startProductionBackend(rest);
    try {
      const code = await backend.exited;
      expect(code).not.toBe(0);
      const output = backend.output();
      expect(output).toContain(
        'backend.baseUrl is not set (environment variable BACKEND_BASE_URL)',
      );
      expect(output).toContain(
        'aws.accountDefaults.roleName is not set (environment variable TRAILGUARD_SCAN_ROLE_NAME)',
      );
      expect(output).not.toContain('POSTGRES_HOST');
    } finally {
      await backend.stop();
    }
  }, 60_000);
});
