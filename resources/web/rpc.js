// Transmission's RPC as shoald speaks it: a JSON body POSTed to /transmission/rpc, and the
// X-Transmission-Session-Id handshake (a 409 answer carries the id to send again with).

const RPC_PATH = '/transmission/rpc';
const TIMEOUT_MS = 20000;
const MAX_ERROR_TEXT = 300;

let sessionId = '';

async function post(method, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    return await fetch(RPC_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': sessionId },
      body,
      cache: 'no-store',
      credentials: 'same-origin',
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) {
      throw new Error(`${method}: shoald did not answer within ${TIMEOUT_MS / 1000} s`);
    }
    throw new Error(`${method}: cannot reach shoald (${error.message})`);
  } finally {
    clearTimeout(timer);
  }
}

// Calls `method` and resolves to its answer's `arguments`; rejects with an Error whose message
// is fit for the banner when the network fails, the HTTP status is not 200, or `result` is
// not "success".
export async function rpc(method, args = {}) {
  const body = JSON.stringify({ method, arguments: args });
  let response = await post(method, body);
  if (response.status === 409) {
    sessionId = response.headers.get('X-Transmission-Session-Id') || '';
    response = await post(method, body);
  }
  if (!response.ok) {
    const text = (await response.text()).trim().slice(0, MAX_ERROR_TEXT);
    throw new Error(`${method}: HTTP ${response.status} ${response.statusText}${text ? ` (${text})` : ''}`);
  }
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new Error(`${method}: the answer is not JSON`);
  }
  if (typeof answer !== 'object' || answer === null || answer.result !== 'success') {
    const result = typeof answer?.result === 'string' ? answer.result.slice(0, MAX_ERROR_TEXT) : 'no result';
    // shoald's results name the method already ("session-set: ..."); Transmission's do not.
    throw new Error(result.startsWith(`${method}:`) ? result : `${method} failed: ${result}`);
  }
  return typeof answer.arguments === 'object' && answer.arguments !== null ? answer.arguments : {};
}
