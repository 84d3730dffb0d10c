// The write queue, on a real database: on SQLite, transactions that wait on I/O midway never nest or interleave; on
// PostgreSQL, several run at once on connections of their own, never more than half the pool, and a deadlock
// victim is run again.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DataSource } from "typeorm";
import { loadConfig } from "../src/config";
import { createDataSource } from "../src/db/data-source";
import { Transactions, writeConcurrency } from "../src/db/transactions";
import { freshDatabase, TEST_DIALECT, testEnv } from "./helpers/server";

const POOL_SIZE = 6;

let dir: string;
let dataSource: DataSource;
let drop: () => Promise<void>;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-tx-"));
  const fresh = await freshDatabase(dir);
  drop = fresh.drop;
  const config = loadConfig(testEnv(dir, { ...fresh.env, DATABASE_POOL_SIZE: String(POOL_SIZE) }));
  dataSource = createDataSource({ database: config.database });
  await dataSource.initialize();
  await dataSource.query(`CREATE TABLE notes (n integer NOT NULL, text varchar NOT NULL)`);
});
afterAll(async () => {
  await dataSource.destroy();
  await drop();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => dataSource.query(`DELETE FROM notes`));

const pause = (ms = 15) => new Promise((resolve) => setTimeout(resolve, ms));
const param = (i: number) => (TEST_DIALECT === "postgres" ? `$${i}` : "?");
const insert = (m: { query: DataSource["query"] }, n: number, text: string) => m.query(`INSERT INTO notes (n, text) VALUES (${param(1)}, ${param(2)})`, [n, text]);
const notes = async () => (await dataSource.query(`SELECT text FROM notes ORDER BY n`)).map((r: { text: string }) => r.text);

describe("queued write transactions, on either database", () => {
  // Unqueued on SQLite, TypeORM would open the second as a SAVEPOINT inside the first on the one connection, and
  // the first one's rollback would silently undo the second's acknowledged write.
  it("a failing transaction that paused midway does not roll back one that started while it waited", async () => {
    const tx = new Transactions(dataSource);
    const failing = tx.write(async (m) => {
      await insert(m, 1, "doomed");
      await pause();
      throw new Error("fails after a pause");
    });
    const succeeding = tx.write((m) => insert(m, 2, "kept"));
    await expect(failing).rejects.toThrow("fails after a pause");
    await succeeding;
    expect(await notes()).toEqual(["kept"]);
  });
});

// Each dialect's own behaviour is registered only in its own project: not applicable is not skipped.
if (TEST_DIALECT === "sqlite") describe("on SQLite", () => {
  it("runs many paused transactions one after another, in the order they were queued", async () => {
    const tx = new Transactions(dataSource);
    let n = 0;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        tx.write(async (m) => {
          await insert(m, n++, `${i}-begin`);
          await pause();
          await insert(m, n++, `${i}-end`);
        }),
      ),
    );
    expect(await notes()).toEqual(Array.from({ length: 10 }, (_, i) => [`${i}-begin`, `${i}-end`]).flat());
  });

  it("refuses to run SQLite writes side by side", () => {
    expect(writeConcurrency(dataSource)).toBe(1);
    expect(() => new Transactions(dataSource, 2)).toThrow("one at a time");
  });
});

if (TEST_DIALECT === "postgres") describe("on PostgreSQL", () => {
  it("runs writes side by side: one that waits for another to start is not stuck behind it", async () => {
    const tx = new Transactions(dataSource);
    let secondStarted!: () => void;
    const started = new Promise<void>((resolve) => (secondStarted = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("the writes ran one after the other")), 5000)));
    const first = tx.write(async (m) => {
      await insert(m, 1, "first");
      await Promise.race([started, timeout]);
    });
    const second = tx.write(async (m) => {
      secondStarted();
      await insert(m, 2, "second");
    });
    await Promise.all([first, second]).finally(() => clearTimeout(timer));
    expect(await notes()).toEqual(["first", "second"]);
  });

  it(`never runs more than half the pool at once (${POOL_SIZE / 2} of ${POOL_SIZE}), and every write lands`, async () => {
    const tx = new Transactions(dataSource);
    expect(writeConcurrency(dataSource)).toBe(POOL_SIZE / 2);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        tx.write(async (m) => {
          most = Math.max(most, ++running);
          await insert(m, i, `write ${i}`);
          await pause(20);
          running--;
        }),
      ),
    );
    expect(most).toBe(POOL_SIZE / 2);
    expect(await notes()).toEqual(Array.from({ length: 12 }, (_, i) => `write ${i}`));
  });

  it("runs a deadlock victim again: two writes that lock two rows in opposite orders both land", async () => {
    await dataSource.query(`INSERT INTO notes (n, text) VALUES (1, 'a'), (2, 'b')`);
    const tx = new Transactions(dataSource);
    let attempts = 0;
    let bothLocked!: () => void;
    let locked = 0;
    const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
    const lockBoth = (firstRow: number, secondRow: number, text: string) =>
      tx.write(async (m) => {
        attempts++;
        await m.query(`UPDATE notes SET text = text || $1 WHERE n = $2`, [text, firstRow]);
        if (++locked === 2) bothLocked();
        await barrier;
        await m.query(`UPDATE notes SET text = text || $1 WHERE n = $2`, [text, secondRow]);
      });
    await Promise.all([lockBoth(1, 2, "+x"), lockBoth(2, 1, "+y")]);
    // PostgreSQL aborted one of them (40P01); it ran again after the other committed.
    expect(attempts).toBe(3);
    const rows = await notes();
    expect(rows.map((t: string) => t.split("+").slice(1).sort())).toEqual([
      ["x", "y"],
      ["x", "y"],
    ]);
  });
});
