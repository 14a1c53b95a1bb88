// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Bn254} from "./Bn254.sol";
import {RegistryHistory} from "./RegistryHistory.sol";

/// @title OperatorRegistry
/// @notice Registry of AVS operators: ECDSA address, BLS keys (G1 + G2, proof of possession checked
/// on-chain), stake per quorum, endpoints (Raft URL, HTTP URL) unique across operators, with a
/// per-block history so that the state at any past block can be read and proven.
/// @dev Written for this project (MIT). View functions that EigenLayer's middleware also has
/// (RegistryCoordinator, BLSApkRegistry, StakeRegistry, IndexRegistry, SocketRegistry) use the same
/// names and signatures, so one off-chain reader and one state retriever serve both.
///
/// STAKE IS A STUB: stake per (operator, quorum) is set by the owner (`setOperatorStake`). A real
/// deployment derives it from EigenLayer's DelegationManager shares; nothing else here depends on
/// where the number comes from.
///
/// The per-block history (bitmaps, stakes, aggregate keys) and its views live in `RegistryHistory`.
contract OperatorRegistry is RegistryHistory {
    using Bn254 for Bn254.G1Point;

    enum OperatorStatus {
        NEVER_REGISTERED,
        REGISTERED,
        DEREGISTERED
    }

    struct PubkeyRegistrationParams {
        Bn254.G1Point pubkeyRegistrationSignature;
        Bn254.G1Point pubkeyG1;
        Bn254.G2Point pubkeyG2;
    }

    struct OperatorInfo {
        bytes32 operatorId;
        OperatorStatus status;
    }

    struct EndpointsUpdate {
        uint32 fromBlock;
        string raftUrl;
        string httpUrl;
    }

    /// Domain tag of the proof-of-possession message (see `pubkeyRegistrationMessageHash`).
    bytes32 public constant PUBKEY_REGISTRATION_DOMAIN = keccak256("avs-raft.OperatorRegistry.pubkeyRegistration.v1");
    uint256 public constant MAX_QUORUM_COUNT = 192;
    uint256 public constant MAX_ENDPOINT_LENGTH = 256;

    address public owner;
    uint8 public quorumCount;

    mapping(address => OperatorInfo) internal _operatorInfo;
    mapping(bytes32 => address) internal _operatorFromId;
    mapping(bytes32 => Bn254.G1Point) internal _pubkeyG1;
    mapping(bytes32 => Bn254.G2Point) internal _pubkeyG2;
    /// Every operator id that ever registered, in order of first registration.
    bytes32[] internal _allOperatorIds;

    /// Stake assigned by the owner (the stub), whether or not the operator is registered in the quorum.
    mapping(address => mapping(uint8 => uint96)) public assignedStake;

    mapping(bytes32 => EndpointsUpdate[]) internal _endpointHistory;
    /// keccak256(url) => operator id holding it. Raft and HTTP URLs share one namespace.
    mapping(bytes32 => bytes32) internal _endpointHolder;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event QuorumCreated(uint8 indexed quorumNumber);
    event NewPubkeyRegistration(address indexed operator, Bn254.G1Point pubkeyG1, Bn254.G2Point pubkeyG2);
    event OperatorRegistered(address indexed operator, bytes32 indexed operatorId, bytes quorumNumbers);
    event OperatorDeregistered(address indexed operator, bytes32 indexed operatorId, bytes quorumNumbers);
    event OperatorStakeUpdate(bytes32 indexed operatorId, uint8 quorumNumber, uint96 stake);
    event OperatorEndpointsUpdated(bytes32 indexed operatorId, string raftUrl, string httpUrl);
    /// EigenLayer's socket event: `socket` is "<raftUrl> <httpUrl>".
    event OperatorSocketUpdate(bytes32 indexed operatorId, string socket);

    error NotOwner();
    error InvalidQuorumNumbers();
    error TooManyQuorums();
    error LengthMismatch();
    error AlreadyRegisteredInQuorum(uint8 quorumNumber);
    error NotRegisteredInQuorum(uint8 quorumNumber);
    error NotRegistered();
    error ZeroPubkey();
    error PubkeyAlreadyRegistered();
    error PubkeyMismatch();
    error InvalidProofOfPossession();
    error InvalidEndpoint();
    error EndpointTaken(bytes32 holderOperatorId);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @param initialOwner Sets stakes and creates quorums.
    /// @param initialQuorumCount Number of quorums (0..n-1) created now.
    constructor(address initialOwner, uint8 initialQuorumCount) {
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
        for (uint256 i = 0; i < initialQuorumCount; i++) {
            _createQuorum();
        }
    }

    // ------------------------------------------------------------------ owner

    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function createQuorum() external onlyOwner returns (uint8) {
        return _createQuorum();
    }

    /// @notice The staking stub: sets `operator`'s stake in `quorumNumber`. Takes effect in the stake
    /// history immediately if the operator is registered in that quorum, else at registration.
    function setOperatorStake(address operator, uint8 quorumNumber, uint96 stake) external onlyOwner {
        if (quorumNumber >= quorumCount) revert InvalidQuorumNumbers();
        _setStake(operator, quorumNumber, stake);
    }

    /// @notice `setOperatorStake` for many operators of one quorum in one transaction.
    function setOperatorStakes(uint8 quorumNumber, address[] calldata operators, uint96[] calldata stakes)
        external
        onlyOwner
    {
        if (quorumNumber >= quorumCount) revert InvalidQuorumNumbers();
        if (operators.length != stakes.length) revert LengthMismatch();
        for (uint256 i = 0; i < operators.length; i++) {
            _setStake(operators[i], quorumNumber, stakes[i]);
        }
    }

    function _setStake(address operator, uint8 quorumNumber, uint96 stake) internal {
        uint96 previous = assignedStake[operator][quorumNumber];
        assignedStake[operator][quorumNumber] = stake;
        OperatorInfo memory info = _operatorInfo[operator];
        if (info.operatorId != bytes32(0) && (_currentBitmap(info.operatorId) >> quorumNumber) & 1 == 1) {
            _pushStake(_stakeHistory[info.operatorId][quorumNumber], stake);
            uint96 total = _latest(_totalStakeHistory[quorumNumber]);
            _pushStake(_totalStakeHistory[quorumNumber], total - previous + stake);
            emit OperatorStakeUpdate(info.operatorId, quorumNumber, stake);
        }
    }

    // -------------------------------------------------------------- operators

    /// @notice The digest behind the proof-of-possession message:
    /// keccak256(abi.encode(PUBKEY_REGISTRATION_DOMAIN, chainid, this registry, operator)).
    function pubkeyRegistrationDigest(address operator) public view returns (bytes32) {
        return keccak256(abi.encode(PUBKEY_REGISTRATION_DOMAIN, block.chainid, address(this), operator));
    }

    /// @notice The G1 point an operator signs with its BLS key as proof of possession:
    /// hashToG1(pubkeyRegistrationDigest(operator)). The signature is sk * point (same name and
    /// result type as EigenLayer's RegistryCoordinator).
    function pubkeyRegistrationMessageHash(address operator) public view returns (Bn254.G1Point memory) {
        return Bn254.hashToG1(pubkeyRegistrationDigest(operator));
    }

    /// @notice Registers msg.sender for `quorumNumbers` (strictly ascending bytes of quorum numbers).
    /// The first registration binds the BLS key to the address for good (proof of possession checked);
    /// later registrations must pass the same key or a zero key. Endpoints are set (or changed).
    function registerOperator(
        bytes calldata quorumNumbers,
        string calldata raftUrl,
        string calldata httpUrl,
        PubkeyRegistrationParams calldata params
    ) external returns (bytes32 operatorId) {
        operatorId = _operatorInfo[msg.sender].operatorId;
        if (operatorId == bytes32(0)) {
            operatorId = _registerPubkey(msg.sender, params);
        } else if (!(params.pubkeyG1.X == 0 && params.pubkeyG1.Y == 0)) {
            if (Bn254.hashG1(params.pubkeyG1) != operatorId) revert PubkeyMismatch();
        }
        uint192 toAdd = _quorumBitmap(quorumNumbers);
        uint192 current = _currentBitmap(operatorId);
        if (current & toAdd != 0) revert AlreadyRegisteredInQuorum(_firstQuorum(current & toAdd));
        _pushBitmap(operatorId, current | toAdd);
        _operatorInfo[msg.sender].status = OperatorStatus.REGISTERED;
        _setEndpoints(operatorId, raftUrl, httpUrl);
        Bn254.G1Point memory pk = _pubkeyG1[operatorId];
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint8 q = uint8(quorumNumbers[i]);
            uint96 stake = assignedStake[msg.sender][q];
            _pushStake(_stakeHistory[operatorId][q], stake);
            _pushStake(_totalStakeHistory[q], _latest(_totalStakeHistory[q]) + stake);
            _pushApk(q, _currentApk[q].add(pk));
            emit OperatorStakeUpdate(operatorId, q, stake);
        }
        emit OperatorRegistered(msg.sender, operatorId, quorumNumbers);
    }

    /// @notice Removes msg.sender from `quorumNumbers`. Leaving the last quorum deregisters the
    /// operator and releases its endpoints for others.
    function deregisterOperator(bytes calldata quorumNumbers) external {
        bytes32 operatorId = _operatorInfo[msg.sender].operatorId;
        if (operatorId == bytes32(0)) revert NotRegistered();
        uint192 toRemove = _quorumBitmap(quorumNumbers);
        uint192 current = _currentBitmap(operatorId);
        if (current & toRemove != toRemove) revert NotRegisteredInQuorum(_firstQuorum(toRemove & ~current));
        uint192 next = current & ~toRemove;
        _pushBitmap(operatorId, next);
        Bn254.G1Point memory negPk = _pubkeyG1[operatorId].negate();
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint8 q = uint8(quorumNumbers[i]);
            uint96 stake = _latest(_stakeHistory[operatorId][q]);
            _pushStake(_stakeHistory[operatorId][q], 0);
            _pushStake(_totalStakeHistory[q], _latest(_totalStakeHistory[q]) - stake);
            _pushApk(q, _currentApk[q].add(negPk));
            emit OperatorStakeUpdate(operatorId, q, 0);
        }
        if (next == 0) {
            _operatorInfo[msg.sender].status = OperatorStatus.DEREGISTERED;
            _releaseEndpoints(operatorId);
        }
        emit OperatorDeregistered(msg.sender, operatorId, quorumNumbers);
    }

    /// @notice Changes msg.sender's endpoints (must be registered).
    function updateEndpoints(string calldata raftUrl, string calldata httpUrl) external {
        OperatorInfo memory info = _operatorInfo[msg.sender];
        if (info.status != OperatorStatus.REGISTERED) revert NotRegistered();
        _setEndpoints(info.operatorId, raftUrl, httpUrl);
    }

    // ------------------------------------------------------- native views

    function operatorCount() external view returns (uint256) {
        return _allOperatorIds.length;
    }

    /// @notice Operator ids in order of first registration (including deregistered ones).
    function operatorIdAt(uint256 index) external view returns (bytes32) {
        return _allOperatorIds[index];
    }

    function isRegistered(address operator) external view returns (bool) {
        return _operatorInfo[operator].status == OperatorStatus.REGISTERED;
    }

    /// @notice The operator's G1 key, G2 key and address by id (zero values if unknown).
    function getOperatorKeys(bytes32 operatorId)
        external
        view
        returns (address operator, Bn254.G1Point memory pubkeyG1, Bn254.G2Point memory pubkeyG2)
    {
        return (_operatorFromId[operatorId], _pubkeyG1[operatorId], _pubkeyG2[operatorId]);
    }

    /// @notice Endpoints as of `blockNumber` (empty strings if none were set by then).
    function getEndpointsAtBlockNumber(bytes32 operatorId, uint32 blockNumber)
        external
        view
        returns (string memory raftUrl, string memory httpUrl)
    {
        EndpointsUpdate[] storage h = _endpointHistory[operatorId];
        for (uint256 i = h.length; i > 0; i--) {
            if (h[i - 1].fromBlock <= blockNumber) return (h[i - 1].raftUrl, h[i - 1].httpUrl);
        }
        return ("", "");
    }

    /// @notice The operator id holding `url` as an endpoint now (0 if free).
    function endpointHolder(string calldata url) external view returns (bytes32) {
        return _endpointHolder[keccak256(bytes(url))];
    }

    // ------------------------------------ EigenLayer-shaped views (RegistryCoordinator)

    function getOperator(address operator) external view returns (OperatorInfo memory) {
        return _operatorInfo[operator];
    }

    function getOperatorId(address operator) external view returns (bytes32) {
        return _operatorInfo[operator].operatorId;
    }

    function getOperatorFromId(bytes32 operatorId) external view returns (address) {
        return _operatorFromId[operatorId];
    }

    function getOperatorStatus(address operator) external view returns (OperatorStatus) {
        return _operatorInfo[operator].status;
    }

    function blsApkRegistry() external view returns (address) {
        return address(this);
    }

    function stakeRegistry() external view returns (address) {
        return address(this);
    }

    function indexRegistry() external view returns (address) {
        return address(this);
    }

    function socketRegistry() external view returns (address) {
        return address(this);
    }

    // ------------------------------------------ EigenLayer-shaped views (BLSApkRegistry)

    function getRegisteredPubkey(address operator) external view returns (Bn254.G1Point memory, bytes32) {
        bytes32 id = _operatorInfo[operator].operatorId;
        return (_pubkeyG1[id], id);
    }

    function getOperatorPubkeyG2(address operator) external view returns (Bn254.G2Point memory) {
        return _pubkeyG2[_operatorInfo[operator].operatorId];
    }

    function pubkeyHashToOperator(bytes32 pubkeyHash) external view returns (address) {
        return _operatorFromId[pubkeyHash];
    }

    // ------------------------------------------- EigenLayer-shaped views (IndexRegistry, SocketRegistry)

    /// @notice Ids of the operators registered in `quorumNumber` at `blockNumber`, in order of first
    /// registration. Scans every operator ever registered: meant for eth_call, not transactions.
    function getOperatorListAtBlockNumber(uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (bytes32[] memory list)
    {
        uint256 n = _allOperatorIds.length;
        bytes32[] memory tmp = new bytes32[](n);
        uint256 count = 0;
        for (uint256 i = 0; i < n; i++) {
            bytes32 id = _allOperatorIds[i];
            if ((getQuorumBitmapAtBlockNumber(id, blockNumber) >> quorumNumber) & 1 == 1) tmp[count++] = id;
        }
        list = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            list[i] = tmp[i];
        }
    }

    /// @notice "<raftUrl> <httpUrl>" (URLs cannot contain spaces), or "" if none.
    function getOperatorSocket(bytes32 operatorId) external view returns (string memory) {
        EndpointsUpdate[] storage h = _endpointHistory[operatorId];
        if (h.length == 0) return "";
        EndpointsUpdate storage last = h[h.length - 1];
        return string.concat(last.raftUrl, " ", last.httpUrl);
    }

    // --------------------------------------------------------------- internals

    function _createQuorum() internal returns (uint8 q) {
        if (quorumCount >= MAX_QUORUM_COUNT) revert TooManyQuorums();
        q = quorumCount;
        quorumCount = q + 1;
        _pushStake(_totalStakeHistory[q], 0);
        _pushApk(q, Bn254.G1Point(0, 0));
        emit QuorumCreated(q);
    }

    function _registerPubkey(address operator, PubkeyRegistrationParams calldata params)
        internal
        returns (bytes32 operatorId)
    {
        Bn254.G1Point memory pk = params.pubkeyG1;
        if (pk.X == 0 && pk.Y == 0) revert ZeroPubkey();
        Bn254.requireReduced(pk);
        operatorId = Bn254.hashG1(pk);
        if (_operatorFromId[operatorId] != address(0)) revert PubkeyAlreadyRegistered();
        bool ok = Bn254.verifyPossession(
            params.pubkeyRegistrationSignature, pk, params.pubkeyG2, pubkeyRegistrationMessageHash(operator)
        );
        if (!ok) revert InvalidProofOfPossession();
        _operatorInfo[operator] = OperatorInfo(operatorId, OperatorStatus.NEVER_REGISTERED);
        _operatorFromId[operatorId] = operator;
        _pubkeyG1[operatorId] = pk;
        _pubkeyG2[operatorId] = params.pubkeyG2;
        _allOperatorIds.push(operatorId);
        emit NewPubkeyRegistration(operator, pk, params.pubkeyG2);
    }

    function _setEndpoints(bytes32 operatorId, string calldata raftUrl, string calldata httpUrl) internal {
        _validateEndpoint(raftUrl);
        _validateEndpoint(httpUrl);
        _releaseEndpoints(operatorId);
        _claimEndpoint(operatorId, raftUrl);
        _claimEndpoint(operatorId, httpUrl);
        EndpointsUpdate[] storage h = _endpointHistory[operatorId];
        if (h.length > 0 && h[h.length - 1].fromBlock == block.number) {
            h[h.length - 1].raftUrl = raftUrl;
            h[h.length - 1].httpUrl = httpUrl;
        } else {
            h.push(EndpointsUpdate(uint32(block.number), raftUrl, httpUrl));
        }
        emit OperatorEndpointsUpdated(operatorId, raftUrl, httpUrl);
        emit OperatorSocketUpdate(operatorId, string.concat(raftUrl, " ", httpUrl));
    }

    function _claimEndpoint(bytes32 operatorId, string calldata url) internal {
        bytes32 key = keccak256(bytes(url));
        bytes32 holder = _endpointHolder[key];
        if (holder != bytes32(0) && holder != operatorId) revert EndpointTaken(holder);
        _endpointHolder[key] = operatorId;
    }

    function _releaseEndpoints(bytes32 operatorId) internal {
        EndpointsUpdate[] storage h = _endpointHistory[operatorId];
        if (h.length == 0) return;
        EndpointsUpdate storage last = h[h.length - 1];
        bytes32 raftKey = keccak256(bytes(last.raftUrl));
        bytes32 httpKey = keccak256(bytes(last.httpUrl));
        if (_endpointHolder[raftKey] == operatorId) delete _endpointHolder[raftKey];
        if (_endpointHolder[httpKey] == operatorId) delete _endpointHolder[httpKey];
    }

    /// 1..256 bytes of printable ASCII without spaces (the socket string is space-separated).
    function _validateEndpoint(string calldata url) internal pure {
        bytes calldata b = bytes(url);
        if (b.length == 0 || b.length > MAX_ENDPOINT_LENGTH) revert InvalidEndpoint();
        for (uint256 i = 0; i < b.length; i++) {
            if (uint8(b[i]) <= 0x20 || uint8(b[i]) >= 0x7f) revert InvalidEndpoint();
        }
    }

    /// Strictly ascending, non-empty, every quorum exists.
    function _quorumBitmap(bytes calldata quorumNumbers) internal view returns (uint192 bitmap) {
        if (quorumNumbers.length == 0) revert InvalidQuorumNumbers();
        uint256 previous = 0;
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint256 q = uint8(quorumNumbers[i]);
            if (q >= quorumCount || (i > 0 && q <= previous)) revert InvalidQuorumNumbers();
            bitmap |= uint192(1 << q);
            previous = q;
        }
    }

    function _firstQuorum(uint192 bitmap) internal pure returns (uint8 q) {
        while ((bitmap >> q) & 1 == 0) q++;
    }
}
