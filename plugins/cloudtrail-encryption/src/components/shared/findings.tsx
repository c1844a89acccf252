import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  FINDING_TITLES,
  findingDocsAnchor,
  type FindingCode,
} from '@trailguard/plugin-cloudtrail-encryption-common';

/**
 * Where the finding catalogue (docs/findings.md) is published, from
 * `cloudtrailEncryption.docsUrl`. There is no default: an installation links
 * to its own copy, and without one the code is shown unlinked rather than
 * pointing at an address that may not exist.
 */
export function useFindingsDocsUrl(): string | undefined {
  const config = useApi(configApiRef);
  return config.getOptionalString('cloudtrailEncryption.docsUrl');
}

export function findingDocsHref(docsUrl: string, code: FindingCode): string {
  return `${docsUrl.replace(/#.*$/, '')}#${findingDocsAnchor(code)}`;
}

/**
 * Another page of the docs folder `docsUrl` points into (docs/findings.md),
 * e.g. `iam-policies.md`; undefined when `docsUrl` is not a URL.
 */
export function docsPageHref(
  docsUrl: string,
  page: string,
  anchor?: string,
): string | undefined {
  try {
    const url = new URL(page, docsUrl.replace(/#.*$/, ''));
    if (anchor) url.hash = anchor;
    return url.toString();
  } catch {
    return undefined;
  }
}

/**
 * A page of docs/ as a link where the docs are published
 * (`cloudtrailEncryption.docsUrl`), else its path in the repository as text.
 */
export function DocsPageLink(props: {
  page: string;
  anchor?: string;
  children?: string;
}) {
  const docsUrl = useFindingsDocsUrl();
  const href = docsUrl && docsPageHref(docsUrl, props.page, props.anchor);
  const path = `docs/${props.page}`;
  if (!href) {
    return (
      <code data-docs-path={path}>
        {props.children ? `${props.children} (${path})` : path}
      </code>
    );
  }
  return (
    <Link
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      data-docs-path={path}
    >
      {props.children ?? path}
    </Link>
  );
}

/** Unknown codes (a newer backend) still show, under their code. */
export function findingTitleOf(code: FindingCode): string {
  return FINDING_TITLES[code]?.title ?? code;
}

/** How a finding is named in a list of options: "Title (CODE)". */
export function findingOptionLabel(code: FindingCode): string {
  return `${findingTitleOf(code)} (${code})`;
}

const useStyles = makeStyles(theme => ({
  name: {
    display: 'inline-flex',
    flexWrap: 'wrap',
    alignItems: 'baseline',
    columnGap: theme.spacing(1),
    minWidth: 0,
  },
  title: {
    // Titles wrap between words only; codes are never split.
    overflowWrap: 'normal',
    wordBreak: 'normal',
  },
  code: {
    fontFamily: 'monospace',
    fontSize: '0.8em',
    whiteSpace: 'nowrap',
    overflowWrap: 'normal',
    wordBreak: 'keep-all',
    padding: theme.spacing(0, 0.5),
    borderRadius: theme.shape.borderRadius,
    backgroundColor: theme.palette.action.hover,
  },
}));

/** The finding code as a monospace chip, linking to its documentation when it is published. */
export function FindingCodeLink(props: { code: FindingCode }) {
  const classes = useStyles();
  const docsUrl = useFindingsDocsUrl();
  if (!docsUrl) {
    return <span className={classes.code}>{props.code}</span>;
  }
  return (
    <Link
      href={findingDocsHref(docsUrl, props.code)}
      target="_blank"
      rel="noopener noreferrer"
      className={classes.code}
      data-finding-code-link={props.code}
      title={`${props.code} in the finding catalogue`}
    >
      {props.code}
    </Link>
  );
}

/** A finding's readable title followed by its linked code. */
export function FindingName(props: { code: FindingCode }) {
  const classes = useStyles();
  return (
    <span className={classes.name}>
      <Typography variant="body2" component="span" className={classes.title}>
        {findingTitleOf(props.code)}
      </Typography>
      <FindingCodeLink code={props.code} />
    </span>
  );
}
