/**
 * Wire codecs. One operation implementation, N codecs: a handler takes and returns plain objects
 * (timestamps as Date, blobs as Uint8Array) and a codec turns requests into those objects and results
 * back into bytes. Codecs claim requests per request, never per service, because AWS adds protocols to
 * existing services without notice (CloudWatch speaks awsQuery, awsJson1_0 and rpcv2Cbor at once).
 *
 * Claiming follows Smithy's "wire protocol selection" precision order:
 *   rpcv2Cbor  (Smithy-Protocol: rpc-v2-cbor, POST /service/{S}/operation/{O})
 *   awsJson1_0 / awsJson1_1  (X-Amz-Target + application/x-amz-json-1.x)
 *   awsQuery   (form body with Action=…)
 *   restJson1  (method + path per the model's http binding, for the services signed for it: scheduler)
 */
import type { ApiError } from '../../model/errors.js';
import type { ServiceModel } from '../service-model.js';

export type ProtocolName = 'rpcv2Cbor' | 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2' | 'restJson1';

export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
  /** The client's address (aws:SourceIp), when the transport knows it. */
  readonly remoteAddress?: string;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

/** What a codec reads from a request before the service is known. */
export interface OperationSelector {
  /** The JSON target prefix (e.g. AmazonEC2ContainerServiceV20141113) or the CBOR service name. */
  readonly servicePrefix?: string;
  readonly operation: string;
}

export interface EncodeContext {
  readonly model: ServiceModel;
  readonly operation: string;
  readonly requestId: string;
}

export interface Codec {
  readonly protocol: ProtocolName;
  /** True when this request is in this codec's protocol. Reads headers and path only where possible. */
  claims(req: RawRequest): boolean;
  /** Which operation the request names; undefined when it names none. */
  selectOperation(req: RawRequest): OperationSelector | undefined;
  /** Decodes the request body into the operation's input object. Throws ApiError (SerializationException…). */
  decodeInput(req: RawRequest, model: ServiceModel, operation: string): Record<string, unknown>;
  encodeOutput(output: unknown, ctx: EncodeContext): WireResponse;
  /** `ctx` may lack model/operation when the error happened before routing. */
  encodeError(err: ApiError, ctx: Partial<EncodeContext> & { requestId: string }): WireResponse;
}

export const headerValue = (req: RawRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
