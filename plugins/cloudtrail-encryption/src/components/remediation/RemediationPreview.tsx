import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  scaffolderApiRef,
  type FieldExtensionComponentProps,
  type ScaffolderApi,
  type ScaffolderDryRunResponse,
} from '@backstage/plugin-scaffolder-react';
import type { JsonObject } from '@backstage/types';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  diffSide,
  dryRunErrorText,
  dryRunRequest,
  previewPropertyNames,
  previewSteps,
  requestParties,
  type PreviewStep,
  type PreviewStepStatus,
  type RequestParties,
} from './dryRunPreview';

/**
 * `ui:options` of the field.
 *
 * @public
 */
export type RemediationPreviewUiOptions = {
  /** The template to dry-run; defaults to the template the form belongs to. */
  templateRef?: string;
};

type DryRunTemplate = Parameters<ScaffolderApi['dryRun']>[0]['template'];

const useStyles = makeStyles(theme => ({
  root: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2) },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0, overflowWrap: 'anywhere' },
    [theme.breakpoints.down('xs')]: { gridTemplateColumns: '1fr' },
  },
  steps: { listStyle: 'none', margin: 0, padding: 0 },
  step: {
    padding: theme.spacing(1, 0),
    '&:not(:last-child)': {
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
  },
  stepHeader: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  lines: {
    margin: theme.spacing(1, 0, 0),
    padding: theme.spacing(1),
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxHeight: 360,
    overflowY: 'auto',
  },
  added: {
    color: theme.palette.type === 'dark' ? '#7ee787' : '#116329',
    backgroundColor: theme.palette.type === 'dark' ? '#033a16' : '#dafbe1',
    display: 'block',
  },
  removed: {
    color: theme.palette.type === 'dark' ? '#ffa198' : '#82071e',
    backgroundColor: theme.palette.type === 'dark' ? '#67060c' : '#ffebe9',
    display: 'block',
  },
  warn: { color: theme.palette.warning.dark, display: 'block' },
  error: { color: theme.palette.error.main, display: 'block' },
  plain: { display: 'block' },
}));

const STATUS_LABEL: Record<PreviewStepStatus, string> = {
  'will-run': 'will run',
  'not-needed': 'not needed',
  failed: 'refused',
  'not-reached': 'not reached',
};

function StepItem(props: { step: PreviewStep }) {
  const classes = useStyles();
  const { step } = props;
  const lineClass = (text: string, level: string) => {
    const side = diffSide(text);
    if (side === 'added') return classes.added;
    if (side === 'removed') return classes.removed;
    if (level === 'error') return classes.error;
    if (level === 'warn') return classes.warn;
    return classes.plain;
  };
  return (
    <li className={classes.step} data-testid={`preview-step-${step.id}`}>
      <div className={classes.stepHeader}>
        <Typography variant="subtitle2" component="span">
          {step.name}
        </Typography>
        <Chip
          size="small"
          variant={step.status === 'will-run' ? 'default' : 'outlined'}
          color={step.status === 'failed' ? 'secondary' : 'default'}
          label={STATUS_LABEL[step.status]}
        />
      </div>
      {step.lines.length > 0 && (
        <div className={classes.lines} role="log" aria-label={step.name}>
          {step.lines.flatMap((line, i) =>
            line.text.split('\n').map((text, j) => (
              <span
                key={`${i}-${j}`}
                className={lineClass(text, line.level)}
                data-diff={diffSide(text)}
              >
                {text || ' '}
              </span>
            )),
          )}
        </div>
      )}
    </li>
  );
}

