// The compute-layer way people serve the Comments API today: a Node.js HTTP server that calls
// DynamoDB (here dynalite) through the AWS SDK for every request. Same routes and bodies as the
// Comments example, so wrk can drive both alike.
//   node node-baseline.js PORT DYNAMODB_ENDPOINT
const http = require('http');
const crypto = require('crypto');
const { DynamoDBClient, PutItemCommand, QueryCommand } = require('@aws-sdk/client-dynamodb');

const port = Number(process.argv[2]);
const client = new DynamoDBClient({
  endpoint: process.argv[3],
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      if (req.method === 'POST' && req.url === '/prod/comments') {
        const input = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        await client.send(new PutItemCommand({
          TableName: 'Comments',
          Item: {
            commentId: { S: crypto.randomUUID() },
            pageId: { S: String(input.pageId) },
            userName: { S: String(input.userName) },
            message: { S: String(input.message) },
          },
        }));
        return reply(res, 200, {});
      }
      const m = req.method === 'GET' && req.url.match(/^\/prod\/comments\/([^/?]+)$/);
      if (m) {
        const out = await client.send(new QueryCommand({
          TableName: 'Comments',
          IndexName: 'pageId-index',
          KeyConditionExpression: 'pageId = :v1',
          ExpressionAttributeValues: { ':v1': { S: decodeURIComponent(m[1]) } },
        }));
        return reply(res, 200, {
          comments: out.Items.map((i) => ({
            commentId: i.commentId.S, userName: i.userName.S, message: i.message.S,
          })),
        });
      }
      reply(res, 403, { message: 'Missing Authentication Token' });
    } catch (e) {
      reply(res, 500, { message: String(e) });
    }
  });
}).listen(port, '127.0.0.1');
