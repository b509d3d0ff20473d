import type { Engine } from './engine.js';
import { one } from './form.js';
import type { FormFields } from './http.js';
import type { RouteContext, RouteDef } from './routes.js';
import type { DeviceAuthorization } from './state.js';

/** User codes compare without case, spaces or dashes (RFC 8628 section 6.1). */
function normalizeUserCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** The pending device authorization with this user code, or why there is none. */
export function pendingDevice(engine: Engine, userCode: string): DeviceAuthorization | 'unknown' | 'expired' {
  const wanted = normalizeUserCode(userCode);
  for (const device of engine.state.devices.values()) {
    if (normalizeUserCode(device.userCode) === wanted && device.status === 'pending') {
      return device.exp <= engine.clock.now() ? 'expired' : device;
    }
  }
  return 'unknown';
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Keyway mock</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
  return new Response(html, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function form(engine: Engine, userCode: string, message?: string): string {
  const user = engine.defaultUser();
  const who = typeof user.email === 'string' ? `${user.sub} (${user.email})` : user.sub;
  return `${message ? `<p role="alert">${escapeHtml(message)}</p>\n` : ''}<p>Signed in as <strong>${escapeHtml(who)}</strong>.</p>
<form method="post">
<label>Code shown on your device <input name="user_code" value="${escapeHtml(userCode)}" autocomplete="off" autofocus required></label>
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>`;
}

/** `GET /device`: the user-code form, filled in from `verification_uri_complete`'s `user_code`. */
function showForm(ctx: RouteContext): Response {
  const userCode = ctx.url.searchParams.get('user_code') ?? '';
  return page(200, 'Connect a device', form(ctx.engine, userCode));
}

/** `POST /device`: approves (or, with `action=deny`, denies) the device for the signed-in user. */
function submit(ctx: RouteContext): Response {
  const { engine } = ctx;
  const fields = (typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}) as FormFields;
  const userCode = one(fields, 'user_code') ?? '';
  const device = pendingDevice(engine, userCode);
  if (typeof device === 'string') {
    const message =
      device === 'expired'
        ? 'This code has expired. Start again on your device.'
        : 'This code is not valid. Check it and try again.';
    return page(400, 'Connect a device', form(engine, userCode, message));
  }
  if (one(fields, 'action') === 'deny') {
    device.status = 'denied';
    return page(200, 'Device denied', '<p>The device was not connected. You can close this window.</p>');
  }
  device.status = 'approved';
  device.sub = engine.defaultUser().sub;
  return page(200, 'Device connected', '<p>Your device is connected. You can close this window.</p>');
}

/**
 * The device flow's `verification_uri` (RFC 8628 section 3.3): an HTML page for a person, so the
 * flow can be finished in a browser against `keyway-mock-server`. Not part of the OpenAPI spec.
 */
export const pageRoutes: RouteDef[] = [
  { name: 'deviceVerificationPage', method: 'GET', template: '/device', run: showForm },
  { name: 'deviceVerificationSubmit', method: 'POST', template: '/device', run: submit },
];
