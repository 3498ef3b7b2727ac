// Validates SARIF files against the SARIF 2.1.0 JSON schema. Usage: node validate.mjs FILE...
import { readFileSync } from 'node:fs';
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
  if (validate(log)) {
    console.log(`valid SARIF 2.1.0: ${file} (${log.runs[0].results.length} results)`);
  } else {
    failed = true;
    console.error(`invalid SARIF: ${file}`);
    console.error(JSON.stringify(validate.errors, null, 2));
  }
}
process.exit(failed ? 1 : 0);
