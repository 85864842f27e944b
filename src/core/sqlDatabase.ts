import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import initSqlJs, { type BindParams, type Database, type SqlJsStatic, type Statement } from 'sql.js';

let sqlJs: Promise<SqlJsStatic> | undefined;
let sqlJsLoaded: SqlJsStatic | undefined;

/** The bundles ship sql-wasm.wasm beside themselves; from sources it comes from node_modules. */
function wasmFile(): string {
  const besideBundle = path.join(__dirname, 'sql-wasm.wasm');
  return existsSync(besideBundle) ? besideBundle : require.resolve('sql.js/dist/sql-wasm.wasm');
}

function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({ wasmBinary: readFileSync(wasmFile()) as unknown as ArrayBuffer }).then((loaded) => (sqlJsLoaded = loaded));
  return sqlJs;
}

export type Row = Record<string, number | string | Uint8Array | null>;

/**
 * A thin layer over a sql.js database: cached prepared statements (replaying a large op log runs
 * the same few statements hundreds of thousands of times) and savepoint transactions.
 */
export class SqlDatabase {
  private readonly statements = new Map<string, Statement>();

  private constructor(private readonly db: Database) {}

  /** Loads sql.js once per process, so that openLoaded can open without awaiting. */
  static async ready(): Promise<void> {
    await loadSqlJs();
  }

  /**
   * Opens without awaiting once `ready()` has loaded sql.js; from a Node Buffer, which sql.js takes
   * without the slow copy a Uint8Array costs.
   */
  static openLoaded(data?: Buffer): SqlDatabase {
    if (!sqlJsLoaded) throw new Error('sql.js is not loaded yet; await SqlDatabase.ready() first.');
    return new SqlDatabase(new sqlJsLoaded.Database(data));
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  run(sql: string, params: BindParams = []): void {
    this.statement(sql).run(params);
  }

  all<T extends Row = Row>(sql: string, params: BindParams = []): T[] {
    const statement = this.statement(sql);
    try {
      return rowsOf<T>(statement, params);
    } finally {
      statement.reset();
    }
  }

  /** Like `all`, for SQL built per call (searches): prepared, run and freed, not cached. */
  allOnce<T extends Row = Row>(sql: string, params: BindParams = []): T[] {
    const statement = this.db.prepare(sql);
    try {
      return rowsOf<T>(statement, params);
    } finally {
      statement.free();
    }
  }

  /** Makes a deterministic JavaScript function callable from SQL. */
  defineFunction(name: string, fn: (...args: (number | string | null)[]) => number | string | null): void {
    this.db.create_function(name, fn);
  }

  get<T extends Row = Row>(sql: string, params: BindParams = []): T | undefined {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      return statement.step() ? (statement.getAsObject() as T) : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Runs `work` atomically: any throw rolls every change of it back. Synchronous on purpose. */
  transaction<T>(work: () => T): T {
    this.db.exec('SAVEPOINT work');
    try {
      const result = work();
      this.db.exec('RELEASE work');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK TO work; RELEASE work');
      throw error;
    }
  }

  /** Bytes of the database image; never called inside a transaction (sql.js would lose it). */
  export(): Uint8Array {
    return this.db.export();
  }

  /**
   * sql.js keeps the database as an in-memory file, and the first write that makes the file longer
   * makes it reallocate and copy the whole file (measured at 100k versions: 79 ms and +150 MB).
   * A database that carries some free pages absorbs new writes in place. Called before a snapshot
   * is written, so every opened snapshot comes with that room.
   */
  reserveFreePages(bytes: number): void {
    const pageSize = Number(this.get<{ page_size: number }>('PRAGMA page_size')?.page_size ?? 4096);
    const free = Number(this.get<{ freelist_count: number }>('PRAGMA freelist_count')?.freelist_count ?? 0) * pageSize;
    if (free >= bytes) return;
    this.transaction(() => {
      this.exec('CREATE TABLE IF NOT EXISTS free_page_reserve (filler BLOB)');
      this.run('INSERT INTO free_page_reserve VALUES (zeroblob(?))', [bytes - free]);
      this.exec('DELETE FROM free_page_reserve');
    });
  }

  sizeInBytes(): number {
    const pages = this.get<{ page_count: number }>('PRAGMA page_count')?.page_count ?? 0;
    const pageSize = this.get<{ page_size: number }>('PRAGMA page_size')?.page_size ?? 4096;
    return Number(pages) * Number(pageSize);
  }

  close(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.db.close();
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

function rowsOf<T extends Row>(statement: Statement, params: BindParams): T[] {
  const rows: T[] = [];
  statement.bind(params);
  while (statement.step()) rows.push(statement.getAsObject() as T);
  return rows;
}
