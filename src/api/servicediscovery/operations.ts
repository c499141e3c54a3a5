/** GetOperation and ListOperations: the record each namespace, service and instance change leaves (model/servicediscovery/records.ts). */
import type { GetOperationRequest, GetOperationResponse, ListOperationsRequest, ListOperationsResponse } from '@aws-sdk/client-servicediscovery';
import { operationNotFound } from '../../model/servicediscovery/errors.js';
import { idOf, sdKeys, type OperationRecord } from '../../model/servicediscovery/records.js';
import { invalidInput } from '../../model/servicediscovery/validation.js';
import { getJson, listJson } from '../../store/json.js';
import type { Handler } from '../types.js';
import { checkNoDuplicateFilters, filterPredicate, operationView, page } from './common.js';

export const getOperation: Handler<GetOperationRequest, GetOperationResponse> = async (input, ctx) => {
  const id = input.OperationId!;
  const op = /^[a-z0-9-]+$/.test(id) ? await getJson<OperationRecord>(ctx.store, sdKeys.operation(id)) : undefined;
  if (!op) throw operationNotFound(id);
  return { Operation: operationView(op.value, ctx.accountId) };
};

export const listOperations: Handler<ListOperationsRequest, ListOperationsResponse> = async (input, ctx) => {
  const filters = input.Filters ?? [];
  checkNoDuplicateFilters(filters);
  let items = await listJson<OperationRecord>(ctx.store, sdKeys.operations());
  for (const f of filters) {
    switch (f.Name) {
      case 'NAMESPACE_ID': { const p = filterPredicate({ ...f, Values: f.Values?.map((v) => idOf(v, 'namespace')) }, ['EQ'], 'operation'); items = items.filter((o) => p(o.namespaceId ?? '')); break; }
      case 'SERVICE_ID': { const p = filterPredicate({ ...f, Values: f.Values?.map((v) => idOf(v, 'service')) }, ['EQ'], 'operation'); items = items.filter((o) => p(o.serviceId ?? '')); break; }
      case 'STATUS': { const p = filterPredicate(f, ['EQ', 'IN'], 'operation'); items = items.filter((o) => p(o.status)); break; }
      case 'TYPE': { const p = filterPredicate(f, ['EQ', 'IN'], 'operation'); items = items.filter((o) => p(o.type)); break; }
      case 'UPDATE_DATE': {
        // BETWEEN two Unix times in seconds, the start first.
        if ((f.Condition ?? 'EQ') !== 'BETWEEN') throw invalidInput('The UPDATE_DATE filter supports only the BETWEEN condition.');
        const [from, to] = (f.Values ?? []).map(Number);
        if (f.Values?.length !== 2 || !Number.isFinite(from) || !Number.isFinite(to) || from! > to!) {
          throw invalidInput('The UPDATE_DATE filter with BETWEEN takes two Unix times in seconds, the start date first.');
        }
        items = items.filter((o) => o.updatedAt >= from! * 1000 && o.updatedAt <= to! * 1000);
        break;
      }
    }
  }
  items.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  const p = page(items, input.MaxResults, input.NextToken);
  return { Operations: p.items.map((o) => ({ Id: o.id, Status: o.status })), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
};
