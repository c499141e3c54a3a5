/**
 * The EC2 protocol: awsQuery's form-encoded request with EC2's own naming, and EC2's own XML.
 *
 * Request (how botocore's EC2Serializer and the SDKs write it):
 *   member name   its `queryName`, else its `locationName` with the first letter capitalised, else its name
 *                 (DescribeVpcs' VpcIds → `VpcId.1`, Filters → `Filter.1.Name`, `Filter.1.Value.1`)
 *   list          always flattened: `Name.N` (N from 1); an empty list is not sent at all
 * Reply (no Result wrapper, lists as <name><item>…</item></name>, first element the request id):
 *   <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>…</requestId>
 *     <vpcSet><item><vpcId>…</vpcId>…</item></vpcSet></DescribeVpcsResponse>
 * Error (EC2 differs from every other query service here):
 *   <Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>…</Message></Error></Errors>
 *     <RequestID>…</RequestID></Response>
 *
 * Both EC2 and the awsQuery services send `Action=…` forms, so this codec claims a request by the service
 * its SigV4 credential scope names (`…/ec2/aws4_request`), and is asked before the awsQuery codec.
 */
import { ApiError } from '../../model/errors.js';
import type { MemberRef, ServiceModel, Shape } from '../service-model.js';
import { headerValue, type Codec, type EncodeContext, type OperationSelector, type RawRequest, type WireResponse } from './codec.js';
import { AwsQueryCodec, escapeXml, params, scalar, writeMembers } from './aws-query.js';

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/ec2\/aws4_request/;

export class Ec2QueryCodec implements Codec {
  readonly protocol = 'ec2' as const;
  private readonly query = new AwsQueryCodec();

  claims(req: RawRequest): boolean {
    if (!this.query.claims(req)) return false;
    const auth = headerValue(req, 'authorization');
    if (auth) return SCOPE.test(auth);
    // Presigned (query-string) form.
    return /(^|&)X-Amz-Credential=[^&]*%2Fec2%2Faws4_request/i.test(req.query);
  }

  selectOperation(req: RawRequest): OperationSelector | undefined {
    return this.query.selectOperation(req);
  }

  decodeInput(req: RawRequest, model: ServiceModel, operation: string): Record<string, unknown> {
    const p = params(req);
    const version = p.get('Version');
    if (version === undefined) throw new ApiError('MissingParameter', 'The request must contain the parameter Version.');
    if (version !== model.metadata.apiVersion) throw new ApiError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    const op = model.operations[operation];
    if (!op?.input) return {};
    return readStructure(model, model.shapes[op.input], '', p) ?? {};
  }

  encodeOutput(output: unknown, ctx: EncodeContext): WireResponse {
    const op = ctx.model.operations[ctx.operation];
    const ns = ctx.model.metadata.xmlNamespace ?? '';
    const members = op?.output ? writeMembers(ctx.model, ctx.model.shapes[op.output], output ?? {}) : '';
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${ctx.operation}Response xmlns="${escapeXml(ns.endsWith('/') ? ns : ns + '/')}"><requestId>${escapeXml(ctx.requestId)}</requestId>${members}</${ctx.operation}Response>`;
    return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': ctx.requestId }, body };
  }

  encodeError(err: ApiError, ctx: Partial<EncodeContext> & { requestId: string }): WireResponse {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${escapeXml(ctx.requestId)}</RequestID></Response>`;
    return { status: err.status, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': ctx.requestId }, body };
  }
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const wireName = (name: string, ref: MemberRef) => ref.queryName ?? (ref.locationName ? ref.locationName[0].toUpperCase() + ref.locationName.slice(1) : name);

function present(p: Map<string, string>, key: string): boolean {
  if (p.has(key)) return true;
  const dotted = key + '.';
  for (const k of p.keys()) if (k.startsWith(dotted)) return true;
  return false;
}

function readValue(model: ServiceModel, ref: MemberRef, key: string, p: Map<string, string>): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) return p.get(key);
  if (shape.type === 'structure') return readStructure(model, shape, key, p);
  if (shape.type === 'list') {
    const dotted = key + '.';
    const ns = new Set<number>();
    for (const k of p.keys()) {
      if (!k.startsWith(dotted)) continue;
      const n = Number(k.slice(dotted.length).split('.')[0]);
      if (Number.isInteger(n) && n >= 1) ns.add(n);
    }
    if (ns.size === 0) return p.has(key) ? [] : undefined;
    const member = shape.member ?? { shape: '' };
    return [...ns].sort((a, b) => a - b).map((n) => readValue(model, member, `${key}.${n}`, p));
  }
  const raw = p.get(key);
  return raw === undefined ? undefined : scalar(shape, raw, key);
}

function readStructure(model: ServiceModel, shape: Shape | undefined, prefix: string, p: Map<string, string>): Record<string, unknown> | undefined {
  if (!shape) return undefined;
  if (prefix && !present(p, prefix)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = readValue(model, ref, join(prefix, wireName(name, ref)), p);
    if (v !== undefined) out[name] = v;
  }
  return out;
}
