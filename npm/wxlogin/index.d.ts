/** A mini program known to the mock. */
export interface App {
  appid: string;
  secret: string;
}

export interface StartMockOptions {
  /** The mini programs the mock knows (default: one made-up app). */
  apps?: App[];
  /** Seconds a login code stays valid (default 300). */
  codeTtl?: number;
  /** Also act as an HTTPS proxy for SDKs that hard-code WeChat's host; fills `env`. */
  intercept?: boolean;
  /** Reproducible openids, codes and keys. */
  seed?: number;
}

export interface Login {
  code: string;
  openid: string;
}

export interface UserInfo {
  rawData: string;
  signature: string;
  encryptedData: string;
  iv: string;
}

export interface Fault {
  /** A route path (`/sns/jscode2session`), its last segment (`jscode2session`) or `*`. */
  route?: string;
  /** The errcode to answer (e.g. -1, 45011); none to only add latency. */
  errcode?: number;
  /** Delay before answering, in milliseconds. */
  latencyMs?: number;
  /** How many calls it applies to (default 1). */
  count?: number;
}

/** One request the mock saw, secrets masked. */
export type JournalEntry = Record<string, unknown>;

export interface WeChatMock {
  /** Base URL to give the backend instead of https://api.weixin.qq.com. */
  readonly url: string;
  /** The first app. */
  readonly app: App;
  readonly apps: App[];
  /** The variables of the mock's env file (HTTPS_PROXY, NODE_EXTRA_CA_CERTS, ...) with `intercept`. */
  readonly env?: Record<string, string>;
  /** What wx.login does: a fresh code; the user's session_key rotates at once. */
  login(openid?: string, options?: { appid?: string }): Promise<Login>;
  /** What wx.getUserInfo({withCredentials: true}) gives, under the current session_key. */
  userinfo(openid: string, options?: { appid?: string; userInfo?: Record<string, unknown> }): Promise<UserInfo>;
  /** The code a getPhoneNumber button gives, for /wxa/business/getuserphonenumber. */
  phoneCode(openid: string, options?: { appid?: string; phoneNumber?: string }): Promise<string>;
  /** The requests the mock has seen, oldest first, secrets masked. */
  journal(): Promise<JournalEntry[]>;
  /** Makes the next `count` calls of a route fail with `errcode` and/or wait `latencyMs`; resolves to the faults now set. */
  fault(fault: Fault): Promise<Array<Record<string, unknown>>>;
  /** Forgets users, codes, tokens, faults and the journal; the apps stay. */
  reset(): Promise<void>;
  /** The mock's request log so far (one line per request, secrets masked). */
  log(): Promise<string>;
  /** SIGTERM, then resolves once the mock has exited. */
  stop(): Promise<void>;
}

/** Starts `wxlogin mock-server` on a free loopback port. */
export function startMock(options?: StartMockOptions): Promise<WeChatMock>;

/** Path of the wxlogin binary ($WXLOGIN_BINARY, else the installed platform package). */
export function binaryPath(): string;

export class MockError extends Error {}
