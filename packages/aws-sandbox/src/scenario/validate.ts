import { parsePolicy } from '../policy';
import type { Scenario } from './types';
import {
  documentProblem,
  validateAccountIam,
  validateIdentityCenter,
  validateOrganizationPolicies,
} from './validateIam';

/** Thrown with every problem found, so a scenario author can fix them in one pass. */
export class ScenarioValidationError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(
      `Invalid scenario ${source}:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'ScenarioValidationError';
  }
}

const ACCOUNT_RE = /^\d{12}$/;
const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const UUID_RE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MRK_RE = /^mrk-[0-9a-f]{32}$/;
const KEY_ARN_RE =
  /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/;
const KEY_OR_ALIAS_ARN_RE = new RegExp(
  `${KEY_ARN_RE.source}|^arn:aws:kms:[a-z0-9-]+:\\d{12}:alias\\/[A-Za-z0-9/_-]{1,250}$`,
);
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const TRAIL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;
const ALIAS_RE = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const DATE_RE =
  /^([+-]\d+[smhd]|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?)$/;
const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion'];
// OU names: 1-128 characters, no slash (the path separator here).
const OU_PATH_RE = /^[^/\s][^/]{0,127}(\/[^/\s][^/]{0,127})*$/;
const ACCOUNT_STATE_RE = /^(ACTIVE|SUSPENDED|PENDING_CLOSURE|CLOSED)$/;

const PUBLIC_ACCESS_BLOCK_FIELDS = [
  'blockPublicAcls',
  'ignorePublicAcls',
  'blockPublicPolicy',
  'restrictPublicBuckets',
];

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks structure and cross references; returns the scenario unchanged so
 * callers can keep authoring order.
 */
export function validateScenario(input: unknown, source: string): Scenario {
  const problems: string[] = [];
  const fail = (path: string, msg: string) => problems.push(`${path}: ${msg}`);

  if (!isObj(input)) {
    throw new ScenarioValidationError(source, ['scenario must be a mapping']);
  }
  const str = (o: Obj, key: string, path: string, re?: RegExp, req = true) => {
    const v = o[key];
    if (v === undefined || v === null) {
      if (req) fail(`${path}.${key}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') {
      fail(`${path}.${key}`, `must be a string (got ${JSON.stringify(v)})`);
      return undefined;
    }
    if (re && !re.test(v)) fail(`${path}.${key}`, `invalid value "${v}"`);
    return v;
  };
  const bool = (o: Obj, key: string, path: string) => {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      fail(`${path}.${key}`, 'must be true or false');
    }
  };
  const list = (key: string): Obj[] => {
    const v = input[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      fail(key, 'must be a list');
      return [];
    }
    return v.map((item, i) => {
      if (!isObj(item)) fail(`${key}[${i}]`, 'must be a mapping');
      return isObj(item) ? item : {};
    });
  };

  const accounts = list('accounts');
  if (accounts.length === 0)
    fail('accounts', 'at least one account is required');
  const accountIds = new Set<string>();
  accounts.forEach((a, i) => {
    const p = `accounts[${i}]`;
    const id = str(a, 'id', p, ACCOUNT_RE);
    str(a, 'name', p);
    str(a, 'email', p, undefined, false);
    bool(a, 'assumeRoleDenied', p);
    bool(a, 'inOrganization', p);
    str(a, 'ou', p, OU_PATH_RE, false);
    str(a, 'state', p, ACCOUNT_STATE_RE, false);
    if (
      a.ou !== undefined &&
      (input.organization === undefined || a.inOrganization === false)
    ) {
      fail(`${p}.ou`, 'only organization members sit in an OU');
    }
    if (id && accountIds.has(id)) fail(`${p}.id`, `duplicate account ${id}`);
    if (id) accountIds.add(id);
    const roles = a.roles;
    if (roles !== undefined && !Array.isArray(roles)) {
      fail(`${p}.roles`, 'must be a list');
    } else {
      (roles ?? []).forEach((r: unknown, j: number) => {
        if (typeof r === 'string') return;
        if (!isObj(r)) fail(`${p}.roles[${j}]`, 'must be a name or mapping');
        else {
          str(r, 'name', `${p}.roles[${j}]`);
          bool(r, 'readOnly', `${p}.roles[${j}]`);
          str(r, 'externalId', `${p}.roles[${j}]`, undefined, false);
        }
      });
    }
  });
  accounts.forEach((a, i) => validateAccountIam(a, `accounts[${i}]`, fail));
  validateIdentityCenter(input.identityCenter, accountIds, fail);
  const known = (path: string, id: string | undefined) => {
    if (id && ACCOUNT_RE.test(id) && !accountIds.has(id)) {
      fail(path, `unknown account ${id}`);
    }
  };

  if (input.organization !== undefined) {
    if (!isObj(input.organization)) fail('organization', 'must be a mapping');
    else {
      str(input.organization, 'id', 'organization', /^o-[a-z0-9]{10,32}$/);
      known(
        'organization.managementAccount',
        str(
          input.organization,
          'managementAccount',
          'organization',
          ACCOUNT_RE,
        ),
      );
      validateOrganizationPolicies(input.organization, accounts, fail);
    }
  }

  list('credentials').forEach((c, i) => {
    const p = `credentials[${i}]`;
    str(c, 'accessKeyId', p, /^AKIA[A-Z0-9]{16}$/);
    str(c, 'secretAccessKey', p);
    known(`${p}.accountId`, str(c, 'accountId', p, ACCOUNT_RE));
  });

  const keyArns = new Set<string>();
  list('keys').forEach((k, i) => {
    const p = `keys[${i}]`;
    const account = str(k, 'account', p, ACCOUNT_RE);
    known(`${p}.account`, account);
    const region = str(k, 'region', p, REGION_RE);
    const id = str(k, 'id', p);
    if (id && !UUID_RE.test(id) && !MRK_RE.test(id)) {
      fail(`${p}.id`, `must be a UUID or mrk-<32 hex> (got "${id}")`);
    }
    if (id && MRK_RE.test(id) !== (k.multiRegion === true)) {
      fail(`${p}.id`, 'mrk- ids are exactly the multiRegion keys');
    }
    const arn = `arn:aws:kms:${region}:${account}:key/${id}`;
    if (keyArns.has(arn)) fail(p, `duplicate key ${arn}`);
    keyArns.add(arn);
    const state = str(k, 'state', p, undefined, false);
    if (state && !KEY_STATES.includes(state)) {
      fail(`${p}.state`, `must be one of ${KEY_STATES.join(', ')}`);
    }
    bool(k, 'rotation', p);
    bool(k, 'multiRegion', p);
    str(k, 'creationDate', p, DATE_RE, false);
    str(k, 'deletionDate', p, DATE_RE, false);
    const w = k.pendingWindowInDays;
    if (w !== undefined && (typeof w !== 'number' || w < 7 || w > 30)) {
      fail(`${p}.pendingWindowInDays`, 'must be a number from 7 to 30');
    }
    if (
      k.policy !== undefined &&
      typeof k.policy !== 'string' &&
      !isObj(k.policy)
    ) {
      fail(`${p}.policy`, 'must be a policy mapping or raw policy text');
    }
    if (k.aliases !== undefined && !Array.isArray(k.aliases)) {
      fail(`${p}.aliases`, 'must be a list');
    }
    ((k.aliases as unknown[]) ?? []).forEach((a, j) => {
      if (
        typeof a !== 'string' ||
        !ALIAS_RE.test(a) ||
        a.startsWith('alias/aws/')
      ) {
        fail(`${p}.aliases[${j}]`, `invalid alias ${JSON.stringify(a)}`);
      }
    });
    ((k.grants as unknown[]) ?? []).forEach((g, j) => {
      if (!isObj(g)) fail(`${p}.grants[${j}]`, 'must be a mapping');
      else {
        str(g, 'granteePrincipal', `${p}.grants[${j}]`);
        if (!Array.isArray(g.operations) || g.operations.length === 0) {
          fail(`${p}.grants[${j}].operations`, 'must be a non-empty list');
        }
      }
    });
  });

  const buckets = new Set<string>();
  list('buckets').forEach((b, i) => {
    const p = `buckets[${i}]`;
    const name = str(b, 'name', p, BUCKET_RE);
    if (name && buckets.has(name))
      fail(`${p}.name`, `duplicate bucket ${name}`);
    if (name) buckets.add(name);
    known(`${p}.account`, str(b, 'account', p, ACCOUNT_RE));
    str(b, 'region', p, REGION_RE);
    if (b.readers !== undefined && !Array.isArray(b.readers)) {
      fail(`${p}.readers`, 'must be a list of account ids');
    }
    if (isObj(b.policy)) {
      const problem = documentProblem(b.policy);
      if (problem) fail(`${p}.policy`, problem);
    } else if (b.policy !== undefined && b.policy !== null) {
      if (typeof b.policy !== 'string' || !parsePolicy(b.policy)) {
        fail(`${p}.policy`, 'must be a JSON policy document with a Statement');
      }
    }
    const pab = b.publicAccessBlock;
    if (isObj(pab)) {
      for (const [k, v] of Object.entries(pab)) {
        if (!PUBLIC_ACCESS_BLOCK_FIELDS.includes(k)) {
          fail(
            `${p}.publicAccessBlock.${k}`,
            `unknown setting (one of ${PUBLIC_ACCESS_BLOCK_FIELDS.join(', ')})`,
          );
        } else if (typeof v !== 'boolean') {
          fail(`${p}.publicAccessBlock.${k}`, 'must be true or false');
        }
      }
    } else if (pab !== undefined && typeof pab !== 'boolean') {
      fail(
        `${p}.publicAccessBlock`,
        'must be true, false or a mapping of the four settings',
      );
    }
    if (b.encryption !== undefined) {
      if (!isObj(b.encryption)) fail(`${p}.encryption`, 'must be a mapping');
      else
        str(
          b.encryption,
          'algorithm',
          `${p}.encryption`,
          /^(AES256|aws:kms|aws:kms:dsse)$/,
        );
    }
  });

  const trailArns = new Set<string>();
  list('trails').forEach((t, i) => {
    const p = `trails[${i}]`;
    const account = str(t, 'account', p, ACCOUNT_RE);
    known(`${p}.account`, account);
    const name = str(t, 'name', p, TRAIL_NAME_RE);
    const home = str(t, 'homeRegion', p, REGION_RE);
    const arn = `arn:aws:cloudtrail:${home}:${account}:trail/${name}`;
    if (trailArns.has(arn)) fail(p, `duplicate trail ${arn}`);
    trailArns.add(arn);
    const bucket = str(t, 'bucket', p, BUCKET_RE);
    if (bucket && buckets.size > 0 && !buckets.has(bucket)) {
      fail(`${p}.bucket`, `unknown bucket ${bucket}`);
    }
    // A trail may name its key by alias ARN, as DescribeTrails then shows it.
    str(t, 'kmsKey', p, KEY_OR_ALIAS_ARN_RE, false);
    str(t, 'latestDeliveryTime', p, DATE_RE, false);
    str(t, 'latestDeliveryError', p, undefined, false);
    for (const f of [
      'multiRegion',
      'organization',
      'isLogging',
      'logFileValidation',
    ]) {
      bool(t, f, p);
    }
    if (t.organization === true && isObj(input.organization)) {
      if (account !== input.organization.managementAccount) {
        fail(
          `${p}.organization`,
          'organization trails belong to the management account',
        );
      }
    } else if (t.organization === true) {
      fail(`${p}.organization`, 'requires an organization section');
    }
  });

  if (problems.length > 0) throw new ScenarioValidationError(source, problems);
  return input as unknown as Scenario;
}

export function isKeyArn(value: string): boolean {
  return KEY_ARN_RE.test(value);
}
