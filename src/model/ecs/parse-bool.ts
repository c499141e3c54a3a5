/**
 * Go's strconv.ParseBool, which Docker's log drivers (awslogs-create-group, …) and the ECS agent use for
 * boolean options: exactly these twelve spellings, anything else is an error (undefined here).
 */
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

export function parseBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return undefined;
}
