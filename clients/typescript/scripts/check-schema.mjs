// Fails when src/schema.ts is not what openapi-typescript makes of the
// current docs/openapi.json (run `npm run generate` and commit the result).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import openapiTS, { astToString } from "openapi-typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const description = new URL(`file://${path.resolve(root, "../../docs/openapi.json")}`);
const committed = fs.readFileSync(path.join(root, "src/schema.ts"), "utf8");
const generated = astToString(await openapiTS(description));
if (committed.replace(/^\/\*\*[\s\S]*?\*\/\n\n/, "") !== generated) {
    console.error("src/schema.ts is out of date with docs/openapi.json: run `npm run generate` in clients/typescript and commit it.");
    process.exit(1);
}
console.log("src/schema.ts matches docs/openapi.json");
