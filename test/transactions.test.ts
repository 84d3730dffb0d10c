// The write queue, on a real SQLite file: transactions that wait on I/O midway never nest or interleave.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DataSource } from "typeorm";
import { createDataSource } from "../src/db/data-source";
import { Transactions } from "../src/db/transactions";

let dir: string;
let dataSource: DataSource;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-share-tx-"));
  dataSource = createDataSource({ database: { type: "sqlite", path: path.join(dir, "tx.sqlite") } });
  await dataSource.initialize();
  await dataSource.query(`CREATE TABLE notes (text varchar NOT NULL)`);
});
afterAll(async () => {
  await dataSource.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const pause = () => new Promise((resolve) => setTimeout(resolve, 15));
const notes = async () => (await dataSource.query(`SELECT text FROM notes ORDER BY rowid`)).map((r: { text: string }) => r.text);

describe("queued write transactions", () => {
  // Unqueued, TypeORM would open the second as a SAVEPOINT inside the first on the one SQLite connection,
  // and the first one's rollback would silently undo the second's acknowledged write.
  it("a failing transaction that paused midway does not roll back one that started while it waited", async () => {
    const tx = new Transactions(dataSource);
    const failing = tx.write(async (m) => {
      await m.query(`INSERT INTO notes (text) VALUES ('doomed')`);
      await pause();
      throw new Error("fails after a pause");
    });
    const succeeding = tx.write(async (m) => {
      await m.query(`INSERT INTO notes (text) VALUES ('kept')`);
    });
    await expect(failing).rejects.toThrow("fails after a pause");
    await succeeding;
    expect(await notes()).toEqual(["kept"]);
  });

  it("runs many paused transactions one after another, in the order they were queued", async () => {
    await dataSource.query(`DELETE FROM notes`);
    const tx = new Transactions(dataSource);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        tx.write(async (m) => {
          await m.query(`INSERT INTO notes (text) VALUES ('${i}-begin')`);
          await pause();
          await m.query(`INSERT INTO notes (text) VALUES ('${i}-end')`);
        }),
      ),
    );
    expect(await notes()).toEqual(Array.from({ length: 10 }, (_, i) => [`${i}-begin`, `${i}-end`]).flat());
  });
});
