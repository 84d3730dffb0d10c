// The DataSource the TypeORM CLI uses (migration:generate, migration:run), configured from the same environment.
import "reflect-metadata";
import { loadConfig } from "./src/config";
import { createDataSource } from "./src/db/data-source";

export default createDataSource({ database: loadConfig().database });
