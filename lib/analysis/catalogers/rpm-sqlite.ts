import initSqlJs from "sql.js";

import { AppError } from "@/lib/errors";

/**
 * Reader for rpm's SQLite package database (`rpmdb.sqlite`, the default since
 * rpm 4.16): the header blobs of the `Packages` table, which rpm creates as
 * `Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`.
 */

// Cataloger.parse is synchronous, so the WebAssembly module is compiled once when this module loads.
const sqlJs = await initSqlJs();

/** A package blob, or the reason it could not be read. */
export type SqlitePackageBlob = { headerNumber: number; blob: Uint8Array } | { headerNumber: number; error: string };

/**
 * Reads every header blob of an `rpmdb.sqlite` file; throws `AppError` when the file is not an rpm SQLite database.
 * NOTE: only the main database file is read. Frames still in `rpmdb.sqlite-wal` are missed, but rpm checkpoints
 * the write-ahead log into the main file when it closes the database.
 */
export function readSqlitePackageBlobs(file: Uint8Array): SqlitePackageBlob[] {
  let database: InstanceType<typeof sqlJs.Database>;
  try {
    database = new sqlJs.Database(file);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `rpm SQLite database could not be opened: ${errorMessage(error)}`, { cause: error });
  }

  try {
    const statement = database.prepare("SELECT hnum, blob FROM Packages");
    const blobs: SqlitePackageBlob[] = [];
    while (statement.step()) {
      const [headerNumber, blob] = statement.get();
      if (typeof headerNumber !== "number") continue;
      blobs.push(blob instanceof Uint8Array ? { headerNumber, blob } : { headerNumber, error: `rpm SQLite row ${headerNumber} has no blob` });
    }
    statement.free();
    return blobs;
  } catch (error) {
    throw new AppError("INVALID_INPUT", `rpm SQLite database could not be read: ${errorMessage(error)}`, { cause: error });
  } finally {
    database.close();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
