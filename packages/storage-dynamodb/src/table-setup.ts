import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DynamoTableError } from './errors.js';
import { type DynamoRetryPolicy, withDynamoRetry } from './retry-policy.js';

/** Polls of DescribeTable while a new table becomes ACTIVE. */
const ACTIVE_POLLS = 120;

/**
 * Makes sure `tableName` exists with the layout's key schema (`pk` string
 * partition key, `sk` string sort key), creating it on demand (billing mode
 * PAY_PER_REQUEST) and waiting until it is ACTIVE.
 * @param client a DynamoDB client.
 * @param tableName the table.
 * @param create whether to create a missing table (otherwise it is an error).
 * @param retry the retry policy for the calls.
 * @throws DynamoTableError when the table is missing (and `create` is false), has another key schema, or never becomes ACTIVE.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  create: boolean,
  retry: DynamoRetryPolicy,
): Promise<void> {
  let table = await describe(client, tableName, retry);
  if (!table) {
    if (!create) {
      throw new DynamoTableError(
        tableName,
        'does not exist; create it (see README) or set createTableIfMissing',
      );
    }
    try {
      await withDynamoRetry(retry, 'CreateTable', () =>
        client.send(
          new CreateTableCommand({
            TableName: tableName,
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      );
    } catch (error) {
      // Another node created it first: fine, wait for it below.
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
  }
  for (let poll = 0; poll < ACTIVE_POLLS; poll++) {
    table = await describe(client, tableName, retry);
    if (table?.TableStatus === 'ACTIVE') return checkSchema(tableName, table);
    await retry.sleep(500);
  }
  throw new DynamoTableError(tableName, `did not become ACTIVE after ${ACTIVE_POLLS} polls`);
}

async function describe(
  client: DynamoDBClient,
  tableName: string,
  retry: DynamoRetryPolicy,
): Promise<TableDescription | undefined> {
  try {
    const out = await withDynamoRetry(retry, 'DescribeTable', () =>
      client.send(new DescribeTableCommand({ TableName: tableName })),
    );
    return out.Table;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function checkSchema(tableName: string, table: TableDescription): void {
  const keys = (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).sort();
  const types = new Map((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  if (keys.join(',') !== 'pk:HASH,sk:RANGE' || types.get('pk') !== 'S' || types.get('sk') !== 'S') {
    throw new DynamoTableError(
      tableName,
      `has key schema [${keys.join(', ')}]; expected pk (string, HASH) and sk (string, RANGE)`,
    );
  }
}