function Parties(props: { parties: RequestParties }) {
  const classes = useStyles();
  const { parties } = props;
  const outsideKey =
    parties.keyAccountId !== undefined &&
    parties.trailAccountId !== undefined &&
    parties.keyAccountId !== parties.trailAccountId;
  let key = 'unknown';
  if (parties.keyMode === 'create') {
    key = `a new key in account ${parties.trailAccountId ?? '?'}, Region ${
      parties.bucketRegion ?? '?'
    }`;
  } else if (parties.keyArn) {
    key = `${parties.keyArn} (account ${parties.keyAccountId ?? '?'}, Region ${
      parties.keyRegion ?? '?'
    })`;
  }
  return (
    <>
      <dl className={classes.facts} data-testid="preview-parties">
        <Typography component="dt" variant="body2">
          Trail
        </Typography>
        <Typography component="dd" variant="body2">
          {parties.trailArn ?? 'none'}
        </Typography>
        <Typography component="dt" variant="body2">
          Trail's account
        </Typography>
        <Typography component="dd" variant="body2">
          {parties.trailAccountId ?? 'unknown'}
        </Typography>
        <Typography component="dt" variant="body2">
          Key
        </Typography>
        <Typography component="dd" variant="body2">
          {key}
        </Typography>
        <Typography component="dt" variant="body2">
          Key's account
        </Typography>
        <Typography component="dd" variant="body2">
          {parties.keyMode === 'create'
            ? parties.trailAccountId ?? 'unknown'
            : parties.keyAccountId ?? 'unknown'}
        </Typography>
      </dl>
      {outsideKey && (
        <Alert severity="warning" data-testid="preview-outside-key">
          The key belongs to account {parties.keyAccountId}, not to the trail's
          account {parties.trailAccountId}. A link can prefill any key: continue
          only if you expect the trail's logs to be encrypted with a key of
          account {parties.keyAccountId}. The dry run below refuses a key
          outside the trail owner's account and its organization.
        </Alert>
      )}
    </>
  );
}

type PreviewState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; steps: PreviewStep[]; response: ScaffolderDryRunResponse };

/** The plan digest the template's output carries (from its check step). */
function planDigestOf(response: ScaffolderDryRunResponse): string | undefined {
  const value = (response.output as Record<string, unknown> | undefined)
    ?.planDigest;
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)
    ? value
    : undefined;
}

/**
 * The last page of the remediation template: runs the template as a dry run
 * with the values entered (every step reads and checks, nothing is written),
 * shows what each step would change, and holds the user's confirmation as
 * the field's value. Without a successful dry run there is nothing to
 * confirm, so the run cannot be created.
 */
