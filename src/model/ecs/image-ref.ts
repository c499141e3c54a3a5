/** Image references, as the agent pulls them and the control plane authenticates them (pure). */

/** The registry host of an image reference, or null for Docker Hub style names (`nginx`, `library/nginx`). */
export function registryHostOf(image: string): string | null {
  const first = image.split('/')[0];
  if (!image.includes('/')) return null;
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : null;
}

/** The host registry credentials for `image` are filed under: its registry, or `docker.io` for Docker Hub. */
export const credentialsHostOf = (image: string): string => registryHostOf(image) ?? 'docker.io';
