// WAL checkpoints off the API thread. The audit writer's connection has wal_autocheckpoint=0, so its commits
// never copy the WAL into the database file (and fsync it) inline; this thread runs a PASSIVE checkpoint
// (it never blocks writers or readers) every `intervalMs`, and once more when told to stop.
import { parentPort, workerData } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";

const db = new BetterSqlite3(workerData.file);
db.pragma("busy_timeout = 1000");
const checkpoint = () => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or locked: the next round checkpoints.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "stop") {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.postMessage("stopped");
  }
});
