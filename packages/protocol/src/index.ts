export { PROTOCOL_VERSION, WS_SUBPROTOCOL, AGENT_WS_PATH, AGENT_HTTP_PREFIX } from './version.js';
export {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_MISS_THRESHOLD,
  MAX_FRAME_BYTES,
  LOG_CHUNK_MAX_BYTES,
  HANDSHAKE_TIMEOUT_MS,
  HANDSHAKE_MAX_SKEW_MS,
} from './constants.js';
export {
  ProjectName,
  SpiderName,
  JobId,
  RunId,
  VersionName,
  NodeId,
  Tag,
  Sha256,
  SettingsModule,
  EpochMs,
  SignalName,
  SIGNAL_NAMES,
  WireSignal,
  PATH_COMPONENT_MAX,
  isSafePathComponent,
  sanitizeVersion,
} from './primitives.js';
export { ErrorCode, ERROR_CODES, ErrorBody, httpStatusOf } from './errors.js';
export { Envelope, ProtocolError, parseEnvelope, encodeEnvelope } from './ws/envelope.js';
export type { Catalog, CatalogEntry, MessageOf, MessageInputOf, ReplyOf, RequestTypes } from './ws/catalog.js';
export { validateMessage, validateReply, isKnownType } from './ws/catalog.js';
export {
  JobSpec,
  SettingPairs,
  Requirements,
  JobOutcome,
  JobEvent,
  JobStartedEvent,
  JobFinishedEvent,
  Stream,
  CancelRequest,
} from './ws/jobs.js';
export {
  AgentToMaster,
  Hello,
  Heartbeat,
  JobEvents,
  LogChunk,
  SpiderListReply,
  CancelReply,
  RotateReply,
  RunningJobReport,
  HostMetrics,
  JobMetric,
} from './ws/agent-to-master.js';
export {
  MasterToAgent,
  Challenge,
  Welcome,
  Rejected,
  JobAssign,
  EventsAck,
  LogAck,
  SpiderListRequest,
  StreamResume,
  EggsLive,
  Prewarm,
  CredentialRotate,
} from './ws/master-to-agent.js';
export { handshakeMacInput, handshakeProof, verifyHandshakeProof, storedKeyOf, clientKeyOf } from './handshake.js';
export {
  EnrollmentKey,
  EnrollmentSecret,
  RegisterRequest,
  RegisterResponse,
  NodeCredentialFile,
} from './http/agent.js';
export {
  CreateEnrollmentRequest,
  EnrollmentResponse,
  NodeKind,
  NodeInfo,
  PlacementPolicy,
  JobInfo,
  JobMetricSample,
} from './http/api.js';
export {
  ScrapydErrorBody,
  DaemonStatusResponseBody,
  AddVersionResponseBody,
  ScheduleResponseBody,
  StatusResponseBody,
  CancelResponseBody,
  ListProjectsResponseBody,
  ListVersionsResponseBody,
  ListSpidersResponseBody,
  ListJobsResponseBody,
  OkResponseBody,
  PendingJob,
  RunningJob,
  FinishedJob,
  JobState,
} from './http/scrapyd.js';
