import { createExtensionTester } from '@backstage/frontend-test-utils';
import { cloudtrailEncryptionEntityCard } from './plugin';
import { entityCardConfigSchema, optionalString } from './configSchema';

describe('entity card config schema', () => {
  it('accepts strings and leaves absent keys to the defaults', () => {
    const schema = optionalString()['~standard'];
    expect(schema.validate('kms-fix')).toEqual({ value: 'kms-fix' });
    expect(schema.validate(undefined)).toEqual({ value: undefined });
  });

  it('reports the type it received', () => {
    const schema = optionalString()['~standard'];
    const messageFor = (value: unknown) => {
      const result = schema.validate(value) as {
        issues?: Array<{ message: string }>;
      };
      return result.issues?.map(issue => issue.message);
    };
    expect(messageFor(3)).toEqual(['Expected a string, but received number']);
    expect(messageFor(null)).toEqual(['Expected a string, but received null']);
    expect(messageFor({ name: 'x' })).toEqual([
      'Expected a string, but received object',
    ]);
    expect(messageFor(true)).toEqual([
      'Expected a string, but received boolean',
    ]);
  });

  it('describes itself as JSON schema, for the app config schema', () => {
    expect(Object.keys(entityCardConfigSchema)).toEqual([
      'templateNamespace',
      'templateName',
    ]);
    for (const field of Object.values(entityCardConfigSchema)) {
      expect(
        field['~standard'].jsonSchema.input({ target: 'draft-07' }),
      ).toMatchObject({ type: 'string' });
    }
  });

  it('validates the card extension config with those messages', () => {
    expect(() =>
      createExtensionTester(cloudtrailEncryptionEntityCard, {
        config: { templateName: 42 } as never,
      }).reactElement(),
    ).toThrow(/Expected a string, but received number at 'templateName'/);
    expect(() =>
      createExtensionTester(cloudtrailEncryptionEntityCard, {
        config: { templateNamespace: 'security' },
      }).reactElement(),
    ).not.toThrow();
  });
});
