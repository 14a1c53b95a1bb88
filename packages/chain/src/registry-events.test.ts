import { id, type Log, zeroPadValue } from 'ethers';
import { describe, expect, it } from 'vitest';
import { parseRegistryLog } from './registry-events.js';

const OPERATOR = '0x00000000000000000000000000000000000000aB';
const OPERATOR_ID = `0x${'cd'.repeat(32)}`;
const log = (topics: string[]) => ({ topics }) as unknown as Log;

describe('parseRegistryLog', () => {
  it("reads EigenLayer's and this project's registry events from their indexed topics", () => {
    for (const sig of ['OperatorRegistered(address,bytes32)', 'OperatorRegistered(address,bytes32,bytes)']) {
      expect(parseRegistryLog(log([id(sig), zeroPadValue(OPERATOR, 32), OPERATOR_ID]))).toEqual({
        kind: 'registered',
        address: OPERATOR.toLowerCase(),
        operatorId: OPERATOR_ID,
      });
    }
    expect(
      parseRegistryLog(
        log([id('OperatorDeregistered(address,bytes32,bytes)'), zeroPadValue(OPERATOR, 32), OPERATOR_ID]),
      ),
    ).toMatchObject({ kind: 'deregistered' });
    for (const sig of [
      'OperatorSocketUpdate(bytes32,string)',
      'OperatorEndpointsUpdated(bytes32,string,string)',
    ]) {
      expect(parseRegistryLog(log([id(sig), OPERATOR_ID]))).toEqual({
        kind: 'endpoints-changed',
        operatorId: OPERATOR_ID,
      });
    }
  });

  it("reads a stake update (this project's registry, EigenLayer's StakeRegistry) from its indexed id only", () => {
    expect(parseRegistryLog(log([id('OperatorStakeUpdate(bytes32,uint8,uint96)'), OPERATOR_ID]))).toEqual({
      kind: 'stake-changed',
      operatorId: OPERATOR_ID,
    });
  });

  it('ignores other events and truncated topics', () => {
    expect(parseRegistryLog(log([id('QuorumCreated(uint8)'), OPERATOR_ID]))).toBeUndefined();
    expect(
      parseRegistryLog(log([id('OperatorRegistered(address,bytes32)'), zeroPadValue(OPERATOR, 32)])),
    ).toBeUndefined();
    expect(parseRegistryLog(log([]))).toBeUndefined();
  });
});
