import {
  accountIdFromArn,
  consoleLinks,
  parseArn,
  partitionOf,
  partitionOfRegion,
  regionFromArn,
} from './arn';

describe('parseArn', () => {
  it('splits an ARN whose resource holds slashes and colons', () => {
    expect(parseArn('arn:aws:iam::123456789012:role/path/to/Reader')).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      accountId: '123456789012',
      resource: 'role/path/to/Reader',
    });
    expect(
      parseArn('arn:aws:logs:us-east-1:123456789012:log-group:a:*')?.resource,
    ).toBe('log-group:a:*');
  });

  it('refuses what is not an ARN', () => {
    expect(parseArn(undefined)).toBeUndefined();
    expect(parseArn('')).toBeUndefined();
    expect(parseArn('key/abc')).toBeUndefined();
    expect(parseArn('arn:aws:kms')).toBeUndefined();
  });

  it('reads account, Region and partition', () => {
    const gov = 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/k-1';
    expect(accountIdFromArn(gov)).toBe('123456789012');
    expect(regionFromArn(gov)).toBe('us-gov-west-1');
    expect(partitionOf(gov)).toBe('aws-us-gov');
    expect(partitionOf('arn:aws-cn:iam::123456789012:root')).toBe('aws-cn');
    expect(partitionOf('arn:aws-iso:iam::123456789012:root')).toBeUndefined();
    expect(accountIdFromArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(regionFromArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(partitionOfRegion('us-gov-east-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('eu-west-1')).toBe('aws');
  });
});

describe('consoleLinks', () => {
  it('links each partition to its own console', () => {
    expect(consoleLinks.key('arn:aws:kms:eu-west-1:123456789012:key/k-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/kms/home?region=eu-west-1#/kms/keys/k-1',
    );
    expect(
      consoleLinks.key('arn:aws-cn:kms:cn-north-1:123456789012:key/k-1'),
    ).toBe(
      'https://console.amazonaws.cn/kms/home?region=cn-north-1#/kms/keys/k-1',
    );
    expect(
      consoleLinks.trail(
        'arn:aws-us-gov:cloudtrail:us-gov-west-1:123456789012:trail/org',
      ),
    ).toBe(
      'https://console.amazonaws-us-gov.com/cloudtrail/home?region=us-gov-west-1#/trails/arn%3Aaws-us-gov%3Acloudtrail%3Aus-gov-west-1%3A123456789012%3Atrail%2Forg',
    );
    expect(consoleLinks.bucket('logs', 'us-east-2')).toBe(
      'https://s3.console.aws.amazon.com/s3/buckets/logs?region=us-east-2',
    );
    expect(consoleLinks.bucket('logs', 'cn-north-1')).toBe(
      'https://console.amazonaws.cn/s3/buckets/logs?region=cn-north-1',
    );
    expect(
      consoleLinks.role('arn:aws:iam::123456789012:role/ops/TrailGuardScan'),
    ).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/TrailGuardScan',
    );
  });

  it('gives no link for an ARN of another service or an unknown partition', () => {
    expect(consoleLinks.key('arn:aws:s3:::bucket')).toBeUndefined();
    expect(
      consoleLinks.trail('arn:aws-iso:cloudtrail:us-iso-east-1:1:trail/t'),
    ).toBeUndefined();
    expect(
      consoleLinks.role('arn:aws:iam::123456789012:user/alice'),
    ).toBeUndefined();
  });
});

describe('consoleLinks.iamPrincipal', () => {
  it('links a role or a user to its IAM page in its own partition', () => {
    expect(
      consoleLinks.iamPrincipal(
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef',
      ),
    ).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/AWSReservedSSO_AdministratorAccess_0123456789abcdef',
    );
    expect(
      consoleLinks.iamPrincipal('arn:aws:iam::123456789012:user/ops/alice'),
    ).toBe('https://console.aws.amazon.com/iam/home#/users/details/alice');
    expect(
      consoleLinks.iamPrincipal('arn:aws-cn:iam::123456789012:user/bob'),
    ).toBe('https://console.amazonaws.cn/iam/home#/users/details/bob');
    expect(
      consoleLinks.iamPrincipal(
        'arn:aws-us-gov:iam::123456789012:role/Auditor',
      ),
    ).toBe(
      'https://console.amazonaws-us-gov.com/iam/home#/roles/details/Auditor',
    );
  });

  it('gives no link for sessions, groups, other services or unknown partitions', () => {
    for (const arn of [
      'arn:aws:sts::123456789012:assumed-role/Auditor/session',
      'arn:aws:iam::123456789012:group/Admins',
      'arn:aws:iam::123456789012:root',
      'arn:aws:kms:us-east-1:123456789012:key/abc',
      'arn:aws-iso:iam::123456789012:role/Auditor',
      '123456789012',
    ]) {
      expect(consoleLinks.iamPrincipal(arn)).toBeUndefined();
    }
  });
});
