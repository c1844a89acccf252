import { spawn } from 'node:child_process';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

describe('bin/aws-sandbox', () => {
  it('starts from source, prints the endpoint and credentials, and serves them', async () => {
    const bin = resolvePackagePath(
      '@trailguard/aws-sandbox',
      'bin/aws-sandbox',
    );
    const child = spawn(
      process.execPath,
      [bin, '--accounts', '3', '--port', '0', '--latency', '1'],
      {
        cwd: path.dirname(path.dirname(bin)),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(
          () => reject(new Error(`no banner: ${out}`)),
          20_000,
        );
        child.stdout.on('data', chunk => {
          out += chunk;
          if (out.includes('Admin API')) {
            clearTimeout(timer);
            resolve(out);
          }
        });
        child.stderr.on('data', chunk => (out += chunk));
        child.once('exit', code => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(output).toContain('scenario: generated-3-seed-1 (5 accounts');
      expect(output).toContain('export AWS_ACCESS_KEY_ID=AKIASANDBOXMAIN00001');
      const endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(
        output,
      )![1];
      const sts = new STSClient({
        endpoint,
        region: 'us-east-1',
        credentials: {
          accessKeyId: 'AKIASANDBOXMAIN00001',
          secretAccessKey: 'sandbox-secret',
        },
      });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      expect(me.Account).toBe('900000000000');

      const token = /authorization: Bearer (\S+)/.exec(output)![1];
      const state = (headers: Record<string, string>) =>
        fetch(`${endpoint}/_sandbox/health`, { headers }).then(r => r.status);
      expect(await state({ authorization: `Bearer ${token}` })).toBe(200);
      expect(await state({})).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);

  it('refuses to generate more accounts than it can hold', async () => {
    const bin = resolvePackagePath(
      '@trailguard/aws-sandbox',
      'bin/aws-sandbox',
    );
    const child = spawn(
      process.execPath,
      [bin, '--accounts', '20001', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', chunk => (err += chunk));
    const code = await new Promise(resolve => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('--accounts must be at most 20000');
  }, 30_000);
});
