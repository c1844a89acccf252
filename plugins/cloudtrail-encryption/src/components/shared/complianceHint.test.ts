import { compliantDespiteFindings } from './complianceHint';

describe('compliantDespiteFindings', () => {
  it('explains a compliant verdict next to non-blocking findings', () => {
    expect(
      compliantDespiteFindings('compliant', ['low', 'medium', 'low']),
    ).toBe(
      'Compliant despite medium and low findings: only critical and high findings block compliance; medium, low and info findings are advice.',
    );
    expect(compliantDespiteFindings('compliant', ['info'])).toMatch(
      /^Compliant despite info findings:/,
    );
  });

  it('says nothing without findings or when the account is not compliant', () => {
    expect(compliantDespiteFindings('compliant', [])).toBeUndefined();
    expect(
      compliantDespiteFindings('non-compliant', ['medium']),
    ).toBeUndefined();
    expect(compliantDespiteFindings('unknown', ['low'])).toBeUndefined();
  });
});
