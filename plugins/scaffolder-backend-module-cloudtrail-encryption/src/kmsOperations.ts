import {
  CancelKeyDeletionCommand,
  EnableKeyCommand,
  ListResourceTagsCommand,
  ReplicateKeyCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { describeAwsError } from '@trailguard/plugin-cloudtrail-encryption-node';
import { awsCall, RemediationError } from './aws/errors';
import type { RemediationSession } from './aws/RemediationAws';

/**
 * The KMS calls of the restore and replicate actions, and the tag read of
 * the scope check, on a remediation session (see docs/iam-policies.md).
 */
export class KmsOperations {
  constructor(
    private readonly session: RemediationSession,
    private readonly signal?: AbortSignal,
  ) {}

  get #options() {
    return { abortSignal: this.signal };
  }

  async cancelKeyDeletion(region: string, keyArn: string): Promise<void> {
    await awsCall(`CancelKeyDeletion of ${keyArn}`, () =>
      this.session
        .kms(region)
        .send(new CancelKeyDeletionCommand({ KeyId: keyArn }), this.#options),
    );
  }

  async enableKey(region: string, keyArn: string): Promise<void> {
    await awsCall(`EnableKey of ${keyArn}`, () =>
      this.session
        .kms(region)
        .send(new EnableKeyCommand({ KeyId: keyArn }), this.#options),
    );
  }

  /** ReplicateKey is not idempotent (a second call fails), so one attempt. */
  async replicateKey(
    primaryRegion: string,
    primaryKeyArn: string,
    input: {
      replicaRegion: string;
      policy: string;
      description: string;
      tags: Record<string, string>;
    },
  ): Promise<KeyMetadata> {
    const out = await awsCall(
      `ReplicateKey of ${primaryKeyArn} into ${input.replicaRegion}`,
      () =>
        this.session.kmsSingleAttempt(primaryRegion).send(
          new ReplicateKeyCommand({
            KeyId: primaryKeyArn,
            ReplicaRegion: input.replicaRegion,
            Policy: input.policy,
            Description: input.description,
            BypassPolicyLockoutSafetyCheck: false,
            Tags: Object.entries(input.tags).map(([TagKey, TagValue]) => ({
              TagKey,
              TagValue,
            })),
          }),
          this.#options,
        ),
    );
    if (!out.ReplicaKeyMetadata?.Arn) {
      throw new RemediationError(
        `ReplicateKey of ${primaryKeyArn} returned no replica`,
      );
    }
    return out.ReplicaKeyMetadata;
  }

  /**
   * The key's tags; undefined when they cannot be read (the role lacks
   * kms:ListResourceTags, or the endpoint does not serve it), which the
   * scope check treats as "no tag".
   */
  async tags(
    region: string,
    keyArn: string,
  ): Promise<Record<string, string> | undefined> {
    try {
      const out = await this.session
        .kms(region)
        .send(new ListResourceTagsCommand({ KeyId: keyArn }), this.#options);
      return Object.fromEntries(
        (out.Tags ?? []).map(t => [t.TagKey ?? '', t.TagValue ?? '']),
      );
    } catch (error) {
      if (describeAwsError(error).code) return undefined;
      throw error;
    }
  }
}
