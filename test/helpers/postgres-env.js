// Loaded first in the postgres Jest project: the entities pick their column types from DATABASE_URL as they load.
process.env.TEST_DIALECT = "postgres";
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
