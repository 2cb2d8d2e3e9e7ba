/**
 * One contract from server to web. Each capability describes its routes once, in
 * `src/shared/contract/<capability>.ts`: method, path, who may call it, and the zod schemas of its
 * parameters, query, body and response. The server registers the route from it (validation and the
 * OpenAPI document come from the same schemas); the web calls it through `call()` in `web/client.ts`,
 * with every type inferred from it. Nothing is written twice.
 */
import { z } from 'zod';
import type { Access } from './org.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContract {
  method: Method;
  /** Fastify's form: `/api/records/students/:id`. */
  path: string;
  access: Access;
  /** The OpenAPI summary: what the route does, in the manual's words. */
  summary: string;
  tags?: readonly string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The JSON answer; absent for a file download (the web links to it with `urlOf`). */
  response?: z.ZodType;
  /** A multipart upload (one `file` field), read by the route itself. */
  upload?: true;
  /** Kept out of the OpenAPI document. */
  hide?: true;
}

/** Declares one capability's routes, giving each the capability's tags. `as const` keeps methods and paths literal. */
export function defineRoutes<const T extends Record<string, Omit<RouteContract, 'tags'> & { tags?: readonly string[] }>>(
  tags: readonly string[], routes: T,
): { [K in keyof T]: T[K] & { tags: readonly string[] } } {
  const out: Record<string, RouteContract> = {};
  for (const [name, r] of Object.entries(routes)) out[name] = { ...r, tags: r.tags ?? tags };
  return out as { [K in keyof T]: T[K] & { tags: readonly string[] } };
}

type Schema<C, K extends 'params' | 'query' | 'body' | 'response'> = C extends { [P in K]: infer S extends z.ZodType } ? S : never;

/** What a caller sends: `params`, `query` and `body` as their schemas accept them (before defaults). */
export type CallInput<C extends RouteContract> = Part<C, 'params'> & Part<C, 'query'> & Part<C, 'body'>;
type Part<C, K extends 'params' | 'query' | 'body'> =
  [Schema<C, K>] extends [never] ? unknown
    // A part whose every field is optional may be left out.
    : object extends z.input<Schema<C, K>> ? { [P in K]?: z.input<Schema<C, K>> }
      : { [P in K]: z.input<Schema<C, K>> };

/** What the route answers, as JSON. */
export type ResponseOf<C extends RouteContract> = [Schema<C, 'response'>] extends [never] ? unknown : z.output<Schema<C, 'response'>>;
/** What the server's handler returns (before the response schema's serializer). */
export type HandlerResult<C extends RouteContract> = [Schema<C, 'response'>] extends [never] ? unknown : z.input<Schema<C, 'response'>>;
/** What the handler receives, parsed. */
export type Parsed<C extends RouteContract, K extends 'params' | 'query' | 'body'> =
  [Schema<C, K>] extends [never] ? unknown : z.output<Schema<C, K>>;

type Scalar = string | number | boolean | null | undefined;

/** The path with its `:name` parameters filled in, and the query string. */
export function pathOf(path: string, params?: Record<string, Scalar>, query?: Record<string, Scalar | Scalar[]>): string {
  const filled = path.replace(/:([A-Za-z_]\w*)/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null || v === '') throw new Error(`missing path parameter ${name} of ${path}`);
    return encodeURIComponent(String(v));
  });
  if (!query) return filled;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one === undefined || one === null || one === '') continue;
      q.append(k, String(one));
    }
  }
  const s = q.toString();
  return s ? `${filled}?${s}` : filled;
}

/** One page of a list: every paged list answers this shape. */
export const paged = <T extends z.ZodType>(row: T) =>
  z.object({ total: z.number(), page: z.number(), page_size: z.number(), rows: z.array(row) });
export interface Paged<R> {
  total: number;
  rows: R[];
}

/** A list answer: the rows of one page and how many there are in all. */
export const listOf = <T extends z.ZodType>(row: T) => z.object({ total: z.number(), rows: z.array(row) });

/** The paging fields of a list query. */
export const paging = (max = 500, size = 20) => ({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(max).default(size),
});
