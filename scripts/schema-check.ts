// `npm run schema:check`: fails when schema.graphql breaks clients of the last released schema (schema/released.graphql).
// `npm run schema:release` records the current schema as released, after an intended breaking change or a release.
import fs from "node:fs";
import path from "node:path";
import { checkSchemaCompatibility } from "./schema-compat";

const ROOT = path.join(__dirname, "..");
const current = fs.readFileSync(path.join(ROOT, "schema.graphql"), "utf8");
const releasedFile = path.join(ROOT, "schema", "released.graphql");

if (process.argv.includes("--release")) {
  fs.mkdirSync(path.dirname(releasedFile), { recursive: true });
  fs.writeFileSync(releasedFile, current);
  console.log(`recorded schema.graphql as ${path.relative(ROOT, releasedFile)}`);
} else {
  const { breaking, dangerous } = checkSchemaCompatibility(fs.readFileSync(releasedFile, "utf8"), current);
  for (const change of dangerous) console.log(`dangerous: ${change}`);
  for (const change of breaking) console.error(`BREAKING: ${change}`);
  if (breaking.length > 0) {
    console.error("\nschema.graphql breaks clients of schema/released.graphql. Deprecate instead (@deprecated(reason: \"Use X.\")),");
    console.error("or, if the break is an intended release, run `npm run schema:release` and commit schema/released.graphql.");
    process.exit(1);
  }
  console.log(`schema.graphql is compatible with schema/released.graphql (${dangerous.length} dangerous changes).`);
}
