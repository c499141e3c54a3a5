/**
 * ECS account settings: PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting,
 * ListAccountSettings, and `effectiveSetting` for code that needs a setting's value (CreateCluster's
 * containerInsights, the long-ARN formats…).
 *
 * Resolution order for a principal (ECS's own): the principal's setting → the account default (which is
 * the root user's setting, set with PutAccountSettingDefault or PutAccountSetting for the root ARN) →
 * AWS's default. Only the first two are stored; AWS defaults live in SETTINGS below.
 */
import type {
  DeleteAccountSettingRequest, DeleteAccountSettingResponse, ListAccountSettingsRequest, ListAccountSettingsResponse,
  PutAccountSettingDefaultRequest, PutAccountSettingDefaultResponse, PutAccountSettingRequest, PutAccountSettingResponse,
  Setting, SettingName,
} from '@aws-sdk/client-ecs';
import { invalidParameter } from '../../model/errors.js';
import { keys } from '../../model/ecs/keys.js';
import type { AccountSettingRecord } from '../../model/ecs/records.js';
import { getJson, listJson, putJson } from '../../store/json.js';
import type { Handler, RequestContext } from '../types.js';
import { paginate } from './common.js';

interface SettingSpec {
  /** What ECS reports when nobody set it. */
  readonly awsDefault: string;
  readonly values: readonly string[];
}

const ENABLED = ['enabled', 'disabled'] as const;

/**
 * Every setting name of the SDK's SettingName enum (a missing one fails to compile), with ECS's default
 * and valid values. Long ARN formats have been the only format since 2021 ("enabled"); containerInsights
 * is off unless turned on; tagResourceAuthorization is "on" since 2024; Fargate waits 7 days before
 * retiring a task for patching; awslogs runs non-blocking by default since 2025.
 */
export const SETTINGS: Record<SettingName, SettingSpec> = {
  serviceLongArnFormat: { awsDefault: 'enabled', values: ENABLED },
  taskLongArnFormat: { awsDefault: 'enabled', values: ENABLED },
  containerInstanceLongArnFormat: { awsDefault: 'enabled', values: ENABLED },
  awsvpcTrunking: { awsDefault: 'disabled', values: ENABLED },
  containerInsights: { awsDefault: 'disabled', values: ['enabled', 'disabled', 'enhanced'] },
  tagResourceAuthorization: { awsDefault: 'on', values: ['on', 'off'] },
  fargateTaskRetirementWaitPeriod: { awsDefault: '7', values: ['0', '7', '14'] },
  fargateFIPSMode: { awsDefault: 'disabled', values: ENABLED },
  guardDutyActivate: { awsDefault: 'off', values: ['on', 'off'] },
  fargateEventWindows: { awsDefault: 'disabled', values: ENABLED },
  defaultLogDriverMode: { awsDefault: 'non-blocking', values: ['blocking', 'non-blocking'] },
};

const NAMES = Object.keys(SETTINGS) as SettingName[];

export const rootArn = (ctx: Pick<RequestContext, 'accountId'>) => `arn:aws:iam::${ctx.accountId}:root`;

function checkName(name: string | undefined): SettingName {
  if (!name || !(name in SETTINGS)) throw invalidParameter(`Invalid account setting name '${name ?? ''}'. Valid names: ${NAMES.join(', ')}.`);
  return name as SettingName;
}

function checkValue(name: SettingName, value: string | undefined): string {
  const spec = SETTINGS[name];
  if (value === undefined || !spec.values.includes(value)) {
    throw invalidParameter(`Invalid value '${value ?? ''}' for account setting ${name}. Valid values: ${spec.values.join(', ')}.`);
  }
  return value;
}

/** The principal a request speaks for: principalArn if given (an IAM user, role or root of this account), else the caller. */
function principalOf(ctx: RequestContext, principalArn: string | undefined): string {
  if (principalArn === undefined || principalArn === '') return ctx.principal.arn;
  const m = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|user\/.+|role\/.+|assumed-role\/.+)$/.exec(principalArn);
  if (!m) throw invalidParameter(`Invalid principalArn '${principalArn}': specify the ARN of an IAM user, role or the root user.`);
  if (m[2] !== ctx.accountId) throw invalidParameter(`The principalArn '${principalArn}' is not in this account (${ctx.accountId}).`);
  return principalArn;
}

const asSetting = (r: AccountSettingRecord, principalArn = r.principalArn): Setting => ({ name: r.name as SettingName, value: r.value, principalArn, type: r.type });

const keyFor = (ctx: RequestContext, principal: string, name: string) => (principal === rootArn(ctx) ? keys.accountSettingDefault(name) : keys.accountSetting(principal, name));

