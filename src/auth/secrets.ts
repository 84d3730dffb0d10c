// Server keys: taken from the environment, or generated once and kept in the data folder (owner-only).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "../common/logger";

export interface SecretSpec {
  /** Environment variable that overrides the file. */
  envName: string;
  /** Its keys, newest first (empty when unset). */
  envValues: string[];
  /** File name inside the data folder. */
  fileName: string;
}

/** The keys to use, newest first: the environment's, or else one generated and kept in the data folder. */
export function loadOrCreateSecrets(spec: SecretSpec, dataDir: string, logger: Logger): Buffer[] {
  if (spec.envValues.length > 0) return spec.envValues.map((value) => Buffer.from(value, "utf8"));
  const file = path.join(dataDir, spec.fileName);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // "wx" fails if the file exists, so two processes starting together never overwrite each other's key.
    fs.writeFileSync(file, randomBytes(48).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
    logger.warn(`${spec.envName} is not set: generated one in ${file}. Production must set ${spec.envName}.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    logger.warn(`${spec.envName} is not set: using the one kept in ${file}. Production must set ${spec.envName}.`);
  }
  const value = fs.readFileSync(file, "utf8").trim();
  if (value.length < 32) throw new Error(`${file} holds no usable secret; delete it or set ${spec.envName}`);
  return [Buffer.from(value, "utf8")];
}
