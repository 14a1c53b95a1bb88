/** The public API is deliberate: a change to the export lists must show up here. */
import { expect, it } from 'vitest';
import * as aggregation from './aggregation/index.js';
import * as batch from './batch/index.js';
import * as root from './index.js';

it('exports of @avs/bls', () => {
  expect(Object.keys(root).sort()).toMatchInlineSnapshot(`
    [
      "BackendUnavailableError",
      "BlsError",
      "BlsKeyPair",
      "FP_MODULUS",
      "FR_MODULUS",
      "G1",
      "G2",
      "InvalidEncodingError",
      "InvalidPointError",
      "InvalidScalarError",
      "KeystoreFormatError",
      "KeystorePasswordError",
      "LIGHT_SCRYPT",
      "STANDARD_SCRYPT",
      "ZERO_PK_HASH",
      "aggregatePublicKeysG1",
      "aggregatePublicKeysG2",
      "aggregateSignatures",
      "blsBackendName",
      "curve",
      "decryptKeystore",
      "decryptKeystoreSecret",
      "digestToBytes",
      "digestToHex",
      "encryptKeystore",
      "formatPubKey",
      "g1FromBytes",
      "g1FromJson",
      "g1FromSolidity",
      "g1ToBytes",
      "g1ToJson",
      "g1ToSolidity",
      "g2FromBytes",
      "g2FromJson",
      "g2FromSolidity",
      "g2ToBytes",
      "g2ToJson",
      "g2ToSolidity",
      "hashToG1",
      "initBls",
      "isG1Point",
      "isG2Point",
      "makePubkeyRegistrationParams",
      "operatorIdFromPublicKey",
      "operatorIdToBigInt",
      "pairingProductIsOne",
      "parseSecretKey",
      "publicKeysMatch",
      "readKeystorePublicKey",
      "signatureCheckerGamma",
      "toG1Point",
      "toG2Point",
      "trySignatureAndApkVerification",
      "verify",
      "verifyProofOfPossession",
    ]
  `);
});

it('exports of @avs/bls/aggregation', () => {
  expect(Object.keys(aggregation).sort()).toMatchInlineSnapshot(`
    [
      "BlsAggregationService",
      "DuplicateSignatureError",
      "EquivocationError",
      "InMemoryOperatorStateProvider",
      "InvalidSignatureError",
      "InvalidTaskError",
      "OperatorNotInQuorumError",
      "OperatorStateError",
      "ServiceClosedError",
      "TaskExistsError",
      "TaskFinishedError",
      "TooManyInvalidSignaturesError",
      "UnknownOperatorError",
      "UnknownTaskError",
      "checkClaim",
      "checkClaimsBatch",
      "findInvalidSignatures",
    ]
  `);
});

it('exports of @avs/bls/batch', () => {
  expect(Object.keys(batch).sort()).toMatchInlineSnapshot(`
    [
      "BATCH_DIGEST_TAG",
      "InvalidBatchError",
      "batchDigest",
      "batchTaskParams",
      "buildTaskBatch",
      "groupTaskBatches",
      "merkleProof",
      "merkleRoot",
      "verifyMerkleProof",
    ]
  `);
});
