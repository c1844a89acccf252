import fc from 'fast-check';
import { evaluateKeyPolicy } from '@trailguard/plugin-cloudtrail-encryption-node';
import { readerCovered } from './cloudTrailAccess';
import {
  mergeCloudTrailStatements,
  MergeResult,
  TRAILGUARD_SIDS,
} from './mergeKeyPolicy';
import { MAX_KEY_POLICY_BYTES, PolicyRejectedError } from './policyText';

const KEY_ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${KEY_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TRAILS = [
  `arn:aws:cloudtrail:us-east-1:${KEY_ACCOUNT}:trail/main`,
  `arn:aws:cloudtrail:eu-west-1:${KEY_ACCOUNT}:trail/audit`,
  'arn:aws:cloudtrail:us-east-1:444455556666:trail/org-trail',
];
const READERS = [
  `arn:aws:iam::${KEY_ACCOUNT}:role/LogReader`,
  'arn:aws:iam::444455556666:role/Auditor',
  `arn:aws:iam::${KEY_ACCOUNT}:user/alice`,
  'arn:aws:iam::999988887777:root',
];
const AWS_PRINCIPALS = [
  KEY_ACCOUNT,
  `arn:aws:iam::${KEY_ACCOUNT}:root`,
  `arn:aws:iam::${KEY_ACCOUNT}:role/Admin`,
  ...READERS,
  `arn:aws:sts::${KEY_ACCOUNT}:assumed-role/Ops/session`,
  'AROAEXAMPLEID1234567',
];
const OUR_SIDS: string[] = Object.values(TRAILGUARD_SIDS);

const stringValue = fc.constantFrom(
  KEY_ACCOUNT,
  '444455556666',
  'o-abc1234567',
  's3.us-east-1.amazonaws.com',
  `arn:aws:cloudtrail:*:${KEY_ACCOUNT}:trail/*`,
  TRAILS[0],
  'arn:aws:iam::*:role/*',
  'true',
  'false',
);
const conditionValue = fc.oneof(
  stringValue,
  fc.uniqueArray(stringValue, { minLength: 1, maxLength: 3 }),
  fc.boolean(),
  fc.integer({ min: 0, max: 1_000_000 }),
);
const condition = fc.dictionary(
  fc.constantFrom(
    'StringEquals',
    'StringNotEquals',
    'StringLike',
    'StringNotLike',
    'StringEqualsIfExists',
    'ArnLike',
    'Bool',
    'Null',
    'NumericLessThan',
    'DateGreaterThan',
    'ForAnyValue:StringEquals',
    'ForAllValues:StringLike',
  ),
  fc.dictionary(
    fc.constantFrom(
      'kms:CallerAccount',
      'aws:PrincipalOrgID',
      'kms:ViaService',
      'aws:SourceAccount',
      'aws:SourceArn',
      'kms:EncryptionContext:aws:cloudtrail:arn',
      'aws:PrincipalArn',
      'aws:SecureTransport',
      'kms:GrantIsForAWSResource',
    ),
    conditionValue,
    { minKeys: 1, maxKeys: 2 },
  ),
  { minKeys: 1, maxKeys: 2 },
);
const principal = fc.oneof(
  fc.constant('*'),
  fc.constant({ AWS: '*' }),
  fc.constantFrom(...AWS_PRINCIPALS).map(p => ({ AWS: p })),
  fc
    .uniqueArray(fc.constantFrom(...AWS_PRINCIPALS), {
      minLength: 1,
      maxLength: 3,
    })
    .map(list => ({ AWS: list })),
  fc
    .constantFrom(
      'cloudtrail.amazonaws.com',
      's3.amazonaws.com',
      'logs.amazonaws.com',
    )
    .map(s => ({ Service: s })),
  fc.constant({
    Federated: `arn:aws:iam::${KEY_ACCOUNT}:saml-provider/Okta`,
  }),
);
const actionName = fc.constantFrom(
  'kms:*',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
  'kms:ReEncrypt*',
  'kms:CreateGrant',
  'kms:Get*',
  'kms:PutKeyPolicy',
);
const actions = fc.oneof(
  actionName,
  fc.uniqueArray(actionName, { minLength: 1, maxLength: 3 }),
);

/** Statements of every shape a real key policy has, never with TrailGuard's Sids. */
const statement = fc
  .record(
    {
      Sid: fc.option(
        fc.constantFrom(
          'Enable IAM User Permissions',
          'Allow access for Key Administrators',
          'Allow use of the key',
          'Allow attachment of persistent resources',
          'Allow CloudTrail to describe key',
          'DenyOutsideOrg',
          'Custom',
        ),
        { nil: undefined },
      ),
      // Deny is rarer, as in real policies; some of them lock CloudTrail out.
      Effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Allow', 'Deny'),
      who: fc.tuple(
        fc.constantFrom('Principal', 'Principal', 'Principal', 'NotPrincipal'),
        principal,
      ),
      what: fc.tuple(
        fc.constantFrom('Action', 'Action', 'Action', 'NotAction'),
        actions,
      ),
      Resource: fc.constantFrom('*', '*', KEY_ARN, [KEY_ARN, '*']),
      Condition: fc.option(condition, { nil: undefined }),
    },
    { requiredKeys: ['Effect', 'who', 'what', 'Resource'] },
  )
  .map(({ who, what, ...rest }) => {
    const s: Record<string, unknown> = {};
    if (rest.Sid !== undefined) s.Sid = rest.Sid;
    s.Effect = rest.Effect;
    s[who[0]] = who[1];
    s[what[0]] = what[1];
    s.Resource = rest.Resource;
    if (rest.Condition !== undefined) s.Condition = rest.Condition;
    return s;
  });

const policy = fc
  .record({
    Version: fc.option(fc.constant('2012-10-17'), { nil: undefined }),
    Id: fc.option(
      fc.constantFrom('key-default-1', 'Key policy created by CloudTrail'),
      { nil: undefined },
    ),
    statements: fc.array(statement, { minLength: 1, maxLength: 8 }),
    asObject: fc.boolean(),
  })
  .map(({ Version, Id, statements, asObject }) => {
    const doc: Record<string, unknown> = {};
    if (Version) doc.Version = Version;
    if (Id) doc.Id = Id;
    doc.Statement =
      asObject && statements.length === 1 ? statements[0] : statements;
    return doc;
  });

const scenario = fc.record({
  policy,
  trailArns: fc.uniqueArray(fc.constantFrom(...TRAILS), {
    minLength: 1,
    maxLength: 2,
  }),
  readers: fc.uniqueArray(fc.constantFrom(...READERS), { maxLength: 2 }),
  indented: fc.boolean(),
});

const statementsOf = (doc: any): any[] =>
  Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];

