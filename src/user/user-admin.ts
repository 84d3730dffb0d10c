// Operator actions on accounts that the API deliberately cannot do, used by the command line.
import type { DataSource } from "typeorm";
import { User, UserRole } from "./user.entity";
import { normalizeEmail } from "./user.service";

export async function setUserRole(dataSource: DataSource, email: string, role: UserRole): Promise<User> {
  const user = await dataSource.manager.findOneBy(User, { emailNormalized: normalizeEmail(email) });
  if (!user) throw new Error(`No account has the email ${email}.`);
  await dataSource.manager.update(User, { id: user.id }, { role });
  return { ...user, role } as User;
}

export function parseRole(value: string | undefined): UserRole {
  const role = Object.values(UserRole).find((r) => r === value?.toUpperCase());
  if (!role) throw new Error(`Role must be one of ${Object.values(UserRole).join(", ")}.`);
  return role;
}
