/**
 * The web app's security headers, in one place for both servers that serve it:
 * the local server (`local/web-app.ts`) and CloudFront's response headers
 * policy (`cdk/constructs/web-app.ts`). The app has no inline script or style
 * and talks only to its own origin, the API and the artifact store (presigned
 * downloads), so the Content-Security-Policy can say exactly that.
 */
export interface ContentSecurityPolicyOptions {
  /** Origins the app may call besides its own: the API (in AWS) and the artifact store. */
  connectOrigins: readonly string[];
  /** Origins artifact images are shown from (presigned URLs). */
  imageOrigins: readonly string[];
  /** Ask browsers to upgrade http: subresources; only meaningful over HTTPS. */
  upgradeInsecureRequests?: boolean;
}

export function contentSecurityPolicy(options: ContentSecurityPolicyOptions): string {
  const list = (origins: readonly string[]) => ["'self'", ...origins].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${list(options.imageOrigins)} data:`,
    `connect-src ${list(options.connectOrigins)}`,
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    ...(options.upgradeInsecureRequests ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Headers besides the CSP (CloudFront adds HSTS itself over HTTPS). */
export const otherSecurityHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
} as const;

/**
 * Paths of the app's pages (no file extension) all answer with index.html;
 * anything with an extension is a file, or a 404. CloudFront's viewer-request
 * function applies the same rule.
 */
export const isAppRoute = (path: string) => !/\.[A-Za-z0-9]+$/.test(path.split('/').pop() ?? '');
