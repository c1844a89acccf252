import type { ScaffolderDryRunResponse } from '@backstage/plugin-scaffolder-react';
import type { JsonObject, JsonValue } from '@backstage/types';

/**
 * The custom field's name, as templates refer to it in `ui:field`.
 *
 * @public
 */
export const REMEDIATION_PREVIEW_FIELD = 'TrailGuardRemediationPreview';

type Schema = { [key: string]: any };

function isPreviewProperty(property: unknown): boolean {
  return (
    typeof property === 'object' &&
    property !== null &&
    (property as Schema)['ui:field'] === REMEDIATION_PREVIEW_FIELD
  );
}

/** Names of the properties that render this preview, in every page of the template. */
export function previewPropertyNames(parameters: unknown): string[] {
  const names = new Set<string>();
  const visit = (schema: unknown) => {
    if (typeof schema !== 'object' || schema === null) return;
    const s = schema as Schema;
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      if (isPreviewProperty(property)) names.add(name);
    }
    for (const dependency of Object.values(s.dependencies ?? {})) {
      for (const branch of (dependency as Schema)?.oneOf ?? []) visit(branch);
    }
  };
  for (const page of [parameters ?? []].flat()) visit(page);
  return [...names];
}

function withoutPreview(schema: Schema, names: string[]): Schema {
  const copy: Schema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).filter(([name]) => !names.includes(name)),
    );
  }
  if (Array.isArray(copy.required)) {
    copy.required = copy.required.filter(
      (name: string) => !names.includes(name),
    );
  }
  return copy;
}

/**
 * The dry-run request for the values the user entered: the template as the
 * catalog holds it, without the preview field itself (the dry run is what is
 * being confirmed, so it cannot require the confirmation), and the values
 * without the confirmation.
 */
export function dryRunRequest<T extends { spec?: any }>(
  template: T,
  values: JsonObject,
): { template: T; values: JsonObject } {
  const names = previewPropertyNames(template.spec?.parameters);
  const parameters = [template.spec?.parameters ?? []]
    .flat()
    .map((page: Schema) => withoutPreview(page, names))
    // A page left with nothing to ask is dropped.
    .filter(
      (page: Schema) =>
        Object.keys(page.properties ?? {}).length > 0 || page.dependencies,
    );
  const cleanValues = Object.fromEntries(
    Object.entries(values).filter(
      ([name, value]) => !names.includes(name) && value !== undefined,
    ),
  ) as JsonObject;
  return {
    template: { ...template, spec: { ...template.spec, parameters } },
    values: cleanValues,
  };
}

export type PreviewStepStatus =
  | 'will-run'
  | 'not-needed'
  | 'failed'
  | 'not-reached';

export interface PreviewLine {
  text: string;
  level: 'info' | 'warn' | 'error';
}

/** One step of the template, as the dry run planned it. */
export interface PreviewStep {
  id: string;
  name: string;
  status: PreviewStepStatus;
  /** What the step would do, from its dry-run log (lines of a diff start with + or -). */
  lines: PreviewLine[];
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const LEVEL = /^(info|warn|warning|error|debug):\s*/i;

/** The scaffolder's own bookkeeping lines, which say nothing about the change. */
function isBookkeeping(message: string): boolean {
  return (
    /^Running \S+ in dry-run mode with inputs/.test(message) ||
    /^(Beginning|Finished) step /.test(message) ||
    /^Skipping step /.test(message) ||
    /^Starting up task with /.test(message)
  );
}

function lineOf(raw: string): PreviewLine | undefined {
  const clean = raw.replace(ANSI, '').trimEnd();
  const level = LEVEL.exec(clean)?.[1]?.toLowerCase();
  const text = clean.replace(LEVEL, '');
  if (!text.trim() || isBookkeeping(text)) return undefined;
  if (level === 'debug') return undefined;
  return {
    text,
    level:
      // eslint-disable-next-line no-nested-ternary
      level === 'error' ? 'error' : level?.startsWith('warn') ? 'warn' : 'info',
  };
}

/** Each step of the run, with what its dry run logged. */
export function previewSteps(
  response: Pick<ScaffolderDryRunResponse, 'log' | 'steps'>,
): PreviewStep[] {
  const steps = response.steps.map<PreviewStep>(step => ({
    id: step.id,
    name: step.name ?? step.id,
    status: 'not-reached',
    lines: [],
  }));
  const byId = new Map(steps.map(step => [step.id, step]));
  for (const { body } of response.log) {
    const step = body.stepId ? byId.get(body.stepId) : undefined;
    if (!step) continue;
    if (body.status === 'skipped') step.status = 'not-needed';
    else if (body.status === 'failed') step.status = 'failed';
    else if (body.status === 'completed' || body.status === 'processing') {
      if (step.status === 'not-reached') step.status = 'will-run';
    }
    if (body.status === undefined || body.status === 'failed') {
      const line = lineOf(String(body.message ?? ''));
      if (line) step.lines.push(line);
    }
  }
  return steps;
}

/** Whether a line of a preview is part of a diff, and which side. */
export function diffSide(text: string): 'added' | 'removed' | undefined {
  if (/^\+(\s|$)/.test(text) || /^\+[{"[]/.test(text)) return 'added';
  if (/^-(\s|$)/.test(text) || /^-[{"[]/.test(text)) return 'removed';
  return undefined;
}

/** A dry run's failure in words, from the scaffolder's error response. */
export function dryRunErrorText(error: unknown): string {
  const e = error as {
    message?: string;
    body?: {
      error?: { message?: string };
      errors?: Array<{ stack?: string; message?: string }>;
    };
    response?: { status?: number };
    statusCode?: number;
  };
  const status = e?.response?.status ?? e?.statusCode;
  const message =
    e?.body?.error?.message ?? e?.message ?? String(error ?? 'unknown error');
  // The scaffolder prefixes the error with the request's status; the
  // action's own message is what the user can act on.
  const plain = message
    .replace(/^Request failed with (status )?\d+[^,]*,\s*/, '')
    .trim();
  if (status === 401 || status === 403) {
    return `You may not run this template as a dry run: ${plain}`;
  }
  if (status === 400) {
    return `The form values were refused: ${plain}`;
  }
  return plain;
}

/** The key and accounts a request involves, from the form alone (the dry run checks them). */
export interface RequestParties {
  trailArn?: string;
  trailAccountId?: string;
  accountId?: string;
  keyMode?: string;
  keyArn?: string;
  keyAccountId?: string;
  keyRegion?: string;
  bucketRegion?: string;
}

function arnPart(arn: unknown, index: number): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const part = arn.split(':')[index];
  return part || undefined;
}

export function requestParties(
  values: Record<string, JsonValue | undefined>,
): RequestParties {
  const keyMode =
    typeof values.keyMode === 'string' ? values.keyMode : undefined;
  const keyArn =
    keyMode && keyMode !== 'create' && typeof values.existingKeyArn === 'string'
      ? values.existingKeyArn
      : undefined;
  return {
    trailArn: typeof values.trailArn === 'string' ? values.trailArn : undefined,
    trailAccountId: arnPart(values.trailArn, 4),
    accountId:
      typeof values.accountId === 'string' ? values.accountId : undefined,
    keyMode,
    keyArn,
    keyAccountId: arnPart(keyArn, 4),
    keyRegion: arnPart(keyArn, 3),
    bucketRegion:
      typeof values.bucketRegion === 'string' ? values.bucketRegion : undefined,
  };
}
