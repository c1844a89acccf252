import type { StandardSchemaV1 } from '@backstage/frontend-plugin-api';

/**
 * An optional string config field. Hand-written to the Standard Schema and
 * Standard JSON Schema interfaces so that two string fields do not pull a
 * schema library into the plugin.
 */
export const optionalString: StandardSchemaV1<
  string | undefined,
  string | undefined
> & {
  '~standard': {
    jsonSchema: {
      input(options: unknown): Record<string, unknown>;
      output(options: unknown): Record<string, unknown>;
    };
  };
} = {
  '~standard': {
    version: 1,
    vendor: 'trailguard',
    validate(value: unknown) {
      if (value === undefined || typeof value === 'string') {
        return { value };
      }
      return {
        issues: [
          {
            message: `Expected a string, but received ${
              value === null ? 'null' : typeof value
            }`,
          },
        ],
      };
    },
    jsonSchema: {
      input: () => ({ type: 'string' }),
      output: () => ({ type: 'string' }),
    },
  },
};
