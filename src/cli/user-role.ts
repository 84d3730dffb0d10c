// `npm run user:role -- <email> <USER|ADMIN>`: the only way to make a moderator (never through the API).
import "reflect-metadata";
import { parseRole, setUserRole } from "../user/user-admin";
import { runCommand, withDatabase } from "./command";

runCommand(async () => {
  const [email, roleName] = process.argv.slice(2);
  if (!email || !roleName) throw new Error("Usage: npm run user:role -- <email> <USER|ADMIN>");
  const role = parseRole(roleName);
  const user = await withDatabase((dataSource) => setUserRole(dataSource, email, role));
  return `${user.email} is now ${role}.`;
});
