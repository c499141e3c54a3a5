import type { CreateTargetGroupInput, CreateTargetGroupOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ApiError } from '../../model/errors.js';
import { ELB_NAME, elbKeys, targetGroupArn, TG_ATTRIBUTE_DEFAULTS, type TargetGroupRecord } from '../../model/elbv2/records.js';
import { createOnly } from '../../store/store.js';
import { newId, tgView } from './common.js';
import { DEFAULT_HEALTH_CHECK, validateHealthCheck, validateTags, validation } from '../../model/elbv2/validation.js';
import { getJson } from '../../store/json.js';
import type { Handler } from '../types.js';

export const createTargetGroup: Handler<CreateTargetGroupInput, CreateTargetGroupOutput> = async (input, ctx) => {
  const name = input.Name!;
  if (!ELB_NAME.test(name)) throw validation(`Target group name '${name}' is not valid: up to 32 letters, digits and hyphens, not beginning or ending with a hyphen`);
  const targetType = input.TargetType ?? 'instance';
  if (targetType !== 'instance' && targetType !== 'ip') throw validation(`Target type '${targetType}' is not supported by Wharf: use instance or ip`);
  if (input.Protocol === undefined) throw validation('A protocol must be specified');
  if (input.Protocol !== 'HTTP') throw new ApiError('UnsupportedProtocol', `Protocol '${input.Protocol}' is not supported: Wharf's application load balancers use HTTP target groups`);
  if (input.Port === undefined) throw validation('A port must be specified');
  if (input.ProtocolVersion !== undefined && input.ProtocolVersion !== 'HTTP1') throw validation(`Protocol version '${input.ProtocolVersion}' is not supported: use HTTP1`);
  const healthCheck = validateHealthCheck(DEFAULT_HEALTH_CHECK, input);
  const tags = validateTags(input.Tags);
  const rec: TargetGroupRecord = {
    arn: '', name, id: newId(), protocol: 'HTTP', protocolVersion: 'HTTP1', port: input.Port, vpcId: input.VpcId ?? 'vpc-wharf',
    targetType, ipAddressType: input.IpAddressType ?? 'ipv4', healthCheck, attributes: { ...TG_ATTRIBUTE_DEFAULTS }, tags, createdTime: ctx.now.getTime(),
  };
  rec.arn = targetGroupArn(ctx, name, rec.id);
  const existing = await getJson<TargetGroupRecord>(ctx.store, elbKeys.tg(name));
  const same = (a: TargetGroupRecord) => a.port === rec.port && a.targetType === rec.targetType && a.vpcId === rec.vpcId && JSON.stringify(a.healthCheck) === JSON.stringify(rec.healthCheck);
  // Idempotent for identical settings, as AWS is.
  if (existing && same(existing.value)) return { TargetGroups: [tgView(existing.value, [])] };
  if (existing) throw new ApiError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
  const r = await ctx.store.txn(createOnly(elbKeys.tg(name), JSON.stringify(rec)));
  if (!r.succeeded) throw new ApiError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists`);
  return { TargetGroups: [tgView(rec, [])] };
};
