/**
 * The port between the CloudWatch Logs handlers and the log storage (src/telemetry/logs-store.ts
 * implements it; the server wires them). Handlers check what a request means (AWS's rules beyond the
 * model's types) and call one method; the backend owns storage, tokens and filter patterns, and throws
 * ApiError with AWS's names (ResourceNotFoundException, InvalidParameterException, …).
 *
 * Timestamps are epoch milliseconds, as on the Logs wire.
 */
import type {
  CreateLogGroupRequest, DescribeLogGroupsRequest, DescribeLogGroupsResponse, DescribeLogStreamsRequest, DescribeLogStreamsResponse,
  FilterLogEventsRequest, FilterLogEventsResponse, GetLogEventsRequest, GetLogEventsResponse, InputLogEvent, RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';

export interface LogsBackend {
  createLogGroup(input: CreateLogGroupRequest, now: number): void;
  deleteLogGroup(name: string): void;
  describeLogGroups(input: DescribeLogGroupsRequest): DescribeLogGroupsResponse;
  putRetentionPolicy(name: string, days: number | undefined): void;
  createLogStream(group: string, stream: string, now: number): void;
  deleteLogStream(group: string, stream: string): void;
  describeLogStreams(group: string, input: DescribeLogStreamsRequest): DescribeLogStreamsResponse;
  /** Events already validated (order, span, sizes); returns the rejected-events info for too old/new/expired ones. */
  putLogEvents(group: string, stream: string, events: InputLogEvent[], now: number): { rejected?: RejectedLogEventsInfo; nextSequenceToken: string };
  getLogEvents(group: string, input: GetLogEventsRequest): GetLogEventsResponse;
  filterLogEvents(group: string, input: FilterLogEventsRequest): FilterLogEventsResponse;
  /** Tags by log group name. */
  tags(group: string): Record<string, string>;
  setTags(group: string, add: Record<string, string>, remove: string[]): void;
  /** The log group name an ARN names (arn:aws:logs:region:acct:log-group:NAME[:*]); throws ResourceNotFoundException. */
  groupOfArn(arn: string): string;
}
