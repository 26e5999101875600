/**
 * Where the console sends someone who is not signed in: the portal's sign-in page, returning to
 * the page they asked for. Only /admin paths go into return_to (the sign-in side checks again).
 */
export function signInUrl(path: string, search = ''): string {
  const returnTo = path.startsWith('/admin') ? `${path}${search}` : '/admin';
  return `/auth/sign-in?return_to=${encodeURIComponent(returnTo)}`;
}
