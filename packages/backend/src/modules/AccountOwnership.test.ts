import type { Entity } from '@backstage/catalog-model';
import { AccountOwnership } from './AccountOwnership';

// As AwsOrganizationCloudAccountProcessor emits an account.
const account = (id: string, name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    title: name,
    namespace: 'default',
    annotations: {
      'amazonaws.com/account-id': id,
      'amazonaws.com/organization-id': 'o-tgdemo12345',
    },
    labels: { 'amazonaws.com/account-status': 'active' },
  },
  spec: { type: 'cloud-account', owner: 'unknown' },
});

const FILE = `
defaults:
  owner: group:platform-team
  system: aws-organization
  tags: [aws]
accounts:
  '100000000001':
    owner: group:payments-team
    description: Payments production workloads.
    tags: [production]
`;

describe('AccountOwnership', () => {
  it('gives a listed account its owner, system, description, tags and prefixed name', () => {
    const ownership = AccountOwnership.parse(FILE, 'owners.yaml', 'aws-');
    expect(ownership.apply(account('100000000001', 'payments-prod'))).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'aws-payments-prod',
        title: 'payments-prod',
        namespace: 'default',
        description: 'Payments production workloads.',
        tags: ['aws', 'production'],
        annotations: {
          'amazonaws.com/account-id': '100000000001',
          'amazonaws.com/organization-id': 'o-tgdemo12345',
        },
        labels: { 'amazonaws.com/account-status': 'active' },
      },
      spec: {
        type: 'cloud-account',
        owner: 'group:payments-team',
        system: 'aws-organization',
      },
    });
  });

  it('falls back to the defaults, then to what the processor emitted', () => {
    const withDefaults = AccountOwnership.parse(FILE, 'owners.yaml');
    expect(
      withDefaults.apply(account('100000000077', 'new-team')).spec,
    ).toEqual({
      type: 'cloud-account',
      owner: 'group:platform-team',
      system: 'aws-organization',
    });
    const none = AccountOwnership.parse('', 'empty.yaml');
    const entity = account('100000000077', 'new-team');
    expect(none.apply(entity)).toEqual(entity);
  });

  it.each([
    [
      'accounts:\n  nope: { owner: group:x }',
      'accounts key nope is not an account id',
    ],
    [
      "accounts:\n  '100000000001': { owner: '' }",
      'owner must be a non-empty string',
    ],
    [
      "accounts:\n  '100000000001': { tags: x }",
      'tags must be a list of strings',
    ],
    [
      "accounts:\n  '100000000001': { name: x }",
      'name is not one of owner, system, description, tags',
    ],
    ['defaults: [1]', 'defaults must be a mapping'],
  ])('rejects %j', (text, message) => {
    expect(() => AccountOwnership.parse(text, 'owners.yaml')).toThrow(message);
  });
});
