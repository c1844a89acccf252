import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  paginateListGrants,
  type GrantListEntry,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import type { KmsGrant } from '../analysis/grants';
import type { AwsClientFactory } from './AwsClientFactory';

/** A grant as ListGrants returns it; the analysis reads the same shape. */
export type GrantRecord = KmsGrant;

/** Reads KMS: I/O only, no judgement. Every call runs in the key's Region. */
export class KeyReader {
  constructor(
    private readonly clients: AwsClientFactory,
    private readonly options: { callTimeoutMs: number },
  ) {}

  async describeKey(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<KeyMetadata> {
    const client = await this.clients.kms(accountId, region);
    const out = await client.send(new DescribeKeyCommand({ KeyId: keyId }), {
      abortSignal: this.#signal(),
    });
    if (!out.KeyMetadata) throw new Error(`DescribeKey returned no metadata`);
    return out.KeyMetadata;
  }

  async getKeyPolicy(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<string> {
    const client = await this.clients.kms(accountId, region);
    const out = await client.send(
      new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }),
      { abortSignal: this.#signal() },
    );
    return out.Policy ?? '';
  }

  async getKeyRotationStatus(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<boolean> {
    const client = await this.clients.kms(accountId, region);
    const out = await client.send(
      new GetKeyRotationStatusCommand({ KeyId: keyId }),
      { abortSignal: this.#signal() },
    );
    return Boolean(out.KeyRotationEnabled);
  }

  async listGrants(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<GrantRecord[]> {
    const client = await this.clients.kms(accountId, region);
    const grants: GrantRecord[] = [];
    for await (const page of paginateListGrants(
      { client, pageSize: 100 },
      { KeyId: keyId },
    )) {
      for (const g of page.Grants ?? []) grants.push(toGrantRecord(g));
    }
    return grants;
  }

  #signal() {
    return AbortSignal.timeout(this.options.callTimeoutMs);
  }
}

function toGrantRecord(g: GrantListEntry): GrantRecord {
  return {
    GrantId: g.GrantId,
    Name: g.Name,
    GranteePrincipal: g.GranteePrincipal,
    RetiringPrincipal: g.RetiringPrincipal,
    Operations: g.Operations?.map(String),
    Constraints: g.Constraints
      ? {
          EncryptionContextSubset: g.Constraints.EncryptionContextSubset,
          EncryptionContextEquals: g.Constraints.EncryptionContextEquals,
        }
      : undefined,
  };
}
