/**
 * Sample values for the actions' examples. Input and output schemas are in
 * ../schemas.ts.
 */
export const EXAMPLE = {
  accountId: '123456789012',
  trailArn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events',
  keyArn:
    'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  reader: 'arn:aws:iam::123456789012:role/SecurityAudit',
};