/** The merge, or undefined when it refused (nothing is written then); any other failure is a bug. */
function tryMerge(
  text: string,
  trailArns: string[],
  readers: string[],
): MergeResult | undefined {
  return attempt(text, trailArns, readers).result;
}

function attempt(
  text: string,
  trailArns: string[],
  readers: string[],
): { result?: MergeResult; refusal?: string } {
  try {
    return {
      result: mergeCloudTrailStatements(text, {
        trailArns,
        readers,
        keyArn: KEY_ARN,
        keyAccountId: KEY_ACCOUNT,
      }),
    };
  } catch (error) {
    if (!(error instanceof PolicyRejectedError)) throw error;
    return { refusal: error.message };
  }
}

function expectGrants(
  result: MergeResult,
  trailArns: string[],
  readers: string[],
) {
  for (const trailArn of trailArns) {
    const evaluation = evaluateKeyPolicy(result.policyText, {
      trailArn,
      trailOwnerAccountId: trailArn.split(':')[4],
      keyArn: KEY_ARN,
      keyAccountId: KEY_ACCOUNT,
    });
    if (!evaluation.readable) throw new Error(evaluation.reason);
    expect(evaluation.cloudTrailCanEncrypt).toBe(true);
    expect(evaluation.cloudTrailCanDescribe).toBe(true);
    for (const reader of readers) {
      expect(readerCovered(reader, evaluation.decryptPrincipals)).toBe(true);
    }
  }
}

