// `npm run migrate`: applies pending migrations to DATABASE_URL (under the same lock as a starting server) and exits.
import "reflect-metadata";
import { runCommand, withDatabase } from "./command";

runCommand(() => withDatabase(async (_dataSource, applied) => (applied.length ? `applied: ${applied.join(", ")}` : "no pending migrations")));
