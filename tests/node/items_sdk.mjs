// Drives Portico's DynamoDB wire API with the AWS SDK for JavaScript v3, the way a Node service
// would, and prints one JSON line with what it saw. Usage: node items_sdk.mjs ENDPOINT TABLE
import {
  DynamoDBClient,
  PutItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";

const [endpoint, table] = process.argv.slice(2);
const client = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDPORTICOTEST", secretAccessKey: "portico-test-secret" },
  maxAttempts: 1,
});

const out = {};
for (let i = 1; i <= 3; i++) {
  await client.send(new PutItemCommand({
    TableName: table,
    Item: { pk: { S: "node" }, sk: { N: String(i) }, blob: { B: new Uint8Array([i, 0, 255]) } },
  }));
}
const got = await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "node" }, sk: { N: "2" } } }));
out.blob = Array.from(got.Item.blob.B);
const upd = await client.send(new UpdateItemCommand({
  TableName: table,
  Key: { pk: { S: "node" }, sk: { N: "2" } },
  UpdateExpression: "SET n = :n",
  ExpressionAttributeValues: { ":n": { N: "0.50" } },
  ReturnValues: "ALL_NEW",
}));
out.updated = upd.Attributes.n.N;
const q = await client.send(new QueryCommand({
  TableName: table,
  KeyConditionExpression: "pk = :p AND sk > :s",
  ExpressionAttributeValues: { ":p": { S: "node" }, ":s": { N: "1" } },
  Limit: 1,
}));
out.page = q.Items.map((i) => i.sk.N);
out.lastKey = q.LastEvaluatedKey;
try {
  await client.send(new TransactWriteItemsCommand({
    TransactItems: [{ Put: { TableName: table, Item: { pk: { S: "node" }, sk: { N: "1" } },
      ConditionExpression: "attribute_not_exists(pk)" } }],
  }));
  out.cancelled = false;
} catch (e) {
  out.cancelled = e.name;
  out.reasons = (e.CancellationReasons || []).map((r) => r.Code);
}
try {
  await client.send(new GetItemCommand({ TableName: "NoSuchTable", Key: { pk: { S: "x" } } }));
} catch (e) {
  out.missing = [e.name, e.message];
}
console.log(JSON.stringify(out));
