// {base_path}/openapi.json and {base_path}/docs: the app's OpenAPI document and a page rendering it (Scalar,
// loaded from its CDN). Both public, like the API's shape itself; the data behind it still needs a token.
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayCore, RequestContext } from '../core.js';
import { JSON_CONTENT_TYPE } from '../http/envelope.js';
import { openApiJson } from './document.js';

function onlyGet(request: FastifyRequest, reply: FastifyReply): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply.header('allow', 'GET');
    throw new SogomsError(ErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed');
  }
}

export async function openApi(
  _core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  onlyGet(request, reply);
  reply.code(200).header('content-type', JSON_CONTENT_TYPE).send(openApiJson(ctx.app));
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function apiDocs(
  _core: GatewayCore,
  ctx: RequestContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  onlyGet(request, reply);
  const base = ctx.app.basePath.endsWith('/') ? ctx.app.basePath.slice(0, -1) : ctx.app.basePath;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(ctx.app.app)} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><script id="api-reference" data-url="${escapeHtml(`${base}/openapi.json`)}"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script></body></html>
`;
  reply.code(200).header('content-type', 'text/html; charset=utf-8').send(html);
}
