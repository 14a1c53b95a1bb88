// Tries to open the directory given in argv[2] and prints the outcome as JSON.
import { FileStorage } from '../src/index.js';
import { quietLogger } from './quiet-logger.js';

const dir = process.argv[2]!;
try {
  const storage = await FileStorage.open({ dir, logger: quietLogger() });
  await storage.close();
  process.stdout.write(JSON.stringify({ opened: true }));
} catch (error) {
  const e = error as { code?: string; pid?: number; message?: string };
  process.stdout.write(JSON.stringify({ opened: false, code: e.code, pid: e.pid, message: e.message }));
}
