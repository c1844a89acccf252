// Preloaded into a backend under test: on exit, writes the AWS_ENDPOINT_URL*
// variables the process holds then, so a test can see what the product set.
const { writeFileSync } = require('node:fs');

const out = process.env.TRAILGUARD_ENV_PROBE_FILE;
if (out) {
  process.on('exit', () => {
    const found = Object.fromEntries(
      Object.entries(process.env).filter(([k]) =>
        k.startsWith('AWS_ENDPOINT_URL'),
      ),
    );
    writeFileSync(out, JSON.stringify(found));
  });
}