export function RemediationPreview(
  props: FieldExtensionComponentProps<string, RemediationPreviewUiOptions>,
) {
  const classes = useStyles();
  const { onChange, formData, formContext, uiSchema, rawErrors, idSchema } =
    props;
  const catalogApi = useApi(catalogApiRef);
  const scaffolderApi = useApi(scaffolderApiRef);
  const params = useParams();
  const templateRef =
    uiSchema?.['ui:options']?.templateRef ??
    (params.templateName
      ? `template:${params.namespace ?? 'default'}/${params.templateName}`
      : undefined);

  const allValues: JsonObject = useMemo(
    () => (formContext?.formData ?? {}) as JsonObject,
    [formContext?.formData],
  );
  const ownName = idSchema?.$id?.replace(/^root_/, '');
  // The values the preview is for: everything but the confirmation.
  const valuesKey = JSON.stringify(
    Object.fromEntries(
      Object.entries(allValues)
        .filter(([name]) => name !== ownName)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
  const values = useMemo(
    () => JSON.parse(valuesKey) as JsonObject,
    [valuesKey],
  );
  const parties = requestParties(values);

  const [state, setState] = useState<PreviewState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    let cancelled = false;
    // A confirmation is for the changes shown: new values, new preview.
    onChangeRef.current(undefined as unknown as string);
    setState({ kind: 'loading' });
    (async () => {
      if (!templateRef) {
        throw new Error(
          'This form does not say which template to preview (ui:options.templateRef).',
        );
      }
      const entity = await catalogApi.getEntityByRef(templateRef);
      if (!entity) {
        throw new Error(`Template ${templateRef} is not in the catalog.`);
      }
      const names = previewPropertyNames((entity.spec as any)?.parameters);
      const request = dryRunRequest(
        entity as unknown as DryRunTemplate,
        Object.fromEntries(
          Object.entries(values).filter(([name]) => !names.includes(name)),
        ) as JsonObject,
      );
      const response = await scaffolderApi.dryRun({
        template: request.template,
        values: request.values,
        secrets: {},
        directoryContents: [],
      });
      return response;
    })().then(
      response => {
        if (!cancelled) {
          setState({ kind: 'ready', steps: previewSteps(response), response });
        }
      },
      error => {
        if (!cancelled) {
          setState({ kind: 'error', message: dryRunErrorText(error) });
        }
      },
    );
    return () => {
      cancelled = true;
    };
  }, [catalogApi, scaffolderApi, templateRef, values, attempt]);

  const retry = useCallback(() => setAttempt(n => n + 1), []);
  const skipped =
    state.kind === 'ready'
      ? state.steps
          .filter(step => step.status === 'not-needed')
          .map(step => step.name)
      : [];
  const account = parties.trailAccountId ?? parties.accountId ?? 'the account';
  // The dry run's plan digest: the run checks that it still stands for what
  // it would do, so a confirmation cannot outlive the plan it was given for.
  const digest =
    state.kind === 'ready' ? planDigestOf(state.response) : undefined;
  const confirmed = !!digest && formData === digest;
  const errors = rawErrors?.filter(Boolean) ?? [];

  return (
    <div className={classes.root} data-testid="remediation-preview">
      <Typography variant="h6" component="h2">
        Planned changes
      </Typography>
      <Parties parties={parties} />
      {state.kind === 'loading' && (
        <div>
          <Typography variant="body2" color="textSecondary">
            Computing the planned changes with a dry run against account{' '}
            {account}: every step reads and checks, nothing is written.
          </Typography>
          <Progress />
        </div>
      )}
      {state.kind === 'error' && (
        <Alert
          severity="error"
          data-testid="preview-error"
          action={
            <Button color="inherit" size="small" onClick={retry}>
              Try again
            </Button>
          }
        >
          The dry run stopped, so there is nothing to confirm:{' '}
          {/[.!?]$/.test(state.message) ? state.message : `${state.message}.`}{' '}
          {/nothing was changed/i.test(state.message)
            ? ''
            : 'Nothing was changed. '}
          Go back to change the values, or fix the cause and try again.
        </Alert>
      )}
      {state.kind === 'ready' && (
        <>
          <Typography variant="body2">
            The dry run checked every step against account {account} and wrote
            nothing. Running the template makes these changes, then rescans the
            account; a run that leaves a critical or high finding ends as not
            fixed.
          </Typography>
          <ol className={classes.steps} aria-label="Planned steps">
            {state.steps
              .filter(step => step.status !== 'not-needed')
              .map(step => (
                <StepItem key={step.id} step={step} />
              ))}
          </ol>
          {skipped.length > 0 && (
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid="preview-not-needed"
            >
              Not needed for this fix: {skipped.join('; ')}.
            </Typography>
          )}
        </>
      )}
      <div>
        <FormControlLabel
          control={
            <Checkbox
              id={idSchema?.$id}
              color="primary"
              checked={confirmed}
              disabled={!digest}
              onChange={(_event, checked) =>
                onChange((checked ? digest : undefined) as string)
              }
            />
          }
          label={`I have reviewed these changes and want them made in account ${account}`}
        />
        {errors.length > 0 && !confirmed && (
          <FormHelperText error data-testid="preview-confirmation-missing">
            {state.kind === 'ready'
              ? 'Read the planned changes, then tick the box to continue.'
              : 'Without a successful dry run there is nothing to confirm, so the run cannot go on.'}
          </FormHelperText>
        )}
      </div>
    </div>
  );
}

/** The field's validation: the run may only go on with the changes confirmed. */
export function validateRemediationPreview(
  value: string | undefined,
  validation: { addError: (message: string) => void },
) {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    // Shown after the field's title: "'Planned changes' are not confirmed…".
    validation.addError(
      'are not confirmed yet: a run only starts once the changes of a successful dry run are confirmed below.',
    );
  }
}