describe('mergeCloudTrailStatements over generated policies', () => {
  it('keeps every statement, grants what is needed, and is idempotent', () => {
    let merged = 0;
    let changed = 0;
    fc.assert(
      fc.property(scenario, ({ policy: doc, trailArns, readers, indented }) => {
        const text = JSON.stringify(doc, null, indented ? 2 : undefined);
        const result = tryMerge(text, trailArns, readers);
        if (!result) return;
        merged++;
        if (result.changed) changed++;
        // Unchanged means the stored text, byte for byte.
        expect(result.changed || result.policyText === text).toBe(true);

        const after = JSON.parse(result.policyText);
        const original = statementsOf(doc);
        const statements = statementsOf(after);
        // Every original statement, in its place, serialised identically.
        original.forEach((s, i) =>
          expect(JSON.stringify(statements[i])).toBe(JSON.stringify(s)),
        );
        for (const added of statements.slice(original.length)) {
          expect(OUR_SIDS).toContain(added.Sid);
        }
        const { Statement: _a, ...restAfter } = after;
        const { Statement: _b, ...restBefore } = doc;
        expect(JSON.stringify(restAfter)).toBe(JSON.stringify(restBefore));
        expect(result.bytes).toBeLessThanOrEqual(MAX_KEY_POLICY_BYTES);

        expectGrants(result, trailArns, readers);

        const again = tryMerge(result.policyText, trailArns, readers)!;
        expect(again.changed).toBe(false);
        expect(again.policyText).toBe(result.policyText);
      }),
      { numRuns: 400 },
    );
    // The generator must mostly produce policies the merge can work on.
    expect(merged).toBeGreaterThan(200);
    expect(changed).toBeGreaterThan(100);
  });

  it('widening to more trails and readers only touches its own statements', () => {
    let extendedRuns = 0;
    fc.assert(
      fc.property(
        scenario,
        fc.array(statement, { maxLength: 3 }),
        ({ policy: doc, trailArns, readers }, later) => {
          const first = tryMerge(
            JSON.stringify(doc),
            trailArns.slice(0, 1),
            readers.slice(0, 1),
          );
          if (!first) return;
          const base = JSON.parse(first.policyText);
          base.Statement = [...statementsOf(base), ...later];
          const text = JSON.stringify(base);
          const second = tryMerge(text, trailArns, readers);
          if (!second) return;
          if (second.extendedSids.length > 0) extendedRuns++;
          const before = statementsOf(base);
          const after = statementsOf(JSON.parse(second.policyText));
          // Other statements stay identical; TrailGuard's keep their place.
          const fingerprint = (x: any, own: boolean) =>
            own ? x.Sid : JSON.stringify(x);
          before.forEach((s, i) => {
            const own = OUR_SIDS.includes(s.Sid);
            expect(fingerprint(after[i], own)).toBe(fingerprint(s, own));
          });
          expect(
            new Set(
              after
                .map((s: any) => s.Sid)
                .filter((sid: string) => OUR_SIDS.includes(sid)),
            ).size,
          ).toBe(after.filter((s: any) => OUR_SIDS.includes(s.Sid)).length);
          expectGrants(second, trailArns, readers);
        },
      ),
      { numRuns: 200 },
    );
    expect(extendedRuns).toBeGreaterThan(20);
  });

  it('never returns a policy over the KMS size limit', () => {
    let refusedForSize = 0;
    fc.assert(
      fc.property(
        scenario,
        fc.integer({ min: 0, max: 1_500 }),
        ({ policy: doc, trailArns, readers, indented }, slack) => {
          // Pad the policy to just under the limit with a large statement.
          const padding: string[] = [];
          const padded = {
            ...doc,
            Statement: [
              ...statementsOf(doc),
              {
                Sid: 'Padding',
                Effect: 'Allow',
                Principal: { AWS: padding },
                Action: 'kms:Decrypt',
                Resource: KEY_ARN,
              },
            ],
          };
          const size = () =>
            Buffer.byteLength(
              JSON.stringify(padded, null, indented ? 2 : undefined),
            );
          while (size() < MAX_KEY_POLICY_BYTES - slack - 60) {
            padding.push(`arn:aws:iam::${KEY_ACCOUNT}:role/p${padding.length}`);
          }
          fc.pre(size() <= MAX_KEY_POLICY_BYTES);
          const text = JSON.stringify(padded, null, indented ? 2 : undefined);
          const { result, refusal } = attempt(text, trailArns, readers);
          if (refusal && /over the KMS limit/.test(refusal)) refusedForSize++;
          expect(
            Buffer.byteLength(result?.policyText ?? ''),
          ).toBeLessThanOrEqual(MAX_KEY_POLICY_BYTES);
        },
      ),
      { numRuns: 60 },
    );
    expect(refusedForSize).toBeGreaterThan(10);
  });
});
