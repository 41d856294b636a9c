// The SQLite audit writer thread: writes each batch it is sent (sqlite-batch.mjs) and answers {id, ok,
// skipped?} or {id, error}, so the event loop of the API thread never waits on SQLite.
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteBatchWriter } from "./sqlite-batch.mjs";

const writer = openSqliteBatchWriter(workerData.file);

parentPort.on("message", (msg) => {
  if (msg.close) {
    writer.close();
    parentPort.postMessage({ id: msg.id, ok: true });
    return;
  }
  try {
    const skipped = writer.write(msg.rows);
    parentPort.postMessage(skipped.length ? { id: msg.id, ok: true, skipped } : { id: msg.id, ok: true });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: { message: e.message, code: e.code } });
  }
});
