/** Image references, as the agent pulls them and the control plane authenticates them (pure). */

/** The registry host of an image reference, or null for Docker Hub style names (`nginx`, `library/nginx`). */
export function registryHostOf(image: string): string | null {
  const first = image.split('/')[0];
  if (!image.includes('/')) return null;
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : null;
}

/** An image reference's parts: registry host (null for Docker Hub names), repository, tag or digest. */
export function parseImageRef(image: string): { host: string | null; repository: string; reference: string } {
  const host = registryHostOf(image);
  const rest = host ? image.slice(host.length + 1) : image;
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repository: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? { host, repository: rest.slice(0, colon), reference: rest.slice(colon + 1) } : { host, repository: rest, reference: 'latest' };
}

/** The host registry credentials for `image` are filed under: its registry, or `docker.io` for Docker Hub. */
export const credentialsHostOf = (image: string): string => registryHostOf(image) ?? 'docker.io';
