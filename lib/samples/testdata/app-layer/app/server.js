// Sample application of the demo images: replies to every request with a greeting.
import { createServer } from "node:http";

const port = Number(process.env.PORT ?? 8080);

createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  response.end("Hello from demo/web\n");
}).listen(port);
