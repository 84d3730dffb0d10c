// Writes schema.graphql from the code; a test fails while the committed file differs.
import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { buildAppSchema, printAppSchema } from "../src/schema";

buildAppSchema().then((schema) => {
  const file = path.join(__dirname, "..", "schema.graphql");
  fs.writeFileSync(file, printAppSchema(schema));
  console.log(`wrote ${file}`);
});
