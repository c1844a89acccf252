import { analyzeReaders } from './analyze';
import { urlEncoded } from './__fixtures__/iam';
import {
  A,
  B,
  OUTSIDE,
  UNSCANNED,
  DENIED,
  MANAGEMENT,
  TRAIL,
  input,
} from './__fixtures__/crossAccount';

const short = (arn: string) => arn.split(':').slice(4).join(':');
const readerNames = (readers: Array<{ principal: string }>) =>
  readers.map(r => short(r.principal)).sort();

describe('analyzeReaders across accounts and the organization', () => {
  const { readers, findings } = analyzeReaders(input());

  it('needs both the identity policy and the resource policies across accounts', () => {
    expect(readerNames(readers.readers)).toEqual([
      `${A}:role/CloudTrailReadRole`,
      `${A}:role/Open`,
      `${A}:role/Vendor`,
      `${A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SecurityAudit_0123456789abcdef`,
      `${B}:role/LogReader`,
      `${OUTSIDE}:role/External`,
    ]);
    const partial = Object.fromEntries(
      readers.partial.map(p => [short(p.principal), p.lacks]),
    );
    // The key policy lets B in, the bucket policy names only LogReader.
    expect(partial).toEqual({
      [`${B}:role/Unlisted`]: 's3:GetObject',
      [`${B}:user/auditor`]: 's3:GetObject',
    });
  });

  it('gives each reader its path', () => {
    const direct = readers.readers.find(r =>
      r.principal.endsWith('role/CloudTrailReadRole'),
    )!;
    expect(direct.via).toEqual([
      {
        layer: 'key-policy',
        policy: 'key policy',
        statement: 'Enable CloudTrail log decrypt permissions',
      },
      {
        layer: 'identity-policy',
        policy: 'inline:Objects',
        statement: '#0',
        attachedTo: `arn:aws:iam::${A}:role/CloudTrailReadRole`,
      },
    ]);
    const cross = readers.readers.find(r =>
      r.principal.endsWith('role/LogReader'),
    )!;
    expect(cross).toMatchObject({
      crossAccount: true,
      accountName: 'security',
    });
    expect(cross.via.map(s => [s.layer, s.statement])).toEqual([
      ['key-policy', 'Enable encrypted CloudTrail log read access'],
      ['identity-policy', 'Key'],
      ['identity-policy', 'Logs'],
      ['bucket-policy', 'Readers'],
    ]);
    const auditor = readers.partial.find(r =>
      r.principal.endsWith('user/auditor'),
    )!;
    expect(auditor.via).toContainEqual({
      layer: 'identity-policy',
      policy: 'inline:ReadLogs',
      statement: 'Key',
      attachedTo: `arn:aws:iam::${B}:group/Auditors`,
    });
  });

  it('follows one hop of trust: SSO permission sets, anyone, outside accounts', () => {
    const trust = (name: string) =>
      readers.readers.find(r => r.principal.endsWith(`/${name}`))!.trustedBy;
    expect(trust('AWSReservedSSO_SecurityAudit_0123456789abcdef')).toEqual([
      expect.objectContaining({
        kind: 'federated',
        permissionSet: 'SecurityAudit',
        accountId: A,
      }),
    ]);
    expect(trust('Open')).toEqual([
      {
        principal: '*',
        kind: 'any',
        outsideOrganization: true,
        conditions: [
          { operator: 'StringEquals', key: 'sts:ExternalId', values: ['x'] },
        ],
      },
    ]);
    expect(trust('Vendor')).toEqual([
      expect.objectContaining({
        kind: 'account-root',
        accountId: OUTSIDE,
        outsideOrganization: true,
      }),
    ]);
  });

  it("judges a role's trustees again once the accounts that count as ours change", () => {
    // The same documents, so the same principals: a scan lists a role under
    // every trail its logs reach, batch after batch.
    const given = input();
    const ours = [A, B, DENIED, MANAGEMENT];
    const vendor = (out: ReturnType<typeof analyzeReaders>) =>
      out.readers.readers.find(r => r.principal.endsWith('/Vendor'))!.trustedBy;
    const first = vendor(analyzeReaders({ ...given, trustedAccountIds: ours }));
    expect(first).toEqual([
      expect.objectContaining({
        accountId: OUTSIDE,
        outsideOrganization: true,
      }),
    ]);
    // Worked out once while what judges them is the same.
    expect(vendor(analyzeReaders({ ...given, trustedAccountIds: ours }))).toBe(
      first,
    );
    expect(
      vendor(
        analyzeReaders({ ...given, trustedAccountIds: [...ours, OUTSIDE] }),
      ),
    ).toEqual([
      expect.objectContaining({
        accountId: OUTSIDE,
        outsideOrganization: false,
      }),
    ]);
  });

  it('marks unresolved accounts with the permission the scan lacks', () => {
    expect(readers.unresolved).toEqual([
      expect.objectContaining({
        accountId: DENIED,
        accountName: 'sandbox',
        missingPermission: 'iam:GetAccountAuthorizationDetails',
      }),
      { accountId: UNSCANNED, reason: 'not in the scanned estate' },
    ]);
  });

  it('raises the reader findings, naming principals', () => {
    const byCode = Object.fromEntries(findings.map(f => [f.code, f]));
    expect(Object.keys(byCode).sort()).toEqual([
      'READERS_UNRESOLVED',
      'READERS_VIA_BROAD_POLICY',
      'READER_OUTSIDE_ORGANIZATION',
      'READER_ROLE_ASSUMABLE_BY_ANY',
    ]);
    expect(byCode.READER_OUTSIDE_ORGANIZATION).toMatchObject({
      severity: 'high',
      trailArn: TRAIL,
    });
    expect(byCode.READER_OUTSIDE_ORGANIZATION.message).toContain(
      `arn:aws:iam::${OUTSIDE}:role/External (account ${OUTSIDE})`,
    );
    expect(byCode.READER_OUTSIDE_ORGANIZATION.message).toContain(
      `arn:aws:iam::${A}:role/Vendor, assumable by arn:aws:iam::${OUTSIDE}:root`,
    );
    expect(byCode.READER_ROLE_ASSUMABLE_BY_ANY.message).toContain(
      `arn:aws:iam::${A}:role/Open`,
    );
    expect(byCode.READERS_UNRESOLVED).toMatchObject({ severity: 'medium' });
    expect(byCode.READERS_UNRESOLVED.message).toContain(
      `${DENIED} (sandbox): AccessDenied`,
    );
    expect(byCode.READERS_VIA_BROAD_POLICY).toMatchObject({ severity: 'info' });
    expect(byCode.READERS_VIA_BROAD_POLICY.message).toMatch(/: 3 readers hold/);
  });

  it('reads the raw API output (URL-encoded documents) the same way', () => {
    expect(analyzeReaders(input(urlEncoded))).toEqual({ readers, findings });
  });
});
