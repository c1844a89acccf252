import { ConfigReader } from '@backstage/config';
import {
  NOT_CONFIGURED_MESSAGE,
  readRemediationSettings,
  RemediationAws,
  sessionName,
  sessionTags,
  sourceIdentity,
} from './RemediationAws';

describe('RemediationAws', () => {
  it('reads the remediation role apart from the scan roles', () => {
    const settings = readRemediationSettings(
      new ConfigReader({
        aws: {
          mainAccount: { region: 'eu-central-1' },
          accountDefaults: { roleName: 'TrailGuardReadOnly' },
          accounts: [{ accountId: '123456789012', roleName: 'Scanner' }],
        },
        cloudtrailEncryption: {
          aws: { endpoint: 'http://127.0.0.1:4599' },
          remediation: { roleName: ' TrailGuardRemediation ', externalId: 'x' },
        },
      }),
    );
    expect(settings).toMatchObject({
      roleName: 'TrailGuardRemediation',
      externalId: 'x',
      endpoint: 'http://127.0.0.1:4599',
      stsRegion: 'eu-central-1',
      scanRoleNames: ['TrailGuardReadOnly', 'Scanner'],
    });
  });

  it('is not configured without a role name', () => {
    const aws = new RemediationAws(new ConfigReader({}));
    expect(() => aws.assertConfigured()).toThrow(NOT_CONFIGURED_MESSAGE);
  });

  it('refuses a per-account scan role as the remediation role', () => {
    const aws = new RemediationAws(
      new ConfigReader({
        aws: { accounts: [{ accountId: '123456789012', roleName: 'Scanner' }] },
        cloudtrailEncryption: { remediation: { roleName: 'Scanner' } },
      }),
    );
    expect(() => aws.assertConfigured()).toThrow(
      /\(Scanner\) is also the read-only scan role/,
    );
  });

  it('names sessions after the initiator, as STS allows', () => {
    expect(sessionName()).toBe('trailguard-remediation');
    expect(sessionName('user:default/jane.doe')).toBe(
      'trailguard-user-default-jane.doe',
    );
    const long = sessionName(`user:default/${'x'.repeat(100)}`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[\w+=,.@-]+$/);
  });

  it('sets the initiator as SourceIdentity, in the characters STS allows', () => {
    expect(sourceIdentity('user:default/jane.doe')).toBe(
      'user-default-jane.doe',
    );
    expect(sourceIdentity(`user:default/${'x'.repeat(100)}`)).toHaveLength(64);
    expect(sourceIdentity()).toBeUndefined();
  });

  it('tags the session with the exact entity ref and the purpose', () => {
    expect(sessionTags('user:default/jane.doe')).toEqual({
      'trailguard:purpose': 'remediation',
      'trailguard:initiator': 'user:default/jane.doe',
    });
    expect(sessionTags('user:default/a b;c')).toEqual({
      'trailguard:purpose': 'remediation',
      'trailguard:initiator': 'user:default/a b_c',
    });
    expect(sessionTags()).toEqual({ 'trailguard:purpose': 'remediation' });
  });
});
