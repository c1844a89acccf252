#!/usr/bin/env bash
#
# Installs TrailGuard into a freshly created Backstage app the way an adopter
# would, from packed tarballs rather than from this monorepo's sources:
#
#   a. builds (`backstage-cli package build`) and packs (`yarn pack`) every
#      published package under plugins/ (private ones are skipped);
#   b. creates a new app with `npx @backstage/create-app@latest --skip-install`;
#   c. adds the tarballs as `file:` dependencies (plus their registry
#      dependencies), installs, wires the backend plugin and the scaffolder
#      module into packages/backend and lets the app discover the frontend
#      plugin (new frontend system, `app.packages: all`);
#   d. type-checks the app (`yarn tsc`) and starts its backend briefly to check
#      that GET /api/cloudtrail-encryption/health answers;
#   e. prints a PASS/FAIL summary (exit code 0 only when every step passed).
#
# The build runs in a copy of the repository, so packing (which rewrites
# package.json files for the time it runs) never disturbs a running
# `yarn start` in the checkout.
#
# Needs Node 22 or 24 and access to the npm registry. When `node -v` is
# another version, the script sources $TRAILGUARD_NODE_ENV (default:
# ../shared/tools/node22-env.sh next to the repository) if it exists.
#
# Environment:
#   TRAILGUARD_INSTALL_WORKDIR  where to work (default: a new /tmp directory)
#   TRAILGUARD_CHECK_PORT       port of the fresh app's backend (default 7317)
#   TRAILGUARD_CREATE_APP       create-app package (default @backstage/create-app@latest)
#   TRAILGUARD_KEEP=1           keep the work directory after a PASS

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${TRAILGUARD_CHECK_PORT:-7317}
CREATE_APP=${TRAILGUARD_CREATE_APP:-@backstage/create-app@latest}
WORK=${TRAILGUARD_INSTALL_WORKDIR:-$(mktemp -d /tmp/trailguard-install.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
SRC="$WORK/src"
TARBALLS="$WORK/tarballs"
APP="$WORK/app"
LOGS="$WORK/logs"
mkdir -p "$TARBALLS" "$LOGS"

declare -a SUMMARY=()
FAILED=0
BACKEND_PID=

log() { printf '\n==> %s\n' "$*"; }
pass() { SUMMARY+=("PASS  $1"); echo "PASS: $1"; }
fail() {
  SUMMARY+=("FAIL  $1${2:+ ($2)}")
  echo "FAIL: $1${2:+ ($2)}" >&2
  FAILED=1
}

summary() {
  if [ -n "$BACKEND_PID" ] && kill -0 "$BACKEND_PID" 2>/dev/null; then
    kill -- "-$BACKEND_PID" 2>/dev/null || kill "$BACKEND_PID" 2>/dev/null
  fi
  echo
  echo "================ TrailGuard install check ================"
  echo "node $(node -v 2>/dev/null), work directory $WORK"
  for line in "${SUMMARY[@]}"; do echo "$line"; done
  if [ "$FAILED" = 0 ]; then
    echo "RESULT: PASS"
    if [ "${TRAILGUARD_KEEP:-}" != 1 ] && [ -z "${TRAILGUARD_INSTALL_WORKDIR:-}" ]; then
      rm -rf "$WORK"
    fi
  else
    echo "RESULT: FAIL (logs in $LOGS)"
  fi
}
trap summary EXIT

# Runs a command with its output in a log file; shows the log's tail on failure.
run() {
  local name=$1
  shift
  local logfile="$LOGS/$name.log"
  if "$@" >"$logfile" 2>&1; then
    return 0
  fi
  echo "--- last lines of $logfile" >&2
  tail -n 40 "$logfile" >&2
  return 1
}

# --- Node 22 or 24 ---------------------------------------------------------
node_major() { node -v 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/'; }
case "$(node_major)" in
  22 | 24) ;;
  *)
    NODE_ENV_SCRIPT=${TRAILGUARD_NODE_ENV:-$REPO/../shared/tools/node22-env.sh}
    if [ -f "$NODE_ENV_SCRIPT" ]; then
      # shellcheck disable=SC1090
      . "$NODE_ENV_SCRIPT" >/dev/null
    fi
    ;;
esac
case "$(node_major)" in
  22 | 24) pass "Node $(node -v)" ;;
  *)
    fail "Node 22 or 24 on PATH" "found $(node -v 2>/dev/null || echo none)"
    exit 1
    ;;
esac

# --- a. build and pack -------------------------------------------------------
log "Copying the repository to $SRC"
rsync -a --delete \
  --exclude '/node_modules' --exclude '/.git' \
  --exclude '/plugins/*/dist' --exclude '/packages/*/dist' \
  --exclude '/dist-types' --exclude '/e2e-screenshots' \
  --exclude '/e2e-test-report' "$REPO/" "$SRC/"
# The repository's dependencies as hard links (same files, no second
# download; nothing below writes into them). Symbolic links would not do:
# tsc and the build resolve them to the checkout's real paths. The
# workspaces' links are relative, so they point at the copies.
rm -rf "$SRC/node_modules"
cp -al "$REPO/node_modules" "$SRC/node_modules"
rm -rf "$SRC/node_modules/.cache"

