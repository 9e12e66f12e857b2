// Checks every schema in components.schemas of an OpenAPI 3.1 document as
// JSON Schema 2020-12, with the Ajv that the OpenAPI validator brings along:
// the OpenAPI meta-schema leaves schema objects unchecked, so a wrong type
// name or a keyword of the wrong shape would otherwise pass.
// Usage: node openapi-schemas.cjs NODE_MODULES_DIR openapi.json
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const [modules, file] = process.argv.slice(2);
const load = createRequire(path.join(path.resolve(modules), "x.js"));
const Ajv2020 = load("ajv/dist/2020").default;
const doc = JSON.parse(fs.readFileSync(file, "utf8"));
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: "openapi.json", components: doc.components }, undefined, undefined, false);
const names = Object.keys(doc.components.schemas);
let failed = 0;
for (const name of names) {
	if (!ajv.validateSchema(doc.components.schemas[name])) {
		failed++;
		console.error(`schema ${name}: ${ajv.errorsText(ajv.errors)}`);
		continue;
	}
	try {
		// Compiling resolves every $ref the schema makes.
		ajv.compile({ $ref: "openapi.json#/components/schemas/" + name });
	} catch (e) {
		failed++;
		console.error(`schema ${name}: ${e.message}`);
	}
}
console.log(`${names.length} schemas are valid JSON Schema 2020-12` + (failed ? `; ${failed} are not` : ""));
process.exit(failed ? 1 : 0);
