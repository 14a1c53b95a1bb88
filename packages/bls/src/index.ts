export type {
  OperatorInfo,
  OperatorSetState,
  OperatorStateProvider,
  QuorumInfo,
} from './aggregation/types.js';
export { blsBackendName, type InitBlsOptions, initBls } from './backend/select.js';
export type { BlsBackendName } from './backend/types.js';
export {
  curve,
  FP_MODULUS,
  FR_MODULUS,
  G1,
  type G1Point,
  G2,
  type G2Point,
  isG1Point,
  isG2Point,
} from './curve.js';
export { type Digest, digestToBytes, digestToHex } from './digest.js';
export {
  type DecodeOptions,
  type G1Json,
  type G1Solidity,
  type G2Json,
  type G2Solidity,
  g1FromBytes,
  g1FromJson,
  g1FromSolidity,
  g1ToBytes,
  g1ToJson,
  g1ToSolidity,
  g2FromBytes,
  g2FromJson,
  g2FromSolidity,
  g2ToBytes,
  g2ToJson,
  g2ToSolidity,
  toG1Point,
  toG2Point,
} from './encoding.js';
export {
  BackendUnavailableError,
  BlsError,
  InvalidEncodingError,
  InvalidPointError,
  InvalidScalarError,
  KeystoreFormatError,
  KeystorePasswordError,
} from './errors.js';
export { hashToG1 } from './hash-to-g1.js';
export { BlsKeyPair } from './keypair.js';
export {
  type BlsKeystore,
  decryptKeystore,
  decryptKeystoreSecret,
  type EncryptKeystoreOptions,
  encryptKeystore,
  formatPubKey,
  LIGHT_SCRYPT,
  type Pbkdf2Params,
  readKeystorePublicKey,
  type ScryptParams,
  STANDARD_SCRYPT,
} from './keystore.js';
export { type OperatorId, operatorIdFromPublicKey, operatorIdToBigInt, ZERO_PK_HASH } from './operator-id.js';
export { type PairingG2, pairingProductIsOne } from './pairing.js';
export {
  makePubkeyRegistrationParams,
  type PubkeyRegistrationParams,
  publicKeysMatch,
  verifyProofOfPossession,
} from './proof-of-possession.js';
export { parseSecretKey, type SecretKeyInput } from './scalar.js';
export { aggregatePublicKeysG1, aggregatePublicKeysG2, aggregateSignatures, verify } from './signature.js';
export {
  type SignatureCheckResult,
  signatureCheckerGamma,
  trySignatureAndApkVerification,
} from './signature-checker.js';