log "Type declarations (yarn tsc)"
# Declarations are emitted even when another package has type errors; the
# build below fails if ours are missing.
(cd "$SRC" && run repo-tsc yarn tsc) || echo "warning: yarn tsc reported errors (see $LOGS/repo-tsc.log)" >&2

declare -A TARBALL=()
pack_ok=1
for dir in "$SRC"/plugins/*; do
  [ -f "$dir/package.json" ] || continue
  read -r name private < <(node -p "const p=require('$dir/package.json'); p.name + ' ' + Boolean(p.private)")
  if [ "$private" = true ]; then
    echo "skipping private package $name"
    continue
  fi
  short=$(basename "$dir")
  log "Building and packing $name"
  if (cd "$dir" && run "build-$short" yarn backstage-cli package build &&
    run "pack-$short" yarn pack --out "$TARBALLS/$short.tgz"); then
    TARBALL[$name]="$TARBALLS/$short.tgz"
    echo "packed $(tar -tzf "$TARBALLS/$short.tgz" | wc -l) files into $TARBALLS/$short.tgz"
    # A tarball must not point at workspaces or sources.
    if tar -xzOf "$TARBALLS/$short.tgz" package/package.json |
      grep -q -e 'workspace:' -e '"src/index.ts"'; then
      fail "pack $name" "package.json still refers to workspace: or src/"
      pack_ok=0
    fi
  else
    fail "build and pack $name"
    pack_ok=0
  fi
done
for required in \
  @trailguard/plugin-cloudtrail-encryption \
  @trailguard/plugin-cloudtrail-encryption-backend \
  @trailguard/plugin-cloudtrail-encryption-common \
  @trailguard/plugin-cloudtrail-encryption-node \
  @trailguard/plugin-scaffolder-backend-module-cloudtrail-encryption; do
  if [ -z "${TARBALL[$required]:-}" ]; then
    fail "tarball of $required"
    pack_ok=0
  fi
done
[ "$pack_ok" = 1 ] && pass "a. build + pack ${#TARBALL[@]} packages"
[ "$pack_ok" = 1 ] || exit 1

# --- b. a fresh app ----------------------------------------------------------
log "Creating a fresh app with $CREATE_APP"
rm -rf "$APP"
if (cd "$WORK" && BACKSTAGE_APP_NAME=app run create-app \
  npx -y "$CREATE_APP" --skip-install) && [ -f "$APP/package.json" ]; then
  pass "b. create-app ($(node -p "require('$APP/backstage.json').version") template)"
else
  fail "b. create-app"
  exit 1
fi

# --- c. add, install, wire ---------------------------------------------------
log "Adding the tarballs and wiring the plugins"
TARBALLS_JSON=$(for name in "${!TARBALL[@]}"; do echo "$name=${TARBALL[$name]}"; done |
  node -e 'const m={};for(const l of require("fs").readFileSync(0,"utf8").trim().split("\n")){const i=l.indexOf("=");m[l.slice(0,i)]="file:"+l.slice(i+1)};console.log(JSON.stringify(m))')
APP="$APP" TARBALLS_JSON="$TARBALLS_JSON" PORT="$PORT" node <<'EOF'
const fs = require('fs');
const path = require('path');
const app = process.env.APP;
const tarballs = JSON.parse(process.env.TARBALLS_JSON);
const edit = (file, fn) => {
  const p = path.join(app, file);
  fs.writeFileSync(p, fn(fs.readFileSync(p, 'utf8')));
};
const editJson = (file, fn) =>
  edit(file, text => `${JSON.stringify(fn(JSON.parse(text)), null, 2)}\n`);
const pick = names => Object.fromEntries(names.map(n => [n, tarballs[n]]));

// Our packages depend on each other by version; they are not on the registry
// here, so every reference resolves to the tarballs.
editJson('package.json', pkg => ({
  ...pkg,
  resolutions: { ...pkg.resolutions, ...tarballs },
}));
editJson('packages/backend/package.json', pkg => ({
  ...pkg,
  dependencies: {
    ...pkg.dependencies,
    ...pick([
      '@trailguard/plugin-cloudtrail-encryption-backend',
      '@trailguard/plugin-scaffolder-backend-module-cloudtrail-encryption',
      '@trailguard/plugin-cloudtrail-encryption-common',
      '@trailguard/plugin-cloudtrail-encryption-node',
    ]),
  },
}));
editJson('packages/app/package.json', pkg => ({
  ...pkg,
  dependencies: {
    ...pkg.dependencies,
    ...pick(['@trailguard/plugin-cloudtrail-encryption']),
  },
}));

// Backend: the plugin and the scaffolder module.
edit('packages/backend/src/index.ts', text => {
  const lines = [
    '',
    '// TrailGuard: CloudTrail SSE-KMS reports and their remediation actions.',
    "backend.add(import('@trailguard/plugin-cloudtrail-encryption-backend'));",
    'backend.add(',
    "  import('@trailguard/plugin-scaffolder-backend-module-cloudtrail-encryption'),",
    ');',
    '',
  ].join('\n');
  if (!text.includes('backend.start();')) throw new Error('no backend.start()');
  return text.replace('backend.start();', `${lines}\nbackend.start();`);
});

// Frontend: the app discovers plugins from its dependencies
// (`app.packages: all`); this module only makes tsc check our public types.
fs.writeFileSync(
  path.join(app, 'packages/app/src/trailguard.ts'),
  [
    "import cloudTrailEncryptionPlugin from '@trailguard/plugin-cloudtrail-encryption/alpha';",
    'import {',
    '  EntityCloudTrailEncryptionCard,',
    '  createCloudTrailEncryptionStatusColumn,',
    "} from '@trailguard/plugin-cloudtrail-encryption';",
    '',
    '// Nothing is exported with an inferred type: only our declarations are checked.',
    'const parts = [',
    '  cloudTrailEncryptionPlugin,',
    '  EntityCloudTrailEncryptionCard,',
    '  createCloudTrailEncryptionStatusColumn(),',
    '];',
    'export const trailguardChecked: number = parts.length;',
    '',
  ].join('\n'),
);

// The check's backend: its own port, so that it runs beside anything else.
fs.writeFileSync(
  path.join(app, 'app-config.check.yaml'),
  [
    'backend:',
    `  baseUrl: http://localhost:${process.env.PORT}`,
    '  listen:',
    `    port: ${process.env.PORT}`,
    '  database:',
    '    client: better-sqlite3',
    "    connection: ':memory:'",
    '',
  ].join('\n'),
);
const config = fs.readFileSync(path.join(app, 'app-config.yaml'), 'utf8');
if (!/^\s*packages:\s*all/m.test(config)) {
  throw new Error('app-config.yaml does not enable feature discovery');
}
EOF
[ $? = 0 ] || {
  fail "c. wiring the fresh app"
  exit 1
}

log "Installing (yarn install)"
if (cd "$APP" && YARN_ENABLE_IMMUTABLE_INSTALLS=false run app-install yarn install); then
  pass "c. yarn install with the tarballs"
else
  fail "c. yarn install"
  exit 1
fi
for name in "${!TARBALL[@]}"; do
  if [ ! -f "$APP/node_modules/$name/package.json" ]; then
    fail "c. $name installed in node_modules"
  fi
done

if (cd "$APP" && run app-cli node_modules/.bin/trailguard --help) &&
  grep -q "analyze-policy" "$LOGS/app-cli.log"; then
  pass "c. the trailguard CLI of the node package runs"
else
  fail "c. the trailguard CLI of the node package runs"
fi

# --- d. type-check and start -------------------------------------------------
log "Type-checking the app (yarn tsc)"
if (cd "$APP" && run app-tsc yarn tsc); then
  pass "d. yarn tsc"
else
  fail "d. yarn tsc"
fi

log "Starting the backend on port $PORT"
(
  cd "$APP/packages/backend" &&
    exec setsid yarn backstage-cli package start \
      --config ../../app-config.yaml --config ../../app-config.check.yaml
) >"$LOGS/backend.log" 2>&1 &
BACKEND_PID=$!
health=
for _ in $(seq 1 180); do
  if ! kill -0 "$BACKEND_PID" 2>/dev/null; then
    break
  fi
  health=$(curl -sf "http://localhost:$PORT/api/cloudtrail-encryption/health" 2>/dev/null | tr -d ' \n') && break
  health=
  sleep 1
done
if [ -n "$health" ] && echo "$health" | grep -q '"ok"'; then
  pass "d. backend answers /api/cloudtrail-encryption/health: $health"
else
  echo "--- last lines of $LOGS/backend.log" >&2
  tail -n 40 "$LOGS/backend.log" >&2
  fail "d. backend /api/cloudtrail-encryption/health"
fi
# Give the scheduled start-up work a moment, then read what the backend said.
sleep 5
plain_log=$(sed 's/\x1b\[[0-9;]*m//g' "$LOGS/backend.log")
if echo "$plain_log" | grep -qE "(Plugin|Module) '[^']*cloudtrail[^']*'.*(threw|failed)"; then
  fail "d. TrailGuard plugin and module start without errors"
else
  pass "d. TrailGuard plugin and module start without errors"
fi
if echo "$plain_log" | grep -q "cloudtrail-encryption:rescan"; then
  pass "d. scaffolder lists the TrailGuard actions"
else
  fail "d. scaffolder lists the TrailGuard actions"
fi
# Other plugins of the generated app are not ours to judge, but say so.
echo "$plain_log" | grep -oE "Plugin '[^']+' threw an error during startup[^\"]*" |
  grep -v cloudtrail | sort -u | while read -r line; do
  echo "WARN  fresh app (not TrailGuard): $line"
done | tee "$LOGS/warnings.txt"
while read -r line; do SUMMARY+=("$line"); done <"$LOGS/warnings.txt"

exit "$FAILED"