async function write(ctx: RequestContext, principal: string, name: SettingName, value: string): Promise<Setting> {
  const rec: AccountSettingRecord = { name, value, principalArn: principal, type: 'user' };
  const key = keyFor(ctx, principal, name);
  for (let i = 0; i < 20; i++) {
    const cur = await ctx.store.get(key);
    if (await putJson(ctx.store, key, rec, cur?.version ?? 0)) return asSetting(rec);
  }
  throw invalidParameter('The account setting kept changing while it was being written. Retry the request.');
}

/** The value in force for `principal`, and whose setting it is. */
export async function effectiveSetting(ctx: RequestContext, name: SettingName, principal = ctx.principal.arn): Promise<Setting> {
  if (principal !== rootArn(ctx)) {
    const own = await getJson<AccountSettingRecord>(ctx.store, keys.accountSetting(principal, name));
    if (own && own.value.principalArn === principal) return asSetting(own.value);
  }
  const def = await getJson<AccountSettingRecord>(ctx.store, keys.accountSettingDefault(name));
  if (def) return asSetting(def.value, rootArn(ctx));
  return { name, value: SETTINGS[name].awsDefault, principalArn: rootArn(ctx), type: 'aws_managed' };
}

export const putAccountSetting: Handler<PutAccountSettingRequest, PutAccountSettingResponse> = async (input, ctx) => {
  const name = checkName(input.name);
  const value = checkValue(name, input.value);
  return { setting: await write(ctx, principalOf(ctx, input.principalArn), name, value) };
};

export const putAccountSettingDefault: Handler<PutAccountSettingDefaultRequest, PutAccountSettingDefaultResponse> = async (input, ctx) => {
  const name = checkName(input.name);
  const value = checkValue(name, input.value);
  return { setting: await write(ctx, rootArn(ctx), name, value) };
};

/** Removes the principal's own setting (the root ARN: the account default); the principal falls back to the next level. */
export const deleteAccountSetting: Handler<DeleteAccountSettingRequest, DeleteAccountSettingResponse> = async (input, ctx) => {
  const name = checkName(input.name);
  const principal = principalOf(ctx, input.principalArn);
  const key = keyFor(ctx, principal, name);
  for (let i = 0; i < 20; i++) {
    const cur = await getJson<AccountSettingRecord>(ctx.store, key);
    if (!cur) {
      // Nothing set at this level: report what is in force, as a no-op.
      return { setting: await effectiveSetting(ctx, name, principal) };
    }
    const r = await ctx.store.txn({ compare: [{ key, target: 'version', op: '==', value: cur.version }], success: [{ type: 'delete', key }] });
    if (r.succeeded) return { setting: asSetting(cur.value) };
  }
  throw invalidParameter('The account setting kept changing while it was being deleted. Retry the request.');
};

/**
 * Without effectiveSettings: only settings the principal set itself (for the root ARN, the account
 * defaults). With it: every setting, each resolved principal → account default → AWS default.
 * Filters: name, and value (which needs name). Pages of at most 10 (ECS's limit and default).
 */
export const listAccountSettings: Handler<ListAccountSettingsRequest, ListAccountSettingsResponse> = async (input, ctx) => {
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 10)) throw invalidParameter('maxResults must be between 1 and 10.');
  const name = input.name === undefined ? undefined : checkName(input.name);
  if (input.value !== undefined && name === undefined) throw invalidParameter('The value filter requires a setting name.');
  const principal = principalOf(ctx, input.principalArn);
  let settings: Setting[];
  if (input.effectiveSettings) {
    settings = await Promise.all((name ? [name] : NAMES).map((n) => effectiveSetting(ctx, n, principal)));
  } else {
    const stored = principal === rootArn(ctx)
      ? await listJson<AccountSettingRecord>(ctx.store, keys.accountSettingDefaults())
      : (await listJson<AccountSettingRecord>(ctx.store, keys.accountSettings(principal))).filter((s) => s.principalArn === principal);
    settings = stored.filter((s) => name === undefined || s.name === name).map((s) => asSetting(s, principal));
  }
  if (input.value !== undefined) settings = settings.filter((s) => s.value === input.value);
  const order = new Map(NAMES.map((n, i) => [n, String(i).padStart(3, '0')]));
  settings.sort((a, b) => order.get(a.name!)!.localeCompare(order.get(b.name!)!));
  const page = paginate(settings, (s) => order.get(s.name!)!, input.maxResults, input.nextToken, 10);
  return { settings: page.items, nextToken: page.nextToken };
};
