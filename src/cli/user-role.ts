// `npm run user:role -- <email> <USER|ADMIN>`: the only way to make a moderator (never through the API).
import "reflect-metadata";
import { loadDatabaseConfig } from "../config";
import { createDataSource } from "../db/data-source";
import { runPendingMigrations } from "../db/migrate";
import { parseRole, setUserRole } from "../user/user-admin";

async function main(): Promise<void> {
  const [email, roleName] = process.argv.slice(2);
  if (!email || !roleName) throw new Error("Usage: npm run user:role -- <email> <USER|ADMIN>");
  const role = parseRole(roleName);
  const dataSource = createDataSource({ database: loadDatabaseConfig() });
  await dataSource.initialize();
  try {
    await runPendingMigrations(dataSource);
    const user = await setUserRole(dataSource, email, role);
    process.stdout.write(`${user.email} is now ${role}.\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
