import { operatorRegistryAbi, taskManagerAbi } from '@avs/contracts';
import { Interface, type InterfaceAbi } from 'ethers';
import { ContractRevertError } from './errors.js';

// TaskManager errors plus the registry's (they bubble up through checkSignatures).
const interfaces = [
  new Interface(taskManagerAbi as InterfaceAbi),
  new Interface(operatorRegistryAbi as InterfaceAbi),
];

function revertData(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const data = (e as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('0x')) return data;
    if (data && typeof data === 'object' && typeof (data as { data?: unknown }).data === 'string') {
      return (data as { data: string }).data;
    }
    e =
      (e as { error?: unknown; info?: { error?: unknown } }).error ??
      (e as { info?: { error?: unknown } }).info?.error;
  }
  return undefined;
}

/**
 * Turns a revert from a call or transaction into a {@link ContractRevertError} with the custom
 * error decoded from the AVS contracts' ABIs; returns undefined if `error` is not a revert.
 */
export function decodeRevert(error: unknown, what: string): ContractRevertError | undefined {
  const code = (error as { code?: unknown })?.code;
  const data = revertData(error);
  if (code !== 'CALL_EXCEPTION' && data === undefined) return undefined;
  if (data && data.length >= 10) {
    for (const iface of interfaces) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) {
          const args = [...parsed.args];
          return new ContractRevertError(
            `${what} reverted with ${parsed.name}(${args.map(String).join(', ')})`,
            parsed.name,
            args,
            { cause: error },
          );
        }
      } catch {
        // not this interface
      }
    }
  }
  const reason = (error as { reason?: unknown })?.reason;
  return new ContractRevertError(
    `${what} reverted${typeof reason === 'string' ? `: ${reason}` : data ? ` with data ${data.slice(0, 74)}` : ''}`,
    undefined,
    [],
    { cause: error },
  );
}
