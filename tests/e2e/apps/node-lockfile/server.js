// An HTTP service: GET /check?value=42 -> {"value":"42","isNumber":true}
// `node server.js --self-test` starts on a random port, asks itself once and exits.
const http = require('http');
const isNumber = require('is-number');

function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const value = url.searchParams.get('value');
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ value, isNumber: isNumber(value) }));
}

const server = http.createServer(handle);

if (process.argv.includes('--self-test')) {
  server.listen(0, '127.0.0.1', async () => {
    const { port } = server.address();
    const res = await fetch(`http://127.0.0.1:${port}/check?value=42`);
    console.log('self-test:', JSON.stringify(await res.json()));
    server.close();
  });
} else {
  const port = process.env.PORT || 3000;
  server.listen(port, () => console.log(`listening on ${port}`));
}
