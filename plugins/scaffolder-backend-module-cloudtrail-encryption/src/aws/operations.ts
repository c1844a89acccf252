import {
  GetTrailCommand,
  UpdateTrailCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import {
  describeAwsError,
  readBucketRegion,
} from '@trailguard/plugin-cloudtrail-encryption-node';
import { awsCall, RemediationError } from './errors';
import type { RemediationSession } from './RemediationAws';

/**
 * The AWS calls the remediation actions make: each runs in the Region it
 * must (a key's Region, a trail's home Region) and fails with the call, the
 * resource and the AWS error code. Only the calls listed for the remediation
 * role in docs/iam-policies.md are used.
 */
export class RemediationOperations {
  constructor(
    private readonly session: RemediationSession,
    private readonly signal?: AbortSignal,
  ) {}

  get #options() {
    return { abortSignal: this.signal };
  }

  async describeKey(region: string, keyId: string): Promise<KeyMetadata> {
    const out = await awsCall(`DescribeKey of ${keyId}`, () =>
      this.session
        .kms(region)
        .send(new DescribeKeyCommand({ KeyId: keyId }), this.#options),
    );
    if (!out.KeyMetadata?.Arn) {
      throw new RemediationError(`DescribeKey of ${keyId} returned no key`);
    }
    return out.KeyMetadata;
  }

  /** The key an alias points to, or undefined when the alias is free. */
  async aliasTarget(
    region: string,
    alias: string,
  ): Promise<string | undefined> {
    try {
      const out = await this.session
        .kms(region)
        .send(new DescribeKeyCommand({ KeyId: alias }), this.#options);
      return out.KeyMetadata?.Arn;
    } catch (error) {
      if (describeAwsError(error).code === 'NotFoundException')
        return undefined;
      return awsCall(`DescribeKey of ${alias}`, () => Promise.reject(error));
    }
  }

  async getKeyPolicy(region: string, keyArn: string): Promise<string> {
    const out = await awsCall(`GetKeyPolicy of ${keyArn}`, () =>
      this.session
        .kms(region)
        .send(
          new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }),
          this.#options,
        ),
    );
    return out.Policy ?? '';
  }

  async putKeyPolicy(region: string, keyArn: string, policy: string) {
    await awsCall(`PutKeyPolicy of ${keyArn}`, () =>
      this.session.kms(region).send(
        new PutKeyPolicyCommand({
          KeyId: keyArn,
          PolicyName: 'default',
          Policy: policy,
          // KMS's own check that the policy does not lock administrators out stays on.
          BypassPolicyLockoutSafetyCheck: false,
        }),
        this.#options,
      ),
    );
  }

  async createKey(
    region: string,
    input: {
      policy: string;
      description: string;
      multiRegion: boolean;
      tags: Record<string, string>;
    },
  ): Promise<KeyMetadata> {
    const out = await awsCall(`CreateKey in ${region}`, () =>
      this.session.kmsSingleAttempt(region).send(
        new CreateKeyCommand({
          KeySpec: 'SYMMETRIC_DEFAULT',
          KeyUsage: 'ENCRYPT_DECRYPT',
          Origin: 'AWS_KMS',
          Policy: input.policy,
          Description: input.description,
          MultiRegion: input.multiRegion,
          Tags: Object.entries(input.tags).map(([TagKey, TagValue]) => ({
            TagKey,
            TagValue,
          })),
          BypassPolicyLockoutSafetyCheck: false,
        }),
        this.#options,
      ),
    );
    if (!out.KeyMetadata?.Arn || !out.KeyMetadata.KeyId) {
      throw new RemediationError(`CreateKey in ${region} returned no key`);
    }
    return out.KeyMetadata;
  }

  async enableKeyRotation(region: string, keyArn: string) {
    await awsCall(`EnableKeyRotation of ${keyArn}`, () =>
      this.session
        .kms(region)
        .send(new EnableKeyRotationCommand({ KeyId: keyArn }), this.#options),
    );
  }

  async createAlias(region: string, alias: string, keyId: string) {
    await awsCall(`CreateAlias ${alias}`, () =>
      this.session
        .kms(region)
        .send(
          new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }),
          this.#options,
        ),
    );
  }

  async getTrail(homeRegion: string, trailArn: string): Promise<Trail> {
    const out = await awsCall(`GetTrail of ${trailArn}`, () =>
      this.session
        .cloudTrail(homeRegion)
        .send(new GetTrailCommand({ Name: trailArn }), this.#options),
    );
    if (!out.Trail) {
      throw new RemediationError(`GetTrail of ${trailArn} returned no trail`);
    }
    return out.Trail;
  }

  async updateTrailKey(homeRegion: string, trailArn: string, keyArn: string) {
    const out = await awsCall(`UpdateTrail of ${trailArn}`, () =>
      this.session
        .cloudTrail(homeRegion)
        .send(
          new UpdateTrailCommand({ Name: trailArn, KmsKeyId: keyArn }),
          this.#options,
        ),
    );
    return out.KmsKeyId;
  }

  /**
   * The bucket's Region, read as the scan reads it (HeadBucket's
   * `x-amz-bucket-region`, on 403 and 301 too), so the role needs no access
   * to a central log bucket in another account.
   */
  async bucketRegion(clientRegion: string, bucket: string): Promise<string> {
    return awsCall(`HeadBucket of ${bucket}`, () =>
      readBucketRegion(this.session.s3(clientRegion), bucket, this.#options),
    );
  }
}
