import { blob } from './endpoints/blobs';
import { create } from './endpoints/create';
import { embed, embeddings } from './endpoints/embed';
import { chat, generate } from './endpoints/generation';
import { ps, root, show, status, tags, version } from './endpoints/info';
import { copy, remove } from './endpoints/manage';
import { embeddingsV1 } from './endpoints/openai-embeddings';
import { chatCompletions, completions } from './endpoints/openai-generation';
import { listModels, retrieveModel } from './endpoints/openai-models';
import { responses } from './endpoints/openai-responses';
import { pull, push } from './endpoints/pull-push';
import type { Route, RouteTable } from './router';

// The endpoints the simulator serves, with the methods gin registers for them.

const routes: Route[] = [
  { path: '/', methods: ['GET', 'HEAD'], body: 'none', handle: root },
  { path: '/api/version', methods: ['GET', 'HEAD'], body: 'none', handle: version },
  // GET only: gin registers no HEAD for it (a HEAD is 405), unlike /api/version and /api/tags.
  { path: '/api/status', methods: ['GET'], body: 'none', handle: status },
  { path: '/api/tags', methods: ['GET', 'HEAD'], body: 'none', handle: tags },
  { path: '/api/ps', methods: ['GET'], body: 'none', handle: ps },
  { path: '/api/show', methods: ['POST'], body: 'json', struct: 'ShowRequest', handle: show },
  { path: '/api/chat', methods: ['POST'], body: 'json', struct: 'ChatRequest', handle: chat },
  {
    path: '/api/generate',
    methods: ['POST'],
    body: 'json',
    struct: 'GenerateRequest',
    handle: generate,
  },
  { path: '/api/embed', methods: ['POST'], body: 'json', struct: 'EmbedRequest', handle: embed },
  {
    path: '/api/embeddings',
    methods: ['POST'],
    body: 'json',
    struct: 'EmbeddingRequest',
    handle: embeddings,
  },
  { path: '/api/pull', methods: ['POST'], body: 'json', struct: 'PullRequest', handle: pull },
  { path: '/api/push', methods: ['POST'], body: 'json', struct: 'PushRequest', handle: push },
  { path: '/api/create', methods: ['POST'], body: 'json', struct: 'CreateRequest', handle: create },
  {
    path: '/api/delete',
    methods: ['DELETE'],
    body: 'json',
    struct: 'DeleteRequest',
    handle: remove,
  },
  { path: '/api/copy', methods: ['POST'], body: 'json', struct: 'CopyRequest', handle: copy },
  { path: '/api/blobs/:digest', methods: ['HEAD', 'POST'], body: 'upload', handle: blob },
  // Ollama's OpenAI-compatible layer.
  {
    path: '/v1/chat/completions',
    methods: ['POST'],
    body: 'json',
    struct: 'openai.ChatCompletionRequest',
    dialect: 'openai',
    handle: chatCompletions,
  },
  {
    path: '/v1/completions',
    methods: ['POST'],
    body: 'json',
    struct: 'openai.CompletionRequest',
    dialect: 'openai',
    handle: completions,
  },
  {
    path: '/v1/embeddings',
    methods: ['POST'],
    body: 'json',
    struct: 'openai.EmbedRequest',
    dialect: 'openai',
    handle: embeddingsV1,
  },
  {
    path: '/v1/responses',
    methods: ['POST'],
    body: 'json',
    struct: 'openai.ResponsesRequest',
    dialect: 'openai',
    handle: responses,
  },
  { path: '/v1/models', methods: ['GET'], body: 'none', dialect: 'openai', handle: listModels },
  {
    path: '/v1/models/:model',
    methods: ['GET'],
    body: 'none',
    dialect: 'openai',
    handle: retrieveModel,
  },
];

export const ROUTES: RouteTable = {
  exact: new Map(routes.filter((r) => !r.path.includes(':')).map((r) => [r.path, r])),
  prefixed: new Map(
    routes
      .filter((r) => r.path.includes(':'))
      .map((r) => [r.path.slice(0, r.path.lastIndexOf('/') + 1), r]),
  ),
};
