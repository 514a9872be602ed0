// dynalite ships no types; this is the part of its API the embedded store uses (dynalite 4, index.js).
declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    /** The LevelDB folder; in memory when absent. */
    path?: string;
    /** How long a new table stays CREATING (default 500 ms). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  /** An http.Server speaking the DynamoDB JSON protocol; `close` also closes the LevelDB store. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
