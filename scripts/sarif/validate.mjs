// Validates SARIF files against the SARIF 2.1.0 JSON schema. Usage: node validate.mjs FILE...
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
// The schema is JSON Schema draft-04.
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// The schema's language pattern is not valid with the `u` flag, so plain RegExps are used.
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

let failed = false;
for (const file of process.argv.slice(2)) {
  const log = JSON.parse(readFileSync(file, 'utf8'));
  // Beyond the schema: every location with a `uriBaseId` must name a file that exists
  // once resolved against the run's `originalUriBaseIds` (what code scanning does).
  const missing = [];
  for (const run of log.runs) {
    const bases = run.originalUriBaseIds ?? {};
    const visit = (value) => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (value === null || typeof value !== 'object') return;
      if (typeof value.uri === 'string' && typeof value.uriBaseId === 'string') {
        const base = bases[value.uriBaseId]?.uri;
        const resolved = base && fileURLToPath(new URL(value.uri, base));
        if (!resolved || !existsSync(resolved)) missing.push(`${value.uriBaseId} ${value.uri}`);
      }
      Object.values(value).forEach(visit);
    };
    visit(run.results);
  }
  if (missing.length > 0) {
    failed = true;
    console.error(`${file}: locations that do not resolve to a file:\n  ${[...new Set(missing)].join('\n  ')}`);
  } else if (validate(log)) {
    console.log(`valid SARIF 2.1.0: ${file} (${log.runs[0].results.length} results)`);
  } else {
    failed = true;
    console.error(`invalid SARIF: ${file}`);
    console.error(JSON.stringify(validate.errors, null, 2));
  }
}
process.exit(failed ? 1 : 0);
