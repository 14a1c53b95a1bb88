/** What machine a benchmark ran on, stated in every report. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** The machine's description. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical CPUs available (nproc). */
  readonly nproc: number;
  readonly memoryGiB: number;
  readonly freeMemoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started (the machine may be shared). */
  readonly loadAverage1m: number;
}

/** Describes this machine now. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    nproc: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
