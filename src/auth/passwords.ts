// Password hashing with scrypt (OWASP: N=2^17, r=8, p=1); the parameters travel inside the hash.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize("NFKC"), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function options(logN: number, r: number, p: number): ScryptOptions {
  const N = 2 ** logN;
  return { N, r, p, maxmem: 256 * N * r };
}

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly logN: number) {}

  /** `scrypt$<logN>$<r>$<p>$<salt>$<hash>`, base64url. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, options(this.logN, 8, 1));
    return ["scrypt", this.logN, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, logN, r, p, salt, hash] = stored.split("$");
    if (scheme !== "scrypt" || !salt || !hash) return false;
    const expected = Buffer.from(hash, "base64url");
    const key = await scrypt(password, Buffer.from(salt, "base64url"), options(Number(logN), Number(r), Number(p)));
    return key.length === expected.length && timingSafeEqual(key, expected);
  }

  /** Spends the same time as a real check, so an unknown email answers as slowly as a wrong password. */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash("not a real password, only there to spend time");
    await this.verify(password, await this.dummy);
    return false;
  }
}
