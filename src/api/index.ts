export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export { createProtocolHandler, DEFAULT_MAX_BODY_BYTES, type ProtocolOptions } from './protocol.js';
export { kinesisService, kinesisModel, type KinesisServiceOptions } from './kinesis/index.js';
export { CompiledModel, type ServiceModel, type Shape, type Encoding } from './model.js';
export { ApiError, toApiError } from './errors.js';
export { perTenant, type Service, type OperationHandler, type RequestContext } from './service.js';
export { KinesisTenants, tenantOf, DEFAULT_ACCOUNT, DEFAULT_REGION } from './kinesis/tenants.js';
export { verifySigV4, type AuthOptions } from './sigv4.js';
export { EventStreamReply, encodeMessage, decodeMessages, EVENT_STREAM_CONTENT_TYPE } from './eventstream.js';
