/**
 * The one typed client of the platform's HTTP API. A call names a route of a capability's contract
 * (`src/shared/contract/`); its input and answer types come from the contract's zod schemas, so the web
 * never re-types the server. Every call sends the session cookie and JSON; a refused call shows the
 * server's Chinese `message` and throws an `ApiError`; an expired session goes to login.
 */
import { z } from 'zod';
import { pathOf, type CallInput, type ResponseOf, type RouteContract } from '../shared/contract.ts';

// The Content-Security-Policy allows no eval: zod would probe for it with `new Function` (caught, but reported as a
// CSP violation on every page). Without the probe it validates the same way, without compiled parsers.
z.config({ jitless: true });

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Set by the app shell: how to show an error, and what to do when the session is gone. */
export const apiHooks: {
  showError: (text: string) => void;
  onUnauthenticated: () => void;
  /** The server refuses every call but 修改密码 until the password is changed (MUST_CHANGE_PASSWORD). */
  onMustChangePassword: () => void;
} = {
  showError: (text) => console.error(text),
  onUnauthenticated: () => {
    if (window.location.pathname !== '/login') window.location.assign('/login');
  },
  onMustChangePassword: () => {
    if (window.location.pathname !== '/password') window.location.assign('/password');
  },
};

export interface CallOptions {
  /** Do not show the error (the caller handles it). */
  silent?: boolean;
  /** Aborts the request (a newer query replaced it). */
  signal?: AbortSignal;
}

type Scalar = string | number | boolean | null | undefined;
type Loose = { params?: Record<string, Scalar>; query?: Record<string, Scalar | Scalar[]>; body?: unknown };

/** The route's address with its parameters and query: also a same-origin link for a download
 *  (the session cookie goes with it). */
export function urlOf<C extends RouteContract>(contract: C, input: CallInput<C>): string {
  const i = input as Loose;
  return pathOf(contract.path, i.params, i.query);
}

type Args<C extends RouteContract> = object extends CallInput<C>
  ? [input?: CallInput<C>, opts?: CallOptions]
  : [input: CallInput<C>, opts?: CallOptions];

/** Calls one route of a contract. */
export function call<C extends RouteContract>(contract: C, ...[input, opts]: Args<C>): Promise<ResponseOf<C>> {
  const i = (input ?? {}) as Loose;
  return send<ResponseOf<C>>(contract.method, pathOf(contract.path, i.params, i.query), { body: i.body, ...opts });
}

/** Uploads one file as the multipart field `file` to an upload route (数据导入, 电子照片). */
export function upload<C extends RouteContract & { upload: true }>(
  contract: C, file: File, ...[input, opts]: Args<C>
): Promise<ResponseOf<C>> {
  const i = (input ?? {}) as Loose;
  const form = new FormData();
  form.append('file', file, file.name);
  return send<ResponseOf<C>>(contract.method, pathOf(contract.path, i.params, i.query), { form, ...opts });
}

async function send<T>(method: string, url: string, opts: CallOptions & { body?: unknown; form?: FormData }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      signal: opts.signal,
      headers: opts.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    const err = new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试。');
    if (!opts.silent) apiHooks.showError(err.message);
    throw err;
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const body = (data ?? {}) as { error?: unknown; message?: unknown; details?: unknown };
    const err = new ApiError(
      res.status,
      typeof body.error === 'string' ? body.error : 'HTTP_' + res.status,
      typeof body.message === 'string' ? body.message : `服务器返回错误（${res.status}），请稍后重试。`,
      body.details,
    );
    if (res.status === 401 && err.code === 'UNAUTHENTICATED') apiHooks.onUnauthenticated();
    if (res.status === 403 && err.code === 'MUST_CHANGE_PASSWORD') {
      // Not an error to show on every panel of the page: the user is taken to 修改密码, which says why.
      apiHooks.onMustChangePassword();
      throw err;
    }
    if (!opts.silent) apiHooks.showError(err.message);
    throw err;
  }
  return data as T;
}

/** The 消息 bell listens for this: an export started or a message was read. */
export const MESSAGES_CHANGED = 'gm:messages-changed';
export const messagesChanged = () => window.dispatchEvent(new Event(MESSAGES_CHANGED));
