import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { validate } from 'jsonschema';
import { createTemplateRenderer } from 'nunjitsu';
import { actionContext, outputsOf } from './sandbox';

/**
 * Runs a v1beta3 template's steps the way the scaffolder's workflow runner
 * does (nunjitsu with JSON coercion, `if` before input, input validated
 * against the action's JSON schema), with the given actions. Enough to prove
 * that the template and the actions fit together, in dry runs and real runs.
 */

interface TemplateStep {
  id: string;
  if?: string | boolean;
  action: string;
  input?: Record<string, unknown>;
}

export interface TemplateDocument {
  spec: {
    parameters: Array<Record<string, any>>;
    steps: TemplateStep[];
    output: Record<string, unknown>;
  };
}

const renderer = createTemplateRenderer();

function render(value: unknown, context: Record<string, any>): any {
  return JSON.parse(JSON.stringify(value), (_key, v) => {
    if (typeof v !== 'string') return v;
    try {
      return renderer.renderValue(v, context, { coercion: 'json' });
    } catch {
      return v;
    }
  });
}

const truthy = (value: unknown) =>
  typeof value === 'string' ? !['', 'false'].includes(value) : Boolean(value);

/** Property schemas of every page, including those of dependency branches. */
export function parameterProperties(
  template: TemplateDocument,
): Map<string, any> {
  const properties = new Map<string, any>();
  const visit = (schema: Record<string, any>) => {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (!properties.has(name) || (property as any).type) {
        properties.set(name, property);
      }
    }
    for (const dependency of Object.values(schema.dependencies ?? {})) {
      for (const branch of (dependency as any).oneOf ?? []) visit(branch);
    }
  };
  template.spec.parameters.forEach(visit);
  return properties;
}

/** The defaults the form fills in for fields the prefilled data leaves out. */
export function withDefaults(
  template: TemplateDocument,
  formData: Record<string, unknown>,
): Record<string, unknown> {
  const values = { ...formData };
  for (const [name, property] of parameterProperties(template)) {
    if (values[name] === undefined && property.default !== undefined) {
      values[name] = property.default;
    }
  }
  return values;
}

export async function runTemplate(
  template: TemplateDocument,
  actions: TemplateAction<any, any, any>[],
  parameters: Record<string, unknown>,
  options: { dryRun: boolean },
) {
  const steps: Record<string, { output: Record<string, any> }> = {};
  const ran: string[] = [];
  for (const step of template.spec.steps) {
    const context = { parameters, steps };
    if (step.if !== undefined && !truthy(render(step.if, context))) continue;
    const action = actions.find(a => a.id === step.action);
    if (!action) throw new Error(`No action ${step.action}`);
    const input = render(step.input ?? {}, context);
    const result = validate(input, action.schema?.input ?? {});
    if (!result.valid) {
      throw new Error(
        `Invalid input passed to action ${action.id}, ${result.errors.join(
          ', ',
        )}`,
      );
    }
    const ctx = actionContext(input, { dryRun: options.dryRun });
    await action.handler(ctx);
    // Through JSON: under Jest, values parsed by fetch come from another
    // realm, whose arrays the template engine refuses.
    steps[step.id] = { output: JSON.parse(JSON.stringify(outputsOf(ctx))) };
    ran.push(step.id);
  }
  const output = render(template.spec.output, { parameters, steps });
  return { ran, steps, output };
}
