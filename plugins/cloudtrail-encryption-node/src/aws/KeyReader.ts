import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  paginateListGrants,
  type KMSClient,
  type GrantListEntry,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import type { KmsGrant } from '../analysis/grants';
import type { AwsAccess } from './AwsAccess';
import { CallDeadlines } from './callDeadline';

/**
 * A grant as ListGrants returns it; the analysis reads the same shape.
 *
 * @public
 */
export type GrantRecord = KmsGrant;

/** Reads KMS: I/O only, no judgement. Every call runs in the key's Region. */
export class KeyReader {
  readonly #deadlines: CallDeadlines;

  constructor(
    private readonly aws: AwsAccess,
    options: { callTimeoutMs: number },
  ) {
    this.#deadlines = CallDeadlines.for(options.callTimeoutMs);
  }

  async describeKey(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<KeyMetadataRecord> {
    const out = await this.#send(accountId, region, client =>
      client.send(new DescribeKeyCommand({ KeyId: keyId }), {
        abortSignal: this.#signal(),
      }),
    );
    if (!out.KeyMetadata) throw new Error(`DescribeKey returned no metadata`);
    return keepUsed(out.KeyMetadata);
  }

  async getKeyPolicy(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<string> {
    const out = await this.#send(accountId, region, client =>
      client.send(
        new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }),
        { abortSignal: this.#signal() },
      ),
    );
    return out.Policy ?? '';
  }

  async getKeyRotationStatus(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<boolean> {
    const out = await this.#send(accountId, region, client =>
      client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }), {
        abortSignal: this.#signal(),
      }),
    );
    return Boolean(out.KeyRotationEnabled);
  }

  listGrants(
    accountId: string,
    region: string,
    keyId: string,
  ): Promise<GrantRecord[]> {
    return this.#send(accountId, region, async client => {
      const grants: GrantRecord[] = [];
      for await (const page of paginateListGrants(
        { client, pageSize: 100 },
        { KeyId: keyId },
      )) {
        for (const g of page.Grants ?? []) grants.push(toGrantRecord(g));
      }
      return grants;
    });
  }

  #send<T>(
    accountId: string,
    region: string,
    fn: (client: KMSClient) => Promise<T>,
  ): Promise<T> {
    return this.aws.as(accountId, account => fn(account.kms(region)));
  }

  #signal() {
    return this.#deadlines.signal();
  }
}

/**
 * The fields of DescribeKey's metadata the scan reads, as plain data like
 * the other records: the deletion date in ISO 8601 (a scan keeps its
 * records in its spill, as JSON).
 *
 * @public
 */
export interface KeyMetadataRecord
  extends Pick<
    KeyMetadata,
    | 'Arn'
    | 'KeyId'
    | 'AWSAccountId'
    | 'KeyState'
    | 'KeyManager'
    | 'KeySpec'
    | 'KeyUsage'
    | 'MultiRegion'
    | 'MultiRegionConfiguration'
  > {
  /** When a key pending deletion is to be deleted (ISO 8601). */
  DeletionDate?: string;
}

/**
 * The fields the scan reads. A scan keeps every key's metadata until it
 * ends (another account's trail may name the same key), so the rest of the
 * SDK's answer is not kept.
 */
function keepUsed(m: KeyMetadata): KeyMetadataRecord {
  return {
    Arn: m.Arn,
    KeyId: m.KeyId,
    AWSAccountId: m.AWSAccountId,
    KeyState: m.KeyState,
    KeyManager: m.KeyManager,
    KeySpec: m.KeySpec,
    KeyUsage: m.KeyUsage,
    MultiRegion: m.MultiRegion,
    MultiRegionConfiguration: m.MultiRegionConfiguration,
    DeletionDate: m.DeletionDate?.toISOString(),
  };
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
