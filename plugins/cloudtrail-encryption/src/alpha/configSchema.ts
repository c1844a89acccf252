import { z } from 'zod';

/** The type named in validation messages: `null` is not an "object" here. */
function receivedType(value: unknown): string {
  return value === null ? 'null' : typeof value;
}

/**
 * An optional string config field, with the validation message the card's
 * configuration has always reported ("Expected a string, but received
 * number").
 */
export const optionalString = () =>
  z
    .string({
      error: issue =>
        `Expected a string, but received ${receivedType(issue.input)}`,
    })
    .optional();

/**
 * The entity card's extension config: `templateNamespace` and `templateName`
 * select the Scaffolder template behind Remediate; both default to the
 * plugin's own template (`default/cloudtrail-sse-kms`) when left out.
 *
 * @alpha
 */
export const entityCardConfigSchema = {
  templateNamespace: optionalString(),
  templateName: optionalString(),
};
