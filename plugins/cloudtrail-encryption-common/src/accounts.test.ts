import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAwsAccountIdFromAnnotations, isAwsAccountId } from './accounts';
import { FINDING_CODES, isFindingCode } from './findings';
import { compareSeverity } from './severity';

describe('account annotations', () => {
  it('reads the amazonaws.com annotation, then the Roadie one', () => {
    expect(
      getAwsAccountIdFromAnnotations({
        'amazonaws.com/account-id': '111122223333',
        'amazon.com/account-id': '444455556666',
      }),
    ).toBe('111122223333');
    expect(
      getAwsAccountIdFromAnnotations({
        'amazon.com/account-id': ' 444455556666 ',
      }),
    ).toBe('444455556666');
  });

  it('rejects anything that is not a 12-digit account id', () => {
    for (const bad of ['12345678901', '1234567890123', 'abcdefghijkl', '']) {
      expect(isAwsAccountId(bad)).toBe(false);
      expect(
        getAwsAccountIdFromAnnotations({ 'amazonaws.com/account-id': bad }),
      ).toBeUndefined();
    }
    expect(getAwsAccountIdFromAnnotations(undefined)).toBeUndefined();
  });
});

describe('findings', () => {
  it('knows every documented code and nothing else', () => {
    // The codes are the headings of docs/findings.md, in the same order.
    const documented = [
      ...readFileSync(
        join(__dirname, '../../../docs/findings.md'),
        'utf8',
      ).matchAll(/^### ([A-Z_]+)$/gm),
    ].map(m => m[1]);
    expect(FINDING_CODES).toEqual(documented);
    expect(FINDING_CODES).toHaveLength(18);
    expect(isFindingCode('KMS_KEY_REGION_MISMATCH')).toBe(true);
    expect(isFindingCode('kms_key_region_mismatch')).toBe(false);
  });

  it('orders severities most severe first', () => {
    const sorted = (['low', 'critical', 'info', 'high', 'medium'] as const)
      .slice()
      .sort(compareSeverity);
    expect(sorted).toEqual(['critical', 'high', 'medium', 'low', 'info']);
  });
});
