// A small MDQ service on 127.0.0.1: the Metadata Query Protocol's
// GET <base>entities/<url-encoded entityID> (or {sha1}<hex>, for artifacts), answered with the
// per-entity signed document the test serves for that entityID, 404 for any other. It records
// what it was asked, and can go down (its port closed) and come back on the same port.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './ports';

export interface MdqRequest {
  entityId: string;
  accept: string | undefined;
}

export interface MdqResponder {
  /** MDQ_URL: the base, ending in "/". */
  baseUrl: string;
  /** Answer `entityId` with `document` from now on. */
  serve(entityId: string, document: string): void;
  /** Answer `entityId` with 404 from now on. */
  forget(entityId: string): void;
  /** Every request so far, in order. */
  readonly requests: MdqRequest[];
  /** The requests for one entity. */
  asked(entityId: string): MdqRequest[];
  /** The service goes down: connections are refused. */
  stop(): Promise<void>;
  /** The service is back, on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

const BASE_PATH = '/mdq/';
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

export async function startMdqResponder(): Promise<MdqResponder> {
  const documents = new Map<string, string>();
  const requests: MdqRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(`${BASE_PATH}entities/`)) {
      res.writeHead(404).end();
      return;
    }
    let asked: string;
    try {
      asked = decodeURIComponent(path.slice(`${BASE_PATH}entities/`.length));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const hashed = /^\{sha1\}([0-9a-f]{40})$/i.exec(asked)?.[1]?.toLowerCase();
    const entityId = hashed ? [...documents.keys()].find((id) => sha1(id) === hashed) ?? asked : asked;
    requests.push({ entityId, accept: req.headers.accept });
    const document = documents.get(entityId);
    if (document === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(document);
  };

  let server: Server | undefined;
  const listen = async (port: number): Promise<number> => {
    const s = createServer(handler);
    const listening = await listenOnLoopback(s, port);
    server = s;
    return listening;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (s) await closeServer(s);
  };

  const port = await listen(0);
  return {
    baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`,
    serve: (entityId, document) => void documents.set(entityId, document),
    forget: (entityId) => void documents.delete(entityId),
    requests,
    asked: (entityId) => requests.filter((r) => r.entityId === entityId),
    stop,
    resume: async () => {
      if (!server) await listen(port);
    },
    close: stop,
  };
}
