import type { Entity } from '@backstage/catalog-model';
import {
  AWS_ACCOUNT_ID_ANNOTATION,
  ROADIE_AWS_ACCOUNT_ID_ANNOTATION,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * True when the entity names an AWS account, so the card has something to
 * show. Deliberately does not validate the id: a malformed annotation should
 * still bring up the card, which then explains what is wrong.
 *
 * @public
 */
export function isCloudTrailEncryptionAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations;
  return Boolean(
    annotations?.[AWS_ACCOUNT_ID_ANNOTATION] ||
      annotations?.[ROADIE_AWS_ACCOUNT_ID_ANNOTATION],
  );
}
